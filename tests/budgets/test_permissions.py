"""Phases from dates, and the matrix of user kinds × phases for each action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from accounts.roles import VALUATOR
from budgets.models import PhaseKind
from budgets.permissions import (
    can_ballot,
    can_confirm_booth_count,
    can_enter_paper_ballots,
    can_mark_roll,
    can_propose,
    can_serve_booth,
    can_support,
    can_valuate,
    current_phase,
    prices_public,
)
from tests.budgets.factories import (
    BudgetFactory,
    HeadingFactory,
    InvestmentFactory,
    booth_of,
    heading_in,
    phases_set,
    poll_officer,
)
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db
PHASES = [kind.value for kind in PhaseKind]


@pytest.mark.parametrize("kind", PHASES)
def test_current_phase_follows_the_dates(kind):
    budget = phases_set(BudgetFactory(), kind)
    assert current_phase(budget) == kind


def test_before_the_first_phase_there_is_none_and_after_the_last_it_is_finished():
    assert current_phase(phases_set(BudgetFactory(), None)) is None
    assert current_phase(phases_set(BudgetFactory(), "after")) == PhaseKind.FINISHED


def test_a_skipped_phase_never_runs():
    budget = phases_set(BudgetFactory(), "selecting", skip=["selecting"])
    assert current_phase(budget) is None
    assert current_phase(budget, now=timezone.now() + timedelta(days=7)) == "valuating"


def test_a_budget_without_phases_is_in_none():
    assert current_phase(BudgetFactory()) is None


def _expected(action_phase: str, kind: str) -> bool:
    return kind == action_phase


@pytest.mark.parametrize("kind", PHASES)
def test_propose_only_while_accepting_and_only_verified(kind):
    heading = heading_in(kind)
    citizen = CitizenFactory()
    assert bool(can_propose(citizen, heading)) is (kind == "accepting")
    assert not can_propose(UserFactory(), heading)
    assert not can_propose(AnonymousUser(), heading)


@pytest.mark.parametrize("kind", PHASES)
def test_support_only_while_selecting(kind):
    investment = InvestmentFactory(heading=heading_in(kind))
    assert bool(can_support(CitizenFactory(), investment)) is (kind == "selecting")
    assert not can_support(UserFactory(), investment)  # no voter class
    assert not can_support(AnonymousUser(), investment)


@pytest.mark.parametrize("kind", PHASES)
def test_ballot_only_while_balloting(kind):
    heading = heading_in(kind)
    assert bool(can_ballot(CitizenFactory(), heading)) is (kind == "balloting")
    assert not can_ballot(UserFactory(), heading)
    assert not can_ballot(AnonymousUser(), heading)


def test_a_budget_may_shut_out_voter_classes():
    heading = heading_in("balloting", voter_classes=["affected_resident"])
    decision = can_ballot(CitizenFactory(), heading)
    assert not decision
    assert "cannot take part" in decision.reason


def test_a_community_heading_is_for_that_communitys_people():
    heading = heading_in("balloting")
    heading.community = CitizenFactory().residence_community
    heading.save()
    assert not can_ballot(CitizenFactory(), heading)


@pytest.mark.parametrize("kind", PHASES)
def test_the_roll_is_marked_by_the_booths_officers_while_balloting(kind):
    heading = heading_in(kind)
    booth = booth_of(heading.group.budget)
    officer = booth.officers.get()
    assert bool(can_mark_roll(officer, booth, heading)) is (kind == "balloting")
    assert can_serve_booth(officer, booth)
    # A poll officer of another booth, a citizen named officer, someone signed out.
    for other in (poll_officer(), CitizenFactory(), AnonymousUser()):
        assert not can_mark_roll(other, booth, heading)
        assert not can_serve_booth(other, booth)
    citizen = CitizenFactory()
    booth.officers.add(citizen)  # named, but without the poll officer's permissions
    assert not can_mark_roll(citizen, booth, heading)


@pytest.mark.parametrize("kind", PHASES)
def test_paper_ballots_are_entered_after_balloting(kind):
    heading = heading_in(kind)
    booth = booth_of(heading.group.budget)
    officer = booth.officers.get()
    ended = PHASES.index(kind) > PHASES.index("balloting")
    assert bool(can_enter_paper_ballots(officer, booth, heading)) is ended
    assert not can_enter_paper_ballots(poll_officer(), booth, heading)
    # Confirmation needs ballots entered by someone else first (participation's rule).
    decision = can_confirm_booth_count(officer, booth)
    assert not decision
    if ended:
        assert "No paper ballots" in decision.reason


def test_a_heading_admits_its_budgets_classes_or_all():
    heading = heading_in("balloting", voter_classes=["affected_citizen", "concerned"])
    assert heading.admitted_classes == ["affected_citizen", "concerned"]
    from accounts.models import VoterClass
    from accounts.selectors import declarable_classes

    assert declarable_classes(heading) == [VoterClass.CONCERNED]
    everyone = heading_in("balloting")
    assert everyone.admitted_classes == list(VoterClass.values)
    assert declarable_classes(everyone) == [VoterClass.INTERESTED, VoterClass.CONCERNED]


def test_valuators_valuate_only_their_projects_and_staff_every_one():
    investment = InvestmentFactory(heading=HeadingFactory())
    valuator = UserFactory(is_staff=True)
    valuator.groups.add(Group.objects.get_or_create(name=VALUATOR)[0])
    assert not can_valuate(valuator, investment)
    investment.valuators.add(valuator)
    assert can_valuate(valuator, investment)
    assert can_valuate(UserFactory(is_superuser=True, is_staff=True), investment)
    assert not can_valuate(CitizenFactory(), investment)


@pytest.mark.parametrize("kind", PHASES)
def test_prices_are_public_from_publishing_prices_on(kind):
    budget = phases_set(BudgetFactory(), kind)
    assert prices_public(budget) is (PHASES.index(kind) >= PHASES.index("publishing_prices"))
