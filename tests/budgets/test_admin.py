"""The admin: budget set-up with inlines, valuation through the service, read-only ballots."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext

from accounts.roles import ADMINISTRATOR, PLANNER, VALUATOR
from budgets.models import Budget, BudgetPhase, HeadingResult, Investment
from budgets.services import heading_results_compute, investment_valuate
from tests.budgets.factories import HeadingFactory, InvestmentFactory, heading_in
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


def _in_role(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def _inline(prefix, rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


def test_an_administrator_sets_up_a_budget_with_phases_and_groups(client):
    client.force_login(_in_role(ADMINISTRATOR))
    data = {
        "title": "งบ 2570",
        "description": "",
        "fiscal_year": "2027",
        "currency": "THB",
        "source": "",
        "ballot_style": "knapsack",
        "rule": "equal_shares",
        "voter_classes": '["affected_citizen"]',
        "class_weights": "{}",
        **_inline(
            "phases",
            [
                {
                    "kind": "balloting",
                    "starts_at_0": "2027-01-01",
                    "starts_at_1": "00:00",
                    "ends_at_0": "2027-01-31",
                    "ends_at_1": "00:00",
                    "enabled": "on",
                }
            ],
        ),
        **_inline("groups", [{"title": "ตามชุมชน", "max_headings_per_voter": "1"}]),
        **_inline("booths", [{"name": "หน่วยหน้าเทศบาล", "location": "ลานจอดรถ"}]),
    }
    response = client.post(reverse("admin:budgets_budget_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    budget = Budget.objects.get(title="งบ 2570")
    assert BudgetPhase.objects.filter(budget=budget, kind="balloting").exists()
    assert budget.groups.get().title == "ตามชุมชน"
    assert budget.booths.get().name == "หน่วยหน้าเทศบาล"
    changelist = client.get(reverse("admin:budgets_budget_changelist"))
    assert "2570" in changelist.content.decode()  # fiscal year in BE
    data["voter_classes"] = '["nobody"]'
    data["title"] = "อีกงบ"
    response = client.post(reverse("admin:budgets_budget_add"), data)
    assert response.status_code == 200 and not Budget.objects.filter(title="อีกงบ").exists()


def test_valuation_in_the_admin_goes_through_the_service(client):
    valuator = _in_role(VALUATOR)
    investment = InvestmentFactory(heading=HeadingFactory(), feasibility="undecided", price=None)
    investment.valuators.add(valuator)
    client.force_login(valuator)
    url = reverse("admin:budgets_investment_change", args=[investment.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "title" not in form.fields  # staff fields are read-only to a valuator
    response = client.post(
        url,
        {
            "feasibility": "unfeasible",
            "unfeasibility_reason": "อยู่นอกเขตเทศบาล",
            "price": "",
            "duration": "",
            "valuation_explanation": "",
            "competence": "outside",
            "responsible_agency": "อบจ.ชลบุรี",
            "competence_explanation": "",
            **_inline("budgets-investmentdocument-content_type-object_id"),
            **_inline("budgets-investmentphoto-investment"),
            **_inline("participation-milestone-content_type-object_id"),
            **_inline("documents"),
            **_inline("photos"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    investment.refresh_from_db()
    assert investment.feasibility == "unfeasible"
    assert investment.responsible_agency == "อบจ.ชลบุรี"
    assert len(mail.outbox) == 1
    changelist = client.get(reverse("admin:budgets_investment_changelist"))
    assert changelist.context["cl"].result_count == 1
    assert changelist.context["action_form"] is None  # no moderation or ballot actions


def test_the_box_and_the_roll_are_read_only_and_planners_read(client):
    heading = heading_in("reviewing_ballots")
    InvestmentFactory(heading=heading)
    client.force_login(_in_role(PLANNER))
    assert client.get(reverse("admin:budgets_ballot_changelist")).status_code in (200, 403)
    assert client.get(reverse("admin:budgets_investment_changelist")).status_code == 200
    client.force_login(_in_role(ADMINISTRATOR))
    assert client.get(reverse("admin:budgets_ballot_add")).status_code == 403
    assert client.get(reverse("admin:budgets_rollentry_changelist")).status_code == 200
    assert client.get(reverse("admin:budgets_rollentry_add")).status_code == 403


def test_results_of_a_heading_without_ballots():
    heading = heading_in("reviewing_ballots")
    InvestmentFactory(heading=heading)
    result = heading_results_compute(heading=heading)
    assert result.ballots_count == 0
    assert HeadingResult.objects.count() == 1


def test_the_notification_page_shows_the_unfeasible_notice(client):
    investment = InvestmentFactory(heading=HeadingFactory(), author=CitizenFactory())

    investment_valuate(
        user=UserFactory(is_superuser=True, is_staff=True),
        investment=investment,
        feasibility="unfeasible",
        unfeasibility_reason="ซ้ำกับโครงการของจังหวัด",
    )
    client.force_login(investment.author)
    response = client.get(reverse("participation:notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{investment.get_absolute_url()}">{investment.title}</a>' in html
    # Worded as a finding on the author's project, not as an author's update.
    assert gettext("Your project was found not feasible") in html
    assert gettext("News on something you support") not in html
    assert Investment.objects.get(pk=investment.pk).unfeasible_notified_at


def _change_form_data(client, investment, **changes) -> tuple[str, dict]:
    """The admin change form of a project as it stands, with `changes` applied."""
    url = reverse("admin:budgets_investment_change", args=[investment.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and name != "image":
            data[name] = str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    data.update(
        {
            **_inline("budgets-investmentdocument-content_type-object_id"),
            **_inline("participation-milestone-content_type-object_id"),
            **_inline("documents"),
            **_inline("photos"),
        }
    )
    return url, data


@pytest.mark.parametrize(
    "fields",
    [
        {"feasibility": "unfeasible", "unfeasibility_reason": "นอกเขต", "price": ""},
        {"feasibility": "undecided", "price": ""},
    ],
)
def test_the_change_form_keeps_off_the_ballot_what_the_action_keeps_off(admin_client, fields):
    investment = InvestmentFactory(heading=HeadingFactory(), selected_for_ballot=False)
    url, data = _change_form_data(admin_client, investment, selected_for_ballot="on", **fields)
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "selected_for_ballot" in response.context["adminform"].form.errors
    investment.refresh_from_db()
    assert investment.selected_for_ballot is False
    assert investment.feasibility == "feasible"


def test_a_feasible_project_without_a_price_is_refused_in_the_form_and_nothing_is_lost(
    admin_client,
):
    investment = InvestmentFactory(
        heading=HeadingFactory(), feasibility="undecided", price=None, selected_for_ballot=False
    )
    url, data = _change_form_data(
        admin_client, investment, feasibility="feasible", price="", title="ชื่อใหม่"
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "price" in response.context["adminform"].form.errors
    assert response.context["adminform"].form["title"].value() == "ชื่อใหม่"  # kept to resend
    investment.refresh_from_db()
    assert investment.feasibility == "undecided"
    assert investment.title != "ชื่อใหม่"


def test_a_project_on_the_ballot_found_unfeasible_leaves_the_ballot(admin_client):
    investment = InvestmentFactory(heading=HeadingFactory(), selected_for_ballot=True)
    url, data = _change_form_data(
        admin_client, investment, feasibility="unfeasible", unfeasibility_reason="นอกเขต"
    )
    assert admin_client.post(url, data).status_code == 302
    investment.refresh_from_db()
    assert (investment.feasibility, investment.selected_for_ballot) == ("unfeasible", False)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ballot_style": "cumulative", "points_total": None}, "points_total"),
        ({"min_projects": 5, "max_projects": 3}, "min_projects"),
    ],
)
def test_a_budget_with_limits_that_cannot_work_is_refused(fields, field):
    from django.core.exceptions import ValidationError

    from tests.budgets.factories import BudgetFactory

    budget = BudgetFactory.build(**fields)
    with pytest.raises(ValidationError) as refused:
        budget.clean()
    assert field in refused.value.message_dict


def test_an_imported_cumulative_ballot_without_a_points_total_reads_well(client):
    heading = heading_in("balloting", ballot_style="cumulative", points_total=None)
    InvestmentFactory(heading=heading)
    client.force_login(CitizenFactory())
    page = client.get(reverse("budgets:ballot", args=[heading.pk])).content.decode()
    assert "None" not in page and "Give points to the projects you want." in page
