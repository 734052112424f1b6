"""The pages, without JavaScript: plain GETs and POST forms, messages, query counts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import PLANNER, VALUATOR
from budgets.models import Ballot, Envelope, Feasibility, Investment, RollEntry
from budgets.services import ballot_state, heading_results_compute
from participation.models import Milestone
from participation.secrecy import unseal
from tests.budgets.factories import (
    HeadingFactory,
    InvestmentFactory,
    booth_of,
    box_ballot,
    close,
    heading_in,
    poll_officer,
)
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id

pytestmark = pytest.mark.django_db


def _in_role(role, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _chosen(user, heading) -> list[int]:
    """The projects on the person's sealed ballot, in ballot order."""
    entry = RollEntry.objects.filter(user=user, heading=heading).first()
    return [line.investment_id for line in ballot_state(heading, entry).lines]


def _payload(user, heading) -> dict:
    entry = RollEntry.objects.get(user=user, heading=heading)
    return unseal(Envelope.objects.get(pk=entry.pk).sealed, context=f"heading:{heading.pk}")


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
    assert _chosen(voter, heading) == [small.pk]
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


def test_the_booth_marks_the_roll_by_national_id_and_refuses_twice(client):
    heading = heading_in("balloting")
    project = InvestmentFactory(heading=heading, title="ศาลาริมน้ำ")
    nid = national_id(777_001)
    CensusRecordFactory(national_id=nid)
    booth = booth_of(heading.group.budget)
    client.force_login(booth.officers.get())
    home = client.get(reverse("budgets:booth", args=[booth.pk]))
    assert home.status_code == 200 and heading.title in home.text
    url = reverse("budgets:booth_roll", args=[booth.pk, heading.pk])
    page = client.get(url)
    # The roll page asks for the person and nothing of their choice.
    assert page.status_code == 200 and project.title not in page.text
    assert 'name="national_id"' in page.text and f'name="i{project.pk}"' not in page.text
    response = client.post(url, {"national_id": nid}, follow=True)
    assert "Marked on the roll" in _messages(response)
    assert RollEntry.objects.get(heading=heading).booth == booth
    response = client.post(url, {"national_id": nid})
    assert "already voted at a booth" in response.text
    response = client.post(url, {"national_id": "1234"})
    assert response.context["form"].errors["national_id"]
    assert not Ballot.objects.exists()
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 403
    assert client.get(reverse("budgets:booth", args=[booth.pk])).status_code == 403
    client.force_login(poll_officer())  # of no booth here
    assert client.get(url).status_code == 403
    other_budget = heading_in("balloting")
    assert (
        client.get(reverse("budgets:booth_roll", args=[booth.pk, other_budget.pk])).status_code
        == 404
    )


def _marked(heading, booth, count):
    from budgets.services import booth_roll_mark

    for n in range(count):
        nid = national_id(778_000 + n)
        CensusRecordFactory(national_id=nid)
        booth_roll_mark(
            officer=booth.officers.first(), booth=booth, heading=heading, national_id=nid
        )


def test_paper_ballots_are_entered_then_a_second_officer_confirms(client):
    heading = heading_in("balloting")
    a = InvestmentFactory(heading=heading, price=100_000)
    first, second = poll_officer(), poll_officer()
    booth = booth_of(heading.group.budget, first, second)
    _marked(heading, booth, 2)
    url = reverse("budgets:booth_paper", args=[booth.pk, heading.pk])
    client.force_login(first)
    assert client.get(url).status_code == 403  # balloting still open
    heading = close(heading)
    page = client.get(url)
    assert page.status_code == 200 and "Entered: 0 of 2" in page.text
    assert 'name="national_id"' not in page.text  # no identity with a paper ballot
    for _n in range(2):
        response = client.post(url, {f"i{a.pk}": "on"}, follow=True)
        assert "The paper ballot is entered" in _messages(response)
    page = client.get(url)
    assert "Entered: 2 of 2" in page.text and f'name="i{a.pk}"' not in page.text
    response = client.post(url, {f"i{a.pk}": "on"})
    assert "All 2 people marked" in response.text
    confirm = reverse("budgets:booth_confirm", args=[booth.pk])
    response = client.post(confirm, follow=True)
    assert "another officer" in _messages(response)
    client.force_login(second)
    response = client.post(confirm, follow=True)
    assert "You confirmed the count" in _messages(response)
    assert "Confirmed by a second officer" in response.text
    booth.refresh_from_db()
    assert booth.count_confirmed_by == second


