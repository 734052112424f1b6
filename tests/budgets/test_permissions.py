"""Phases from dates, and the matrix of user kinds × phases for each action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from accounts.roles import POLL_OFFICER, VALUATOR
from budgets.models import PhaseKind
from budgets.permissions import (
    can_ballot,
    can_propose,
    can_record_booth_ballot,
    can_support,
    can_valuate,
    current_phase,
    prices_public,
)
from tests.budgets.factories import (
    BudgetFactory,
    HeadingFactory,
    InvestmentFactory,
    heading_in,
    phases_set,
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
def test_booth_only_for_poll_officers_while_balloting(kind):
    heading = heading_in(kind)
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name=POLL_OFFICER)[0])
    assert bool(can_record_booth_ballot(officer, heading)) is (kind == "balloting")
    assert not can_record_booth_ballot(CitizenFactory(), heading)


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
