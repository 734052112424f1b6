"""From the moment balloting opens, a budget's rules freeze: the ballot style and limits, the
counting rule, who votes with what weight, the headings' amounts, the balloting phase, and the
projects on the ballot with their prices. The admin shows them read-only with the reason; the
models' clean() and the services refuse a change, so that a forged POST cannot pass."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms import SplitDateTimeWidget
from django.urls import reverse

from budgets.models import BudgetPhase, Feasibility, Investment, PhaseKind
from budgets.services import investment_valuate, investments_select_for_ballot
from participation.services import NotAllowed
from tests.budgets.factories import (
    HeadingFactory,
    InvestmentFactory,
    box_ballot,
    heading_in,
)
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGES = {
    "ballot_style": "approval",
    "approval_max_projects": 3,
    "points_total": 10,
    "points_max_per_project": 5,
    "ranked_length": 3,
    "min_projects": 1,
    "max_projects": 4,
    "min_spent_share": Decimal("0.5"),
    "rule": "equal_shares",
    "greedy_comparison": True,
    "voter_classes": ["affected_citizen"],
    "class_weights": {"interested": 0.5},
}


def _form_data(response) -> dict:
    """What the admin change page would post back as it stands, inlines included."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                if isinstance(field.widget, SplitDateTimeWidget):
                    date, time = field.widget.decompress(value)
                    data[form.add_prefix(name) + "_0"] = str(date)
                    data[form.add_prefix(name) + "_1"] = str(time)
                else:
                    data[form.add_prefix(name)] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = str(value)
        for form in formset.forms:
            add(form)
    return data


@pytest.mark.parametrize(("field", "value"), list(CHANGES.items()))
def test_every_rule_of_the_budget_freezes_when_balloting_opens(field, value):
    budget = heading_in("selecting").group.budget
    budget.points_total = budget.points_total or 20  # a cumulative ballot needs its points
    setattr(budget, field, value)
    budget.full_clean()  # not frozen yet
    budget = heading_in("balloting").group.budget
    setattr(budget, field, value)
    with pytest.raises(ValidationError) as refused:
        budget.full_clean()
    assert field in refused.value.message_dict
    assert "Balloting has opened" in refused.value.message_dict[field][0]
    budget.title = "ชื่อใหม่"  # what is not a rule may still change
    budget.refresh_from_db()
    budget.title = "ชื่อใหม่"
    budget.full_clean()


def test_a_budget_holding_ballots_is_frozen_without_phases():
    heading = HeadingFactory()  # an imported budget: no phases
    budget = heading.group.budget
    budget.rule = "equal_shares"
    budget.full_clean()
    box_ballot(heading, InvestmentFactory(heading=heading))
    with pytest.raises(ValidationError, match="holds ballots"):
        budget.full_clean()


