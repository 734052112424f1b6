"""200 people voting at once, some sending their ballot again and again (PostgreSQL)."""

import pytest
from django.db.models import Count
from django.urls import reverse

from polls.models import Answer, Ballot, RollEntry
from polls.selectors import poll_tally
from tests.factories import CensusRecordFactory, CitizenFactory, national_id
from tests.polls.factories import BoothFactory, officer, poll_with_questions, post_data
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_ballots_and_repeated_submissions_count_exactly():
    poll = poll_with_questions()
    voters = CitizenFactory.create_batch(200)
    # Half stand on a census record, so the roll's second constraint is raced too.
    for voter in voters[::2]:
        CensusRecordFactory(user=voter, community=voter.residence_community)
    url = reverse("polls:vote", args=[poll.pk])
    data = {voter.pk: post_data(poll, pick=index % 2) for index, voter in enumerate(voters)}
    statuses = []
    # Waves of at most 80, because each request holds its own connection and this PostgreSQL
    # allows 100: 60 people, and 20 of those same people sending again at the same instant.
    for start in range(0, len(voters), 60):
        wave = voters[start : start + 60]
        requests = [(voter, url, data[voter.pk]) for voter in wave]
        requests += [(voter, url, data[voter.pk]) for voter in wave[:20]]
        statuses += race(requests)
    assert len(statuses) == 200 + 20 * 4
    assert all(status == 302 for status in statuses), statuses

    assert RollEntry.objects.filter(poll=poll).count() == 200
    assert RollEntry.objects.filter(poll=poll).values("user").distinct().count() == 200
    assert Ballot.objects.filter(poll=poll).count() == 200
    # Each ballot: one single choice and two multiple choices; the empty text is not stored.
    assert Answer.objects.filter(ballot__poll=poll).count() == 600
    per_ballot = Ballot.objects.filter(poll=poll).annotate(n=Count("answers"))
    assert set(per_ballot.values_list("n", flat=True)) == {3}
    single = poll.questions.first()
    first, second = single.options.all()
    assert Answer.objects.filter(option=first).count() == 100
    assert Answer.objects.filter(option=second).count() == 100
    tally = poll_tally(poll)
    assert tally["ballots"] == tally["voters"] == 200
    assert [o["votes"] for o in tally["questions"][0]["options"]] == [100, 100]


def test_same_person_online_and_at_the_booth_at_once_is_counted_once():
    poll = poll_with_questions()
    pairs = []
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    for serial in range(30):
        voter = CitizenFactory()
        CensusRecordFactory(
            user=voter, community=voter.residence_community, national_id=national_id(9000 + serial)
        )
        ballot = post_data(poll)
        pairs.append((voter, reverse("polls:vote", args=[poll.pk]), ballot))
        pairs.append(
            (
                person,
                reverse("polls:booth", args=[booth.pk]),
                {"national_id": national_id(9000 + serial), "cast": "1", **ballot},
            )
        )
    statuses = race(pairs[:60])
    assert all(status in (200, 302) for status in statuses), statuses
    assert RollEntry.objects.filter(poll=poll).count() == 30
    assert Ballot.objects.filter(poll=poll).count() == 30
