"""Budgets test data: a budget whose phases put it in any phase now."""

from datetime import timedelta

import factory
from django.utils import timezone

from budgets.models import (
    Budget,
    BudgetGroup,
    BudgetPhase,
    Feasibility,
    Heading,
    Investment,
    PhaseKind,
)
from tests.factories import CommunityFactory, UserFactory  # noqa: F401


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    title = factory.Sequence(lambda n: f"งบประมาณแบบมีส่วนร่วม {n}")
    fiscal_year = 2026


class BudgetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetGroup

    budget = factory.SubFactory(BudgetFactory)
    title = factory.Sequence(lambda n: f"Group {n}")


class HeadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heading

    group = factory.SubFactory(BudgetGroupFactory)
    title = factory.Sequence(lambda n: f"Heading {n}")
    amount = 1_000_000


class InvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investment

    heading = factory.SubFactory(HeadingFactory)
    title = factory.Sequence(lambda n: f"Project number {n}")
    description = "<p>ปรับปรุงลานกีฬา</p>"
    author = factory.SubFactory(UserFactory)
    estimated_cost = 100_000
    price = 100_000
    feasibility = Feasibility.FEASIBLE
    selected_for_ballot = True


def phases_set(budget: Budget, now_in: str | None, *, skip=(), now=None) -> Budget:
    """Give the budget all nine phases, a week each, so that `now_in` runs now.

    now_in=None puts every phase in the future; "after" puts them all in the past.
    Phases in `skip` are created disabled.
    """
    now = now or timezone.now()
    kinds = list(PhaseKind)
    if now_in == "after":
        index = len(kinds) + 1
    elif now_in is None:
        index = -1
    else:
        index = kinds.index(PhaseKind(now_in))
    start = now - timedelta(days=7 * index) - timedelta(days=3)
    budget.phases.all().delete()
    for i, kind in enumerate(kinds):
        BudgetPhase.objects.create(
            budget=budget,
            kind=kind,
            starts_at=start + timedelta(days=7 * i),
            ends_at=start + timedelta(days=7 * (i + 1)),
            enabled=kind not in skip,
        )
    return budget


def heading_in(phase: str | None, **budget_fields) -> Heading:
    """A heading of a fresh budget in that phase now."""
    budget = BudgetFactory(**budget_fields)
    phases_set(budget, phase)
    return HeadingFactory(group=BudgetGroupFactory(budget=budget))


def poll_officer(**fields):
    """A staff member in the poll officer role (marks the roll, enters paper ballots)."""
    from django.contrib.auth.models import Group

    from accounts.roles import POLL_OFFICER

    officer = UserFactory(is_staff=True, **fields)
    officer.groups.add(Group.objects.get_or_create(name=POLL_OFFICER)[0])
    return officer


def booth_of(budget: Budget, *officers, name: str = "หน่วยลงคะแนนหน้าเทศบาล"):
    """A booth of the budget served by these officers (one new poll officer if none given)."""
    from budgets.models import Booth

    booth = Booth.objects.create(budget=budget, name=name)
    booth.officers.add(*(officers or [poll_officer()]))
    return booth


def box_ballot(heading: Heading, *investments, **fields):
    """A ballot put straight into the heading's box (as the close, a booth or an import does),
    for tests of what is counted from the box."""
    from budgets.models import Ballot, BallotLine, Channel

    fields.setdefault("channel", Channel.IMPORTED)
    ballot = Ballot.objects.create(heading=heading, **fields)
    BallotLine.objects.bulk_create(BallotLine(ballot=ballot, investment=i) for i in investments)
    return ballot


def close(heading: Heading) -> Heading:
    """Move the heading's budget on to reviewing ballots: balloting has ended."""
    phases_set(heading.group.budget, "reviewing_ballots")
    return Heading.objects.select_related("group__budget").get(pk=heading.pk)