def test_execution_stats_and_planner_export(client):
    heading = heading_in("finished")
    heading.population = 10
    heading.save()
    won = InvestmentFactory(heading=heading, title="ไฟส่องสว่าง", objective="ความปลอดภัย")
    box_ballot(heading, won, voter_class="affected_citizen")
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
    box_ballot(heading, done, planned, voter_class="interested")
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
    assert _payload(person, heading)["class"] == "interested"
    assert client.get(ballot_url).context["declare_url"] is None

    # The form does not offer a class the budget does not admit, so nobody declares one
    # that would count for nothing.
    concerned = UserFactory()
    client.force_login(concerned)
    response = client.post(declare_url, {"voter_class": "concerned"})
    assert response.status_code == 200 and response.context["declaration_form"].errors
    response = client.post(
        reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk}, follow=True
    )
    assert "Tell us first how this budget concerns you" in _messages(response)
    assert not RollEntry.objects.filter(user=concerned).exists()

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
        box_ballot(heading, *investments, voter_class=voter_class)
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
    booth = booth_of(heading.group.budget)
    _marked(heading, booth, 1)
    heading = close(heading)
    client.force_login(booth.officers.get())
    url = reverse("budgets:booth_paper", args=[booth.pk, heading.pk])
    response = client.post(url, {f"i{a.pk}": "1", f"i{b.pk}": "1"})
    assert response.status_code == 200
    assert "different rank" in " ".join(response.context["form"].non_field_errors())
    assert not Ballot.objects.filter(heading=heading).exists()
    response = client.post(url, {f"i{a.pk}": "2", f"i{b.pk}": "1"})
    assert response.status_code == 302
    lines = Ballot.objects.get(heading=heading).lines.order_by("rank")
    assert [(line.investment_id, line.points) for line in lines] == [(b.pk, 3), (a.pk, 2)]


def test_after_the_close_the_ballot_is_in_the_box_even_for_its_voter(client):
    heading = heading_in("balloting")
    project = InvestmentFactory(heading=heading, title="สวนหย่อมริมคลอง")
    voter = CitizenFactory()
    client.force_login(voter)
    client.post(reverse("budgets:ballot_add", args=[heading.pk]), {"investment": project.pk})
    url = reverse("budgets:ballot", args=[heading.pk])
    page = client.get(url)
    assert [line.investment_id for line in page.context["state"].lines] == [project.pk]
    close(heading)
    page = client.get(url)
    assert page.context["in_box"] and page.context["state"].lines == []
    assert "can no longer be shown to anyone, not even to you" in page.text
    assert 'class="ballot-lines"' not in page.text and "On your ballot" not in page.text


def test_stats_count_people_on_the_roll_not_ballots(client, django_assert_max_num_queries):
    """A person who voted in two headings is one voter of the budget and of their community,
    and a community's share of its house register is never above 100%."""
    from budgets.services import ballot_line_add, booth_roll_mark

    heading = heading_in("balloting")
    budget = heading.group.budget
    city = HeadingFactory(group=HeadingFactory(group__budget=budget).group, population=4)
    one, two = InvestmentFactory(heading=heading), InvestmentFactory(heading=city)
    community = CitizenFactory().residence_community
    records = []
    for _n in range(2):
        voter = CitizenFactory(residence_community=community)
        records.append(CensusRecordFactory(user=voter, community=community))
        for h, project in ((heading, one), (city, two)):
            ballot_line_add(user=voter, heading=h, investment_id=project.pk)
    booth = booth_of(budget)
    nid = national_id(779_001)
    CensusRecordFactory(national_id=nid, community=community)
    for h in (heading, city):
        booth_roll_mark(officer=booth.officers.get(), booth=booth, heading=h, national_id=nid)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("budgets:stats", args=[budget.pk]))
    assert response.context["voters"] == 3
    rows = {row["heading"].pk: row for row in response.context["headings"]}
    assert rows[city.pk]["total"] == 3 and rows[city.pk]["share"] == pytest.approx(75.0)
    (row,) = response.context["communities"]
    # Three people of the community (six roll entries), all three in its register of three.
    assert row["count"] == 3 and row["share"] == pytest.approx(100.0)


def test_execution_shows_the_latest_started_milestone_not_the_largest(client):
    heading = heading_in("finished")
    project = InvestmentFactory(heading=heading, title="ทางเท้าใหม่")
    box_ballot(heading, project)
    heading_results_compute(heading=heading)
    for date, status, progress in (
        ("2026-01-10", "done", 100),
        ("2026-03-10", "under_way", 60),
        ("2026-05-10", "planned", 0),
    ):
        Milestone.objects.create(
            content_object=project, title=date, date=date, status=status, progress=progress
        )
    response = client.get(reverse("budgets:execution", args=[heading.group.budget.pk]))
    (shown,) = [i for group in response.context["groups"] for i in group["investments"]]
    assert shown.progress == 60
    assert "60% done" in response.text and "100% done" not in response.text


def test_the_declare_form_offers_only_the_classes_the_budget_admits(client):
    heading = heading_in("balloting", voter_classes=["affected_citizen", "concerned"])
    client.force_login(UserFactory())
    page = client.get(reverse("budgets:declare", args=[heading.pk]))
    field = page.context["declaration_form"]["voter_class"]
    assert [value for value, _label in field.field.choices] == ["concerned"]