def test_the_admin_shows_the_rules_read_only_and_ignores_a_forged_change(admin_client):
    heading = heading_in("balloting", ballot_style="knapsack")
    budget = heading.group.budget
    url = reverse("admin:budgets_budget_change", args=[budget.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    assert "ballot_style" not in form.fields and "class_weights" not in form.fields
    assert "Balloting has opened" in page.text
    inlines = {inline.formset.prefix: inline for inline in page.context["inline_admin_formsets"]}
    # The balloting phase sits read-only in its own inline; the editable one leaves it out.
    assert all(f.instance.kind != PhaseKind.BALLOTING for f in inlines["phases"].formset.forms)
    frozen = next(i for i in inlines.values() if "balloting phase" in str(i.opts.verbose_name))
    assert [f.instance.kind for f in frozen.formset.forms] == [PhaseKind.BALLOTING]
    data = _form_data(page)
    data.update(ballot_style="ranked", ranked_length="3", title="ชื่อใหม่")
    response = admin_client.post(url, data)
    assert response.status_code == 302, [
        (i.formset.prefix, i.formset.errors, i.formset.non_form_errors())
        for i in response.context["inline_admin_formsets"]
    ]
    budget.refresh_from_db()
    assert (budget.title, budget.ballot_style) == ("ชื่อใหม่", "knapsack")


def test_the_balloting_phase_keeps_its_start_and_its_past_end():
    heading = heading_in("balloting")
    budget = heading.group.budget
    phase = budget.phases.get(kind=PhaseKind.BALLOTING)
    start, end = phase.starts_at, phase.ends_at
    for name, value in (
        ("starts_at", start + (end - start) / 2),
        ("enabled", False),
        ("kind", PhaseKind.FINISHED),
    ):
        setattr(phase, name, value)
        with pytest.raises(ValidationError):
            phase.full_clean(validate_unique=False, validate_constraints=False)
        phase.refresh_from_db()
    # While open, the end may move (voting extended by a day).
    phase.ends_at = end + (end - start) / 7
    phase.full_clean()
    # A later phase may not be moved into balloting (it would end balloting early).
    reviewing = budget.phases.get(kind=PhaseKind.REVIEWING_BALLOTS)
    reviewing.starts_at = start + (end - start) / 2
    with pytest.raises(ValidationError, match="during balloting"):
        reviewing.full_clean()
    # Once balloting has ended, its end stays too.
    closed = heading_in("reviewing_ballots").group.budget.phases.get(kind=PhaseKind.BALLOTING)
    closed.ends_at = closed.ends_at + (closed.ends_at - closed.starts_at)
    with pytest.raises(ValidationError):
        closed.full_clean()
    # No second balloting phase for a budget that holds ballots without one.
    imported = HeadingFactory()
    box_ballot(imported, InvestmentFactory(heading=imported))
    added = BudgetPhase(
        budget=imported.group.budget, kind=PhaseKind.BALLOTING, starts_at=start, ends_at=end
    )
    with pytest.raises(ValidationError):
        added.full_clean()


def test_heading_amounts_group_limits_and_new_headings_freeze(admin_client):
    heading = heading_in("balloting")
    heading.amount = 2_000_000
    with pytest.raises(ValidationError) as refused:
        heading.full_clean()
    assert "amount" in refused.value.message_dict
    heading.refresh_from_db()
    heading.community = CommunityFactory()
    with pytest.raises(ValidationError):
        heading.full_clean()
    heading.refresh_from_db()
    heading.population = 500  # not a rule
    heading.full_clean()
    new = HeadingFactory.build(group=heading.group)
    with pytest.raises(ValidationError, match="Balloting has opened"):
        new.full_clean()
    group = heading.group
    group.max_headings_per_voter = 2
    with pytest.raises(ValidationError):
        group.full_clean()
    page = admin_client.get(reverse("admin:budgets_heading_change", args=[heading.pk]))
    assert "amount" not in page.context["adminform"].form.fields
    assert "population" in page.context["adminform"].form.fields
    page = admin_client.get(reverse("admin:budgets_budgetgroup_change", args=[group.pk]))
    assert "max_headings_per_voter" not in page.context["adminform"].form.fields


def test_the_projects_on_the_ballot_and_their_prices_freeze(admin_client):
    heading = heading_in("balloting")
    on = InvestmentFactory(heading=heading, price=100_000)
    off = InvestmentFactory(heading=heading, selected_for_ballot=False, price=50_000)
    staff = UserFactory(is_staff=True, is_superuser=True)
    # The model refuses.
    for name, value in (
        ("price", 90_000),
        ("estimated_cost", 1),
        ("feasibility", Feasibility.UNDECIDED),
        ("selected_for_ballot", False),
        ("heading", HeadingFactory(group=heading.group)),
    ):
        setattr(on, name, value)
        with pytest.raises(ValidationError):
            on.full_clean(exclude=["image"])
        on = Investment.objects.get(pk=on.pk)
    off.selected_for_ballot = True
    with pytest.raises(ValidationError):
        off.full_clean(exclude=["image"])
    added = InvestmentFactory.build(heading=heading, author=staff, selected_for_ballot=True)
    with pytest.raises(ValidationError):
        added.full_clean(exclude=["image"])
    # The services refuse.
    with pytest.raises(NotAllowed, match="Balloting has opened"):
        investments_select_for_ballot(queryset=Investment.objects.filter(pk=off.pk))
    with pytest.raises(NotAllowed, match="Balloting has opened"):
        investments_select_for_ballot(queryset=Investment.objects.filter(pk=on.pk), selected=False)
    with pytest.raises(NotAllowed, match="Balloting has opened"):
        investment_valuate(user=staff, investment=on, feasibility="feasible", price=1)
    # A project off the ballot may still be valuated; one on it may get an explanation.
    investment_valuate(user=staff, investment=off, feasibility="feasible", price=40_000)
    investment_valuate(
        user=staff, investment=on, feasibility="feasible", price=100_000, duration="2 เดือน"
    )
    # The admin shows them read-only, and its actions refuse with the reason.
    page = admin_client.get(reverse("admin:budgets_investment_change", args=[on.pk]))
    fields = page.context["adminform"].form.fields
    assert not {"price", "feasibility", "selected_for_ballot", "heading"} & set(fields)
    assert "Balloting has opened" in page.text
    response = admin_client.post(
        reverse("admin:budgets_investment_changelist"),
        {"action": "select_for_ballot", "_selected_action": [off.pk]},
        follow=True,
    )
    assert "Balloting has opened" in " ".join(str(m) for m in response.context["messages"])
    off.refresh_from_db()
    on.refresh_from_db()
    assert (off.selected_for_ballot, on.selected_for_ballot, on.price) == (False, True, 100_000)


def test_the_admin_saves_what_is_not_frozen_of_a_project_on_the_ballot(admin_client):
    heading = heading_in("balloting")
    on = InvestmentFactory(heading=heading, price=100_000, duration="")
    url = reverse("admin:budgets_investment_change", args=[on.pk])
    data = _form_data(admin_client.get(url))
    data.update(duration="6 เดือน", price="1", selected_for_ballot="")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    on.refresh_from_db()
    assert (on.duration, on.price, on.selected_for_ballot) == ("6 เดือน", 100_000, True)
