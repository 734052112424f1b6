"""Concurrent ballot edits by one person, and ballots by many, end consistent (PostgreSQL)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import POLL_OFFICER
from budgets.models import Ballot, BallotLine
from tests.budgets.factories import HeadingFactory, InvestmentFactory, heading_in
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_person_adding_many_projects_at_once_never_overspends():
    heading = heading_in("balloting")  # 1,000,000
    projects = [InvestmentFactory(heading=heading, price=300_000) for _ in range(8)]
    voter = CitizenFactory()
    url = reverse("budgets:ballot_add", args=[heading.pk])
    statuses = race([(voter, url, {"investment": p.pk}) for p in projects] * 3)
    assert all(status == 302 for status in statuses)
    ballot = Ballot.objects.get(user=voter, heading=heading)
    lines = list(ballot.lines.select_related("investment"))
    assert len(lines) == 3  # only three of 300,000 fit in 1,000,000
    assert sum(line.investment.price for line in lines) <= heading.amount
    assert Ballot.objects.filter(user=voter).count() == 1


def test_one_person_in_two_headings_of_a_group_at_once_gets_one():
    heading = heading_in("balloting")
    other = HeadingFactory(group=heading.group)
    a = InvestmentFactory(heading=heading, price=10)
    b = InvestmentFactory(heading=other, price=10)
    voter = CitizenFactory()
    requests = [
        (voter, reverse("budgets:ballot_add", args=[heading.pk]), {"investment": a.pk}),
        (voter, reverse("budgets:ballot_add", args=[other.pk]), {"investment": b.pk}),
    ] * 10
    assert all(status == 302 for status in race(requests))
    assert Ballot.objects.filter(user=voter).count() == 1


def test_many_voters_at_once_each_get_one_ballot():
    heading = heading_in("balloting")
    a = InvestmentFactory(heading=heading, price=100)
    b = InvestmentFactory(heading=heading, price=100)
    voters = CitizenFactory.create_batch(60)
    add = reverse("budgets:ballot_add", args=[heading.pk])
    first = [(v, add, {"investment": a.pk}) for v in voters]
    second = [(v, add, {"investment": b.pk}) for v in voters] + [
        (v, add, {"investment": a.pk}) for v in voters[:20]
    ]
    statuses = race(first) + race(second)
    assert all(status == 302 for status in statuses)
    assert Ballot.objects.filter(heading=heading).count() == 60
    assert BallotLine.objects.filter(ballot__heading=heading).count() == 120


def test_booth_and_online_at_once_leave_one_ballot():
    heading = heading_in("balloting")
    a = InvestmentFactory(heading=heading, price=100)
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name=POLL_OFFICER))
    pairs = []
    for n in range(20):
        voter = CitizenFactory()
        nid = national_id(880_000 + n)
        CensusRecordFactory(national_id=nid, user=voter)
        pairs.append((voter, nid))
    requests = []
    for voter, nid in pairs:
        requests.append(
            (voter, reverse("budgets:ballot_add", args=[heading.pk]), {"investment": a.pk})
        )
        requests.append(
            (
                officer,
                reverse("budgets:booth", args=[heading.pk]),
                {"national_id": nid, f"i{a.pk}": "on"},
            )
        )
    statuses = race(requests)
    assert 500 not in statuses
    for voter, _nid in pairs:
        assert Ballot.objects.filter(heading=heading, census_record__user=voter).count() == 1
    assert Ballot.objects.filter(heading=heading).count() == 20
