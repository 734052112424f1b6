"""The pages, without JavaScript: plain GETs and POST forms, messages, query counts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import PLANNER, POLL_OFFICER, VALUATOR
from budgets.models import Ballot, Feasibility, Investment
from budgets.services import heading_results_compute
from participation.models import Milestone
from tests.budgets.factories import HeadingFactory, InvestmentFactory, heading_in
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id

pytestmark = pytest.mark.django_db


def _in_role(role, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_budget_list_and_detail(client):
    heading = heading_in("balloting")
    response = client.get(reverse("budgets:list"))
    assert response.status_code == 200
    assert heading.group.budget.title in response.content.decode()
    response = client.get(heading.group.budget.get_absolute_url())
    html = response.content.decode()
    assert "2569" in html  # fiscal year 2026 shown in BE
    assert heading.title in html


def test_heading_page_filters_and_query_count(client, django_assert_max_num_queries):
    heading = heading_in("selecting")
    for n in range(12):
        InvestmentFactory(heading=heading, title=f"โครงการ {n}", feasibility="feasible")
    InvestmentFactory(
        heading=heading, title="ไม่ผ่าน", feasibility="unfeasible", unfeasibility_reason="x"
    )
    client.force_login(CitizenFactory())
    with django_assert_max_num_queries(12):
        response = client.get(reverse("budgets:heading", args=[heading.pk]))
    assert response.status_code == 200
    response = client.get(
        reverse("budgets:heading", args=[heading.pk]), {"feasibility": "unfeasible"}
    )
    assert [i.title for i in response.context["page"].object_list] == ["ไม่ผ่าน"]
    response = client.get(
        reverse("budgets:heading", args=[heading.pk]), {"order": "junk", "page": "x"}
    )
    assert response.status_code == 200


def test_propose_with_a_form(client):
    heading = heading_in("accepting")
    client.force_login(CitizenFactory())
    url = reverse("budgets:propose", args=[heading.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "ab", "description": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        url, {"title": "ทางเท้าหน้าโรงเรียน", "description": "ซ่อมทางเท้า", "estimated_cost": "250000"}
    )
    investment = Investment.objects.get(title="ทางเท้าหน้าโรงเรียน")
    assert response.status_code == 302 and response.url == investment.get_absolute_url()
    assert client.get(investment.get_absolute_url()).status_code == 200


def test_propose_refused_outside_accepting_or_unverified(client):
    heading = heading_in("balloting")
    client.force_login(CitizenFactory())
    assert client.get(reverse("budgets:propose", args=[heading.pk])).status_code == 403
    heading = heading_in("accepting")
    client.force_login(UserFactory())
    assert client.get(reverse("budgets:propose", args=[heading.pk])).status_code == 403


def test_a_valuator_values_only_assigned_projects(client):
    valuator = _in_role(VALUATOR)
    mine = InvestmentFactory(heading=HeadingFactory(), feasibility="undecided", price=None)
    other = InvestmentFactory(heading=HeadingFactory(), feasibility="undecided", price=None)
    mine.valuators.add(valuator)
    client.force_login(valuator)
    queue = client.get(reverse("budgets:valuation_queue"))
    assert list(queue.context["investments"]) == [mine]
    response = client.post(
        reverse("budgets:valuate", args=[other.pk]), {"feasibility": "feasible", "price": "5"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.feasibility == "undecided"
    response = client.post(
        reverse("budgets:valuate", args=[mine.pk]),
        {
            "feasibility": "feasible",
            "price": "120000",
            "competence": "outside",
            "responsible_agency": "",
        },
    )
    assert response.status_code == 200 and "responsible_agency" in response.context["form"].errors
    client.post(
        reverse("budgets:valuate", args=[mine.pk]),
        {
            "feasibility": "feasible",
            "price": "120000",
            "duration": "3 เดือน",
            "competence": "within",
        },
    )
    mine.refresh_from_db()
    assert (mine.feasibility, mine.price, mine.duration) == ("feasible", 120000, "3 เดือน")


def test_a_valuator_sees_only_assigned_projects_in_the_admin(client):
    valuator = _in_role(VALUATOR)
    mine = InvestmentFactory(heading=HeadingFactory())
    other = InvestmentFactory(heading=HeadingFactory())
    mine.valuators.add(valuator)
    client.force_login(valuator)
    response = client.get(reverse("admin:budgets_investment_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [mine]
    assert client.get(reverse("admin:budgets_investment_change", args=[other.pk])).status_code in (
        302,
        403,
        404,
    )
    assert client.get(reverse("admin:budgets_investment_change", args=[mine.pk])).status_code == 200


def test_support_and_withdraw(client):
    investment = InvestmentFactory(heading=heading_in("selecting"))
    client.force_login(CitizenFactory())
    response = client.post(reverse("budgets:support", args=[investment.pk]), follow=True)
    assert "support is counted" in _messages(response)
    response = client.post(reverse("budgets:support", args=[investment.pk]), follow=True)
    assert "already support" in _messages(response)
    client.post(reverse("budgets:withdraw", args=[investment.pk]))
    assert Investment.objects.get(pk=investment.pk).supports_count == 0


def test_knapsack_ballot_without_javascript(client, django_assert_max_num_queries):
    heading = heading_in("balloting")
    big = InvestmentFactory(heading=heading, title="สะพานลอย", price=800_000)
    small = InvestmentFactory(heading=heading, title="ม้านั่ง", price=300_000)
    voter = CitizenFactory()
    client.force_login(voter)
    url = reverse("budgets:ballot", args=[heading.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    response = client.post(
        reverse("budgets:ballot_add", args=[heading.pk]), {"investment": big.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert response.context["state"].money_left == 200_000
    response = client.post(
        reverse("budgets:ballot_add", args=[heading.pk]), {"investment": small.pk}, follow=True
    )
    assert "does not fit" in _messages(response)
    assert "200,000" in _messages(response)
    client.post(reverse("budgets:ballot_remove", args=[heading.pk]), {"investment": big.pk})
    client.post(reverse("budgets:ballot_add", args=[heading.pk]), {"investment": small.pk})
    ballot = Ballot.objects.get(user=voter)
    assert list(ballot.lines.values_list("investment_id", flat=True)) == [small.pk]
    for junk in ("", "abc", str(2**70), "-1"):
        response = client.post(
            reverse("budgets:ballot_add", args=[heading.pk]), {"investment": junk}
        )
        assert response.status_code == 302


def test_cumulative_ballot_points_form(client):
    heading = heading_in(
        "balloting", ballot_style="cumulative", points_total=5, points_max_per_project=3
    )
    project = InvestmentFactory(heading=heading)
    client.force_login(CitizenFactory())
    url = reverse("budgets:ballot_points", args=[heading.pk])
    response = client.post(url, {"investment": project.pk, "points": "4"}, follow=True)
    assert "at most 3 points" in _messages(response)
    response = client.post(url, {"investment": project.pk, "points": "x"}, follow=True)
    assert "whole number" in _messages(response)
    response = client.post(url, {"investment": project.pk, "points": "3"}, follow=True)
    assert response.context["state"].points_left == 2


def test_ballot_page_for_anonymous_and_closed(client):
    heading = heading_in("balloting")
    InvestmentFactory(heading=heading)
    response = client.get(reverse("budgets:ballot", args=[heading.pk]))
    assert response.status_code == 200 and not response.context["editable"]
    response = client.post(reverse("budgets:ballot_add", args=[heading.pk]), {"investment": 1})
    assert response.status_code == 302 and "login" in response.url
    assert client.get(reverse("budgets:ballot", args=[2**70])).status_code == 404


def test_booth_page_records_a_paper_ballot_and_refuses_twice(client):
    heading = heading_in("balloting")
    project = InvestmentFactory(heading=heading)
    nid = national_id(777_001)
    CensusRecordFactory(national_id=nid)
    client.force_login(_in_role(POLL_OFFICER))
    url = reverse("budgets:booth", args=[heading.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"national_id": nid, f"i{project.pk}": "on"})
    assert response.status_code == 302
    response = client.post(url, {"national_id": nid, f"i{project.pk}": "on"})
    assert "already voted at a booth" in response.content.decode()
    response = client.post(url, {"national_id": "1234", f"i{project.pk}": "on"})
    assert response.context["form"].errors["national_id"]
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 403


def test_execution_stats_and_planner_export(client):
    heading = heading_in("finished")
    heading.population = 10
    heading.save()
    won = InvestmentFactory(heading=heading, title="ไฟส่องสว่าง", objective="ความปลอดภัย")
    ballot = Ballot.objects.create(
        heading=heading, user=CitizenFactory(), voter_class="affected_citizen"
    )
    ballot.lines.create(investment=won)
    heading_results_compute(heading=heading)
    Milestone.objects.create(
        content_object=won, title="เริ่มงาน", date="2026-01-10", status="under_way", progress=40
    )
    budget = heading.group.budget
    response = client.get(reverse("budgets:execution", args=[budget.pk]))
    assert "ไฟส่องสว่าง" in response.content.decode() and "40%" in response.content.decode()
    response = client.get(reverse("budgets:stats", args=[budget.pk]))
    assert response.context["headings"][0]["share"] == pytest.approx(10.0)
    assert client.get(reverse("budgets:export", args=[budget.pk])).status_code in (302, 403)
    client.force_login(_in_role(PLANNER))
    response = client.get(reverse("budgets:export", args=[budget.pk]))
    text = response.content.decode("utf-8-sig")
    assert "ไฟส่องสว่าง" in text and "ความปลอดภัย" in text
    header, row = text.splitlines()[:2]
    assert row.split(",")[8] == "1"  # won
    detail = client.get(won.get_absolute_url())
    assert "เริ่มงาน" in detail.content.decode()


def test_unfeasible_projects_cannot_go_on_the_ballot(admin_client):
    heading = HeadingFactory()
    ok = InvestmentFactory(heading=heading, selected_for_ballot=False)
    bad = InvestmentFactory(
        heading=heading,
        selected_for_ballot=False,
        feasibility=Feasibility.UNFEASIBLE,
        unfeasibility_reason="x",
    )
    admin_client.post(
        reverse("admin:budgets_investment_changelist"),
        {"action": "select_for_ballot", "_selected_action": [ok.pk, bad.pk]},
    )
    assert set(Investment.objects.filter(selected_for_ballot=True)) == {ok}


def test_ranked_ballot_moves_with_forms(client):
    heading = heading_in("balloting", ballot_style="ranked", ranked_length=3)
    a, b = InvestmentFactory(heading=heading), InvestmentFactory(heading=heading)
    voter = CitizenFactory()
    client.force_login(voter)
    for project in (a, b):
        client.post(reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk})
    response = client.post(
        reverse("budgets:ballot_move", args=[heading.pk]),
        {"investment": b.pk, "direction": "up"},
        follow=True,
    )
    assert "ranking is saved" in _messages(response)
    lines = response.context["state"].lines
    assert [(line.investment_id, line.points) for line in lines] == [(b.pk, 3), (a.pk, 2)]


def test_the_ballot_page_names_the_heading_voted_in_and_counts_queries(
    client, django_assert_max_num_queries
):
    heading = heading_in("balloting")
    other = HeadingFactory(group=heading.group, title="ชุมชนแหลมแท่น")
    mine = InvestmentFactory(heading=other)
    for _ in range(10):
        InvestmentFactory(heading=heading)
    voter = CitizenFactory()
    client.force_login(voter)
    client.post(reverse("budgets:ballot_add", args=[other.pk]), {"investment": mine.pk})
    with django_assert_max_num_queries(13):
        response = client.get(reverse("budgets:ballot", args=[heading.pk]))
    assert "ชุมชนแหลมแท่น" in response.content.decode()
    project = response.context["investments"][0]
    response = client.post(
        reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk}, follow=True
    )
    assert "already voted in heading ชุมชนแหลมแท่น" in _messages(response)


def test_a_project_with_image_and_pdf(client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    heading = heading_in("accepting")
    client.force_login(CitizenFactory())
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    response = client.post(
        reverse("budgets:propose", args=[heading.pk]),
        {
            "title": "ศาลาริมคลอง",
            "description": "ศาลาพักผ่อน",
            "image": SimpleUploadedFile("a.png", buffer.getvalue(), "image/png"),
            "document": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", "application/pdf"),
        },
    )
    assert response.status_code == 302
    investment = Investment.objects.get(title="ศาลาริมคลอง")
    assert investment.image and investment.documents.get().title == "plan"
    response = client.post(
        reverse("budgets:propose", args=[heading.pk]),
        {
            "title": "อีกโครงการ",
            "description": "x",
            "document": SimpleUploadedFile("evil.pdf", b"MZ...", "application/pdf"),
        },
    )
    assert response.status_code == 200 and "document" in response.context["form"].errors


def test_a_project_image_description_is_saved_and_shown_as_alt(client):
    import io
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    def png():
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
        return SimpleUploadedFile("a.png", buffer.getvalue(), "image/png")

    heading = heading_in("accepting")
    client.force_login(CitizenFactory())
    url = reverse("budgets:propose", args=[heading.pk])
    form = client.get(url).content.decode()
    assert 'name="image_alt"' in form and "what the picture shows" in form
    data = {"title": "ศาลาริมคลอง", "description": "ศาลาพักผ่อน"}
    response = client.post(url, {**data, "image": png(), "image_alt": "ศาลาไม้ริมคลองแสนสุข"})
    assert response.status_code == 302
    investment = Investment.objects.get(title="ศาลาริมคลอง")
    assert investment.image_alt == "ศาลาไม้ริมคลองแสนสุข"
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<img class="investment-image" src="[^"]+" alt="ศาลาไม้ริมคลองแสนสุข">', page)

    # No description: an empty alt, the image treated as decorative.
    response = client.post(url, {"title": "ศาลาที่สอง", "description": "x", "image": png()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<img class="investment-image" src="[^"]+" alt="">', page)

    response = client.post(url, {**data, "title": "ยาวเกิน", "image": png(), "image_alt": "x" * 201})
    assert response.status_code == 200
    assert "Keep the image description to 200 characters or fewer (it has 201)." in (
        response.content.decode()
    )
    assert not Investment.objects.filter(title="ยาวเกิน").exists()


def test_execution_filters_by_status_and_stats_count_queries(client, django_assert_max_num_queries):
    heading = heading_in("finished")
    done, planned = (
        InvestmentFactory(heading=heading, price=10),
        InvestmentFactory(heading=heading, price=10),
    )
    ballot = Ballot.objects.create(heading=heading, user=CitizenFactory(), voter_class="interested")
    ballot.lines.create(investment=done)
    ballot.lines.create(investment=planned)
    heading_results_compute(heading=heading)
    Milestone.objects.create(
        content_object=done, title="ส่งมอบ", date="2026-02-01", status="done", progress=100
    )
    budget = heading.group.budget
    response = client.get(reverse("budgets:execution", args=[budget.pk]), {"status": "done"})
    titles = [i.title for g in response.context["groups"] for i in g["investments"]]
    assert titles == [done.title]
    with django_assert_max_num_queries(10):
        assert client.get(reverse("budgets:stats", args=[budget.pk])).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["detail", "execution", "stats", "heading", "ballot", "results", "booth", "investment"],
)
def test_unknown_and_overflowing_ids_are_404(client, name):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for pk in (999_999, 2**70):
        assert client.get(reverse(f"budgets:{name}", args=[pk])).status_code == 404


def test_budget_detail_query_count(client, django_assert_max_num_queries):
    heading = heading_in("balloting")
    for _ in range(5):
        HeadingFactory(group=heading.group)
    with django_assert_max_num_queries(6):
        response = client.get(heading.group.budget.get_absolute_url())
    assert response.status_code == 200


def test_an_unverified_person_says_how_the_budget_concerns_them_then_ballots(client):
    """Budgets that admit interested or concerned people take their ballots with that class;
    a budget for affected people only refuses them with the reason."""
    heading = heading_in("balloting", voter_classes=["affected_citizen", "interested"])
    project = InvestmentFactory(heading=heading, price=100_000)
    person = UserFactory()
    client.force_login(person)
    ballot_url = reverse("budgets:ballot", args=[heading.pk])
    page = client.get(ballot_url)
    declare_url = page.context["declare_url"]
    assert declare_url.startswith(reverse("budgets:declare", args=[heading.pk]))
    assert "interested or concerned" in page.text
    response = client.post(declare_url, {"voter_class": "nonsense"})
    assert response.status_code == 200 and response.context["declaration_form"].errors
    response = client.post(declare_url, {"voter_class": "interested"})
    assert response.url == ballot_url
    client.post(reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk})
    assert Ballot.objects.get(user=person).voter_class == "interested"
    assert client.get(ballot_url).context["declare_url"] is None

    concerned = UserFactory()
    client.force_login(concerned)
    client.post(declare_url, {"voter_class": "concerned"})
    response = client.post(
        reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk}, follow=True
    )
    assert "cannot take part in this budget" in _messages(response)
    assert not Ballot.objects.filter(user=concerned).exists()

    affected_only = heading_in("balloting", voter_classes=["affected_citizen"])
    page = client.get(reverse("budgets:ballot", args=[affected_only.pk]))
    assert page.context["declare_url"] is None
    assert "Only people verified" in page.text
    response = client.get(reverse("budgets:declare", args=[affected_only.pk]))
    assert response.status_code == 403


def test_a_verified_citizen_has_nothing_to_declare(client):
    heading = heading_in("balloting")
    client.force_login(CitizenFactory())
    assert client.get(reverse("budgets:ballot", args=[heading.pk])).context["declare_url"] is None
    response = client.get(
        reverse("budgets:declare", args=[heading.pk]) + "?next=https://evil.example/"
    )
    assert response.status_code == 302 and response.url == heading.get_absolute_url()


def test_results_valuation_queue_and_project_pages_count_queries(
    client, django_assert_max_num_queries
):
    heading = heading_in("finished")
    staff = UserFactory(is_superuser=True, is_staff=True)
    investments = [InvestmentFactory(heading=heading, price=10) for _ in range(12)]
    for investment in investments:
        investment.valuators.add(staff)
    for voter_class in ("affected_citizen", "interested", "concerned"):
        ballot = Ballot.objects.create(
            heading=heading, user=CitizenFactory(), voter_class=voter_class
        )
        for investment in investments:
            ballot.lines.create(investment=investment)
    heading_results_compute(heading=heading)
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("budgets:results", args=[heading.pk]))
    assert len(response.context["rows"]) == 12
    with django_assert_max_num_queries(5):
        response = client.get(reverse("budgets:valuation_queue"))
    assert len(response.context["investments"]) == 12
    with django_assert_max_num_queries(10):
        assert client.get(investments[0].get_absolute_url()).status_code == 200


def test_a_ranked_paper_ballot_with_two_equal_ranks_is_refused(client):
    heading = heading_in("balloting", ballot_style="ranked", ranked_length=3)
    a, b = InvestmentFactory(heading=heading), InvestmentFactory(heading=heading)
    nid = national_id(777_002)
    CensusRecordFactory(national_id=nid)
    client.force_login(_in_role(POLL_OFFICER))
    url = reverse("budgets:booth", args=[heading.pk])
    response = client.post(url, {"national_id": nid, f"i{a.pk}": "1", f"i{b.pk}": "1"})
    assert response.status_code == 200
    assert "different rank" in " ".join(response.context["form"].non_field_errors())
    assert not Ballot.objects.filter(heading=heading).exists()
    response = client.post(url, {"national_id": nid, f"i{a.pk}": "2", f"i{b.pk}": "1"})
    assert response.status_code == 302
    lines = Ballot.objects.get(heading=heading).lines.order_by("rank")
    assert [line.investment_id for line in lines] == [b.pk, a.pk]
