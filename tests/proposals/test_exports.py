"""The development-plan CSV: Excel-safe, Thai-safe, per-class supports, and the planner page."""

import csv
import io
from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import VoterClass
from participation.exports import be_date, csv_cell, csv_response, iso_date
from proposals.exports import proposal_export_header, proposal_export_rows
from proposals.models import Proposal
from tests.factories import (
    CommunityFactory,
    ProposalFactory,
    ResidentFactory,
    StrategicIssueFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PLANNER_PAGE = "/en/planner/proposals/"
BOM = "\ufeff".encode()


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def by_header(table: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = table
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_response_is_utf8_with_a_bom_and_an_attachment():
    response = csv_response(
        filename="export.csv", header=["ชื่อ", "วันที่"], rows=[["ทางเดินริมคลอง", None]]
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert response.content.startswith(BOM)
    assert read_csv(response) == [["ชื่อ", "วันที่"], ["ทางเดินริมคลอง", ""]]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_injection_is_made_inert(text):
    response = csv_response(filename="x.csv", header=["a"], rows=[[text]])
    assert read_csv(response)[1] == ["'" + text]


def test_numbers_and_plain_text_are_left_alone():
    assert csv_cell(-3) == -3
    assert csv_cell("ทาง-เดิน") == "ทาง-เดิน"
    assert csv_cell(True) == "1"


def test_dates_are_iso_and_buddhist_era():
    moment = timezone.make_aware(datetime(2026, 3, 5, 23, 30))
    assert iso_date(moment) == "2026-03-05"
    assert be_date(moment) == "05/03/2569"
    assert iso_date(None) == be_date(None) == ""


def test_proposal_rows_carry_thai_and_supports_per_class():
    community = CommunityFactory(name_th="ชุมชนบ้านเก่า", name_en="")
    issue = StrategicIssueFactory(title_th="น้ำท่วม", title_en="")
    proposal = ProposalFactory(
        title="=ทางเดินริมคลอง",
        summary="ทางเดินริมคลองสำหรับทุกคน",
        community=community,
        strategic_issue=issue,
        competence="outside",
        responsible_agency="กรมเจ้าท่า",
        successful_at=timezone.now(),
        outcome=Proposal.Outcome.DEVELOPMENT_PLAN,
    )
    other = ProposalFactory()
    for _n in range(3):
        SupportFactory(proposal=proposal, voter_class=VoterClass.AFFECTED_CITIZEN)
    SupportFactory(proposal=proposal, voter_class=VoterClass.AFFECTED_RESIDENT)
    SupportFactory(proposal=other, voter_class=VoterClass.INTERESTED)

    with translation.override("en"):
        response = csv_response(
            filename="p.csv",
            header=proposal_export_header(),
            rows=proposal_export_rows(Proposal.objects.filter(pk__in=[proposal.pk, other.pk])),
        )
    rows = {row["Reference"]: row for row in by_header(read_csv(response))}
    row = rows[proposal.reference]
    assert row["Title"] == "'=ทางเดินริมคลอง"
    assert row["Strategic issue"] == "น้ำท่วม" and row["Community"] == "ชุมชนบ้านเก่า"
    assert row["Summary"] == "ทางเดินริมคลองสำหรับทุกคน"
    assert row["Supports, total"] == "4"
    assert row["Supports: Affected: citizen"] == "3"
    assert row["Supports: Affected: resident"] == "1"
    assert row["Supports: Interested"] == "0" and row["Supports: Concerned"] == "0"
    assert row["Municipal authority"] == "Outside municipal authority"
    assert row["Responsible agency"] == "กรมเจ้าท่า"
    assert row["Status"] == "Published" and row["Successful"] == "yes"
    assert row["Archived"] == "no"
    assert row["What the municipality did"] == "Forwarded to the local development plan"
    today = timezone.localdate()
    assert row["Published on"] == today.isoformat()
    assert row["Published on (Buddhist Era)"].endswith(str(today.year + 543))
    assert row["Successful on"] == today.isoformat()
    other_row = rows[other.reference]
    assert other_row["Supports, total"] == "1" and other_row["Supports: Interested"] == "1"
    assert other_row["Municipal authority"] == "Not yet screened"
    assert other_row["Successful"] == "no" and other_row["Successful on"] == ""


def _export_queries(count: int) -> int:
    Proposal.objects.all().delete()
    for _n in range(count):
        proposal = ProposalFactory(
            community=CommunityFactory(), strategic_issue=StrategicIssueFactory()
        )
        SupportFactory(proposal=proposal)
    with CaptureQueriesContext(connection) as queries:
        rows = list(proposal_export_rows(Proposal.objects.all()))
    assert len(rows) == count
    return len(queries)


def test_export_query_count_does_not_grow_with_the_proposals():
    assert _export_queries(3) == _export_queries(30) <= 2


# --- The planner page ------------------------------------------------------------------------


def test_the_planner_page_refuses_a_resident_and_a_poll_officer(client):
    assert client.get(PLANNER_PAGE).status_code == 302  # anonymous: to the login page
    client.force_login(ResidentFactory())
    assert client.get(PLANNER_PAGE).status_code == 403
    assert client.get(PLANNER_PAGE, {"format": "csv"}).status_code == 403
    client.force_login(staff("poll officer"))
    assert client.get(PLANNER_PAGE, {"format": "csv"}).status_code == 403


def test_the_planner_page_shows_the_form(client):
    client.force_login(staff("planner"))
    response = client.get(PLANNER_PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Download CSV" in page and 'name="strategic_issue"' in page


def test_the_planner_downloads_published_proposals_only(client):
    client.force_login(staff("planner"))
    community = CommunityFactory()
    published = ProposalFactory(title="ไฟส่องสว่างซอย 5", community=community)
    ProposalFactory(community=community, status="draft", reference=None, published_at=None)
    ProposalFactory(community=community, hidden_at=timezone.now())
    ProposalFactory()  # another community
    response = client.get(PLANNER_PAGE, {"format": "csv", "community": community.pk})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = by_header(read_csv(response))
    assert [row["Reference"] for row in rows] == [published.reference]
    assert rows[0]["Title"] == "ไฟส่องสว่างซอย 5"


def test_the_planner_filters_successful_and_unscreened(client):
    client.force_login(staff("planner"))
    successful = ProposalFactory(successful_at=timezone.now())
    ProposalFactory(successful_at=timezone.now(), competence="within")
    ProposalFactory()
    response = client.get(
        PLANNER_PAGE, {"format": "csv", "successful_only": "on", "competence": "unscreened"}
    )
    assert [row["Reference"] for row in by_header(read_csv(response))] == [successful.reference]


def test_the_planner_page_is_for_planners_and_administrators_not_moderators(client):
    client.force_login(staff("moderator"))
    assert client.get(PLANNER_PAGE).status_code == 403
    client.force_login(staff("administrator"))
    assert client.get(PLANNER_PAGE).status_code == 200
