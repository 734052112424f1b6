"""Simultaneous votes through real requests against PostgreSQL: every vote counts once."""

import pytest
from django.urls import reverse

from participation.models import Vote
from tests.factories import CitizenFactory, UserFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def debate_by(author):
    from debates.services import debate_create

    return debate_create(author=author, title="ถนนคนเดินหนองมน", description="ชวนคุย", tags=[])


def test_double_clicks_from_one_person_make_one_vote():
    debate = debate_by(UserFactory())
    voter = CitizenFactory()
    url = reverse("participation:vote", args=["debates.debate", debate.pk])
    assert 500 not in race([(voter, url, {"value": "1"})] * 8)
    debate.refresh_from_db()
    assert Vote.objects.filter(object_id=debate.pk, user=voter).count() == 1
    assert (debate.cached_votes_up, debate.cached_votes_down) == (1, 0)


def test_many_people_at_once_each_count_once_and_the_counters_match_the_rows():
    debate = debate_by(UserFactory())
    voters = CitizenFactory.create_batch(12)
    url = reverse("participation:vote", args=["debates.debate", debate.pk])
    requests = []
    for n, voter in enumerate(voters):
        value = "1" if n % 3 else "-1"
        requests += [(voter, url, {"value": value})] * 2
    assert 500 not in race(requests)
    debate.refresh_from_db()
    rows = Vote.objects.filter(object_id=debate.pk)
    assert rows.count() == 12
    assert debate.cached_votes_up == rows.filter(value=1).count() == 8
    assert debate.cached_votes_down == rows.filter(value=-1).count() == 4


def test_changing_and_taking_back_at_once_leaves_counters_equal_to_rows():
    debate = debate_by(UserFactory())
    voter = CitizenFactory()
    url = reverse("participation:vote", args=["debates.debate", debate.pk])
    statuses = race([(voter, url, {"value": v}) for v in ["1", "-1", "", "1", "-1", ""] * 2])
    assert 500 not in statuses
    debate.refresh_from_db()
    rows = Vote.objects.filter(object_id=debate.pk)
    assert debate.cached_votes_up == rows.filter(value=1).count()
    assert debate.cached_votes_down == rows.filter(value=-1).count()
    assert rows.count() <= 1
