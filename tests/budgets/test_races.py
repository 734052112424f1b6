"""Concurrent ballot edits, booth marks, paper entries and the close end consistent (PostgreSQL)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import Ballot, BallotLine, BudgetPhase, Envelope, RollEntry
from budgets.services import ballot_line_add, ballot_state, heading_results_compute
from participation.services import NotAllowed
from tests.budgets.factories import (
    HeadingFactory,
    InvestmentFactory,
    booth_of,
    close,
    heading_in,
    poll_officer,
)
from tests.factories import CensusRecordFactory, CitizenFactory, national_id
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _lines(voter, heading):
    entry = RollEntry.objects.filter(heading=heading, user=voter).first()
    return ballot_state(heading, entry).lines


def test_one_person_adding_many_projects_at_once_never_overspends():
    heading = heading_in("balloting")  # 1,000,000
    projects = [InvestmentFactory(heading=heading, price=300_000) for _ in range(8)]
    voter = CitizenFactory()
    url = reverse("budgets:ballot_add", args=[heading.pk])
    statuses = race([(voter, url, {"investment": p.pk}) for p in projects] * 3)
    assert all(status == 302 for status in statuses)
    lines = _lines(voter, heading)
    assert len(lines) == 3  # only three of 300,000 fit in 1,000,000
    assert sum(line.investment.price for line in lines) <= heading.amount
    assert RollEntry.objects.filter(user=voter).count() == 1
    assert Envelope.objects.count() == 1


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
    assert RollEntry.objects.filter(user=voter).count() == 1


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
    assert RollEntry.objects.filter(heading=heading).count() == 60
    heading_results_compute(heading=close(heading))
    assert Ballot.objects.filter(heading=heading).count() == 60
    assert BallotLine.objects.filter(ballot__heading=heading).count() == 120


def test_online_first_line_and_booth_marking_of_one_person_at_once_leave_one_entry():
    heading = heading_in("balloting")
    a = InvestmentFactory(heading=heading, price=100)
    booth = booth_of(heading.group.budget)
    officer = booth.officers.get()
    pairs = []
    for n in range(20):
        voter = CitizenFactory()
        nid = national_id(880_000 + n)
        CensusRecordFactory(national_id=nid, user=voter)
        pairs.append((voter, nid))
    requests = []
    roll_url = reverse("budgets:booth_roll", args=[booth.pk, heading.pk])
    for voter, nid in pairs:
        requests.append(
            (voter, reverse("budgets:ballot_add", args=[heading.pk]), {"investment": a.pk})
        )
        requests.append((officer, roll_url, {"national_id": nid}))
    statuses = race(requests)
    assert 500 not in statuses
    for voter, _nid in pairs:
        entries = RollEntry.objects.filter(heading=heading, census_record__user=voter)
        assert entries.count() == 1
        # An online entry has its envelope; a booth entry has none.
        assert Envelope.objects.filter(roll_entry__in=entries).exists() == (
            entries.get().channel == "online"
        )
    assert RollEntry.objects.filter(heading=heading).count() == 20


def test_two_officers_entering_paper_ballots_at_once_never_exceed_the_roll():
    heading = heading_in("balloting")
    a = InvestmentFactory(heading=heading, price=100)
    first, second = poll_officer(), poll_officer()
    booth = booth_of(heading.group.budget, first, second)
    from budgets.services import booth_roll_mark

    for n in range(5):
        nid = national_id(881_000 + n)
        CensusRecordFactory(national_id=nid)
        booth_roll_mark(officer=first, booth=booth, heading=heading, national_id=nid)
    heading = close(heading)
    url = reverse("budgets:booth_paper", args=[booth.pk, heading.pk])
    statuses = race([(officer, url, {f"i{a.pk}": "on"}) for officer in (first, second)] * 8)
    assert 500 not in statuses
    assert statuses.count(302) == 5
    assert Ballot.objects.filter(heading=heading, booth=booth).count() == 5


def test_ballot_edits_racing_the_count_at_the_close_are_in_the_box_or_refused():
    """Voters keep changing their ballots as balloting closes while the count starts at the
    close: every edit either commits before the count opens the envelopes, or sees balloting
    closed. No envelope is left behind and the box holds one ballot per person on the roll,
    each as its voter last left it."""
    heading = heading_in("balloting", ballot_style="approval")
    projects = [InvestmentFactory(heading=heading, price=10) for _ in range(6)]
    voters = CitizenFactory.create_batch(12)
    closes_at = timezone.now() + timedelta(seconds=2)
    BudgetPhase.objects.filter(budget=heading.group.budget, kind="balloting").update(
        ends_at=closes_at
    )
    BudgetPhase.objects.filter(budget=heading.group.budget, kind="reviewing_ballots").update(
        starts_at=closes_at
    )
    last: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(voters) + 1)

    def vote(voter):
        # Each thread speaks English itself: the test's override does not reach it.
        translation.activate("en")
        try:
            barrier.wait()
            n = 0
            while True:
                project = projects[n % len(projects)]
                try:
                    state = ballot_line_add(user=voter, heading=heading, investment_id=project.pk)
                except NotAllowed as refused:
                    if "not open" in refused.reason:
                        return
                    from budgets.services import ballot_line_remove

                    try:
                        state = ballot_line_remove(
                            user=voter, heading=heading, investment_id=project.pk
                        )
                    except NotAllowed as closed:
                        assert "not open" in closed.reason
                        return
                last[voter.pk] = sorted(line.investment_id for line in state.lines)
                n += 1
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def count():
        try:
            barrier.wait()
            time.sleep(max(0.0, (closes_at - timezone.now()).total_seconds()))
            heading_results_compute(heading=heading)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(v,)) for v in voters]
    threads.append(threading.Thread(target=count))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert not Envelope.objects.exists()
    on_roll = RollEntry.objects.filter(heading=heading).count()
    assert on_roll == len([v for v in voters if last.get(v.pk)])
    box = Ballot.objects.filter(heading=heading).prefetch_related("lines")
    assert box.count() == on_roll
    assert sorted(sorted(line.investment_id for line in b.lines.all()) for b in box) == sorted(
        lines for lines in last.values() if lines
    )
