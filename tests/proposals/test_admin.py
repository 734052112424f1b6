"""The proposal admin: competence screening, the staff queues, the CSV action, supports."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from proposals.models import Proposal
from tests.factories import ProposalFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db

PROPOSALS = "/en/admin/proposals/proposal/"
SUPPORTS = "/en/admin/proposals/support/"


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def moderator_client(client):
    client.force_login(staff("moderator"))
    return client


def listed(client, **params) -> list:
    response = client.get(PROPOSALS, {"moderation": "all", **params})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def change_form_data(proposal: Proposal, **changes) -> dict:
    data = {
        "image_alt": proposal.image_alt,
        "community": proposal.community_id or "",
        "strategic_issue": proposal.strategic_issue_id or "",
        "tags": "",
        "competence": proposal.competence,
        "responsible_agency": proposal.responsible_agency,
        "competence_explanation": proposal.competence_explanation,
        "outcome": proposal.outcome,
        "outcome_note": proposal.outcome_note,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_screening_outside_without_an_agency_is_a_form_error_and_saves_nothing(
    moderator_client,
):
    proposal = ProposalFactory()
    response = moderator_client.post(
        f"{PROPOSALS}{proposal.pk}/change/",
        change_form_data(proposal, competence="outside", outcome="answered"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["responsible_agency"] == [
        "Name the agency responsible when the municipality is not."
    ]
    proposal.refresh_from_db()
    assert proposal.competence == "" and proposal.competence_screened_at is None
    assert proposal.outcome == ""


def test_a_valid_screening_goes_through_the_service(moderator_client):
    proposal = ProposalFactory(flags_count=2)
    response = moderator_client.post(
        f"{PROPOSALS}{proposal.pk}/change/",
        change_form_data(
            proposal,
            competence="partly",
            responsible_agency="  จังหวัดชลบุรี ",
            competence_explanation="ถนนสายนี้เป็นของจังหวัด",
            outcome="answered",
            outcome_note="ส่งเรื่องให้จังหวัดแล้ว",
        ),
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.competence == "partly"
    assert proposal.responsible_agency == "จังหวัดชลบุรี"
    assert proposal.competence_explanation == "ถนนสายนี้เป็นของจังหวัด"
    assert proposal.competence_screened_at is not None
    assert proposal.outcome == "answered" and proposal.outcome_note == "ส่งเรื่องให้จังหวัดแล้ว"
    assert proposal.flags_count == 2


def test_within_needs_no_agency_and_the_outcome_alone_leaves_screening_alone(moderator_client):
    proposal = ProposalFactory()
    url = f"{PROPOSALS}{proposal.pk}/change/"
    assert (
        moderator_client.post(url, change_form_data(proposal, competence="within")).status_code
        == 302
    )
    proposal.refresh_from_db()
    screened_at = proposal.competence_screened_at
    assert proposal.competence == "within" and screened_at is not None
    assert moderator_client.post(url, change_form_data(proposal, outcome="poll")).status_code == 302
    proposal.refresh_from_db()
    assert proposal.outcome == "poll" and proposal.competence_screened_at == screened_at


def test_unscreening_or_screening_a_draft_is_refused(moderator_client):
    screened = ProposalFactory(competence="within", competence_screened_at=timezone.now())
    response = moderator_client.post(
        f"{PROPOSALS}{screened.pk}/change/", change_form_data(screened, competence="")
    )
    assert response.status_code == 200 and "competence" in response.context["adminform"].form.errors
    draft = ProposalFactory(status="draft", reference=None, published_at=None)
    response = moderator_client.post(
        f"{PROPOSALS}{draft.pk}/change/", change_form_data(draft, competence="within")
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.competence == ""


def test_the_authors_text_is_read_only(moderator_client):
    proposal = ProposalFactory(title="ทางเดินริมคลอง")
    moderator_client.post(
        f"{PROPOSALS}{proposal.pk}/change/", change_form_data(proposal, title="แก้แล้ว")
    )
    proposal.refresh_from_db()
    assert proposal.title == "ทางเดินริมคลอง"


def test_staff_describe_an_image_its_author_left_undescribed(moderator_client):
    proposal = ProposalFactory()
    moderator_client.post(
        f"{PROPOSALS}{proposal.pk}/change/",
        change_form_data(proposal, image_alt="ภาพถ่ายทางเดินริมคลองที่น้ำท่วมขัง"),
    )
    proposal.refresh_from_db()
    assert proposal.image_alt == "ภาพถ่ายทางเดินริมคลองที่น้ำท่วมขัง"


def test_the_queues_and_filters(moderator_client):
    to_screen = ProposalFactory()
    screened = ProposalFactory(
        competence="outside",
        responsible_agency="กรมทางหลวง",
        competence_screened_at=timezone.now(),
        successful_at=timezone.now(),
    )
    answered = ProposalFactory(
        competence="within", successful_at=timezone.now(), outcome="answered"
    )
    draft = ProposalFactory(status="draft", reference=None, published_at=None)

    assert listed(moderator_client, queue="screening") == [to_screen]
    assert listed(moderator_client, queue="outcome") == [screened]
    assert set(listed(moderator_client, competence="unscreened")) == {to_screen, draft}
    assert listed(moderator_client, competence="outside") == [screened]
    assert set(listed(moderator_client, successful="yes")) == {screened, answered}
    assert set(listed(moderator_client, successful="no")) == {to_screen, draft}
    assert listed(moderator_client, outcome="answered") == [answered]
    assert set(listed(moderator_client, outcome="pending")) == {to_screen, screened, draft}
    assert listed(moderator_client, status__exact="draft") == [draft]
    assert listed(moderator_client, q=to_screen.reference) == [to_screen]
    page = moderator_client.get(PROPOSALS, {"moderation": "all"}).content.decode()
    assert "queue=screening" in page and "Screening queue" in page


def test_the_export_action_returns_the_csv(moderator_client):
    first, second = ProposalFactory(title="ถนนซอย 1"), ProposalFactory()
    ProposalFactory()
    SupportFactory(proposal=first)
    response = moderator_client.post(
        f"{PROPOSALS}?moderation=all",
        {"action": "export_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {row[0] for row in rows[1:]} == {first.reference, second.reference}
    assert "ถนนซอย 1" in {row[1] for row in rows[1:]}


def test_supports_are_read_only_and_anonymous_to_staff(client):
    support = SupportFactory()
    client.force_login(staff("planner"))
    page = client.get(SUPPORTS).content.decode()
    assert support.proposal.reference in page
    assert support.user.email not in page
    detail = client.get(f"{SUPPORTS}{support.pk}/change/").content.decode()
    assert support.user.email not in detail
    assert client.post(f"{SUPPORTS}{support.pk}/delete/").status_code == 403


def test_a_poll_officer_sees_no_proposals(client):
    client.force_login(staff("poll officer"))
    assert client.get(PROPOSALS, {"moderation": "all"}).status_code == 403


def test_the_change_form_and_history_render(moderator_client):
    proposal = ProposalFactory(title="ทางเดินริมคลอง")
    page = moderator_client.get(f"{PROPOSALS}{proposal.pk}/change/")
    assert page.status_code == 200 and "ทางเดินริมคลอง" in page.content.decode()
    assert moderator_client.get(f"{PROPOSALS}{proposal.pk}/history/").status_code == 200


def test_a_planner_views_and_exports_but_does_not_screen(client):
    proposal = ProposalFactory()
    client.force_login(staff("planner"))
    response = client.post(
        f"{PROPOSALS}?moderation=all",
        {"action": "export_csv", "_selected_action": [proposal.pk]},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    client.post(
        f"{PROPOSALS}{proposal.pk}/change/", change_form_data(proposal, competence="within")
    )
    proposal.refresh_from_db()
    assert proposal.competence == ""


def test_a_superuser_sees_who_supported(admin_client):
    support = SupportFactory()
    detail = admin_client.get(f"{SUPPORTS}{support.pk}/change/").content.decode()
    assert support.user.email in detail
