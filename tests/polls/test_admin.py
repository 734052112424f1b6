"""The poll admin: frozen questions, results actions; the proposal admin's poll action."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from polls.models import Poll, PollResult, Question
from polls.services import ballot_cast
from proposals.models import Proposal
from tests.factories import CitizenFactory, CommunityFactory, ProposalFactory, UserFactory
from tests.polls.factories import PollFactory, answers_for, poll_with_questions

pytestmark = pytest.mark.django_db

POLLS = "/en/admin/polls/poll/"
QUESTIONS = "/en/admin/polls/question/"


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def admin_client(client):
    client.force_login(staff("administrator"))
    return client


def closed_with_votes():
    poll = poll_with_questions()
    choices, texts = answers_for(poll)
    ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()
    return poll


def test_administrator_creates_a_poll_with_classes_and_weights(admin_client):
    now = timezone.now()
    data = {
        "title": "ตลาดหนองมน",
        "description": "",
        "image_alt": "",
        "opens_at_0": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%d"),
        "opens_at_1": "08:00:00",
        "closes_at_0": (now + datetime.timedelta(days=8)).strftime("%Y-%m-%d"),
        "closes_at_1": "20:00:00",
        "voter_classes": ["affected_citizen", "interested"],
        "weight_affected_citizen": "2",
        "weight_affected_resident": "1",
        "weight_interested": "0.5",
        "weight_concerned": "1",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-order": "1",
        "questions-0-title": "เห็นด้วยไหม",
        "questions-0-kind": "single",
        "booths-TOTAL_FORMS": "0",
        "booths-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    response = admin_client.post(f"{POLLS}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    poll = Poll.objects.get()
    assert poll.voter_classes == ["affected_citizen", "interested"]
    assert poll.weights == {"affected_citizen": "2", "interested": "0.5"}
    assert poll.questions.count() == 1


def test_questions_of_an_opened_poll_are_read_only_in_the_admin(admin_client):
    poll = poll_with_questions()
    response = admin_client.get(f"{POLLS}{poll.pk}/change/")
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0]
    assert formset.formset.model is Question
    assert not formset.has_add_permission and not formset.has_delete_permission
    question = poll.questions.first()
    response = admin_client.get(f"{QUESTIONS}{question.pk}/change/")
    assert "title" in response.context["adminform"].readonly_fields
    # A forged POST to the question cannot change it either.
    admin_client.post(
        f"{QUESTIONS}{question.pk}/change/",
        {"title": "เปลี่ยน", "order": 1, "kind": "single", "poll": poll.pk, "_save": "Save"},
    )
    question.refresh_from_db()
    assert question.title != "เปลี่ยน"


def test_compute_and_publish_actions(admin_client):
    poll = closed_with_votes()
    admin_client.post(POLLS, {"action": "compute_results", "_selected_action": [poll.pk]})
    result = PollResult.objects.get()
    assert result.data["ballots"] == 1 and result.published_at is None
    response = admin_client.post(
        POLLS, {"action": "publish_results", "_selected_action": [poll.pk]}, follow=True
    )
    result.refresh_from_db()
    assert result.published_at is not None
    assert "Published the results of 1 poll." in response.content.decode()
    admin_client.post(POLLS, {"action": "unpublish_results", "_selected_action": [poll.pk]})
    result.refresh_from_db()
    assert result.published_at is None


def test_publishing_an_open_poll_is_refused(admin_client):
    poll = PollFactory()
    response = admin_client.post(
        POLLS, {"action": "publish_results", "_selected_action": [poll.pk]}, follow=True
    )
    assert "after the poll closes" in response.content.decode()
    assert not PollResult.objects.filter(published_at__isnull=False).exists()


def test_planner_sees_polls_but_cannot_publish(client):
    client.force_login(staff("planner"))
    closed_with_votes()
    response = client.get(POLLS)
    assert response.status_code == 200
    assert "publish_results" not in response.content.decode()


def test_roll_admin_never_shows_answers(admin_client):
    closed_with_votes()
    response = admin_client.get("/en/admin/polls/rollentry/")
    assert response.status_code == 200
    assert admin_client.get("/en/admin/polls/ballot/").status_code == 404


def test_proposal_admin_turns_a_successful_proposal_into_a_poll(admin_client):
    proposal = ProposalFactory(successful_at=timezone.now())
    unsuccessful = ProposalFactory()
    response = admin_client.post(
        "/en/admin/proposals/proposal/?moderation=all",
        {"action": "turn_into_poll", "_selected_action": [proposal.pk, unsuccessful.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "1 draft polls made" in body
    assert "Only a successful proposal can become a poll." in body
    poll = Poll.objects.get()
    assert poll.proposal == proposal and poll.opens_at is None
    proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.POLL


def test_moderators_cannot_turn_proposals_into_polls(client):
    client.force_login(staff("moderator"))
    proposal = ProposalFactory(successful_at=timezone.now())
    client.post(
        "/en/admin/proposals/proposal/?moderation=all",
        {"action": "turn_into_poll", "_selected_action": [proposal.pk]},
    )
    assert not Poll.objects.exists()


def test_an_opened_poll_can_still_be_extended_but_not_re_dated_or_re_classed(admin_client):
    poll = poll_with_questions()
    questions = list(poll.questions.all())
    later = timezone.localtime(poll.closes_at + datetime.timedelta(days=3))
    data = {
        "title": poll.title,
        "description": poll.description,
        "image_alt": "",
        "closes_at_0": later.strftime("%Y-%m-%d"),
        "closes_at_1": later.strftime("%H:%M:%S"),
        # Forged: these are read-only once the poll has opened.
        "opens_at_0": "2030-01-01",
        "opens_at_1": "08:00:00",
        "voter_classes": ["interested"],
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "booths-TOTAL_FORMS": "0",
        "booths-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for index, question in enumerate(questions):
        data[f"questions-{index}-id"] = str(question.pk)
        data[f"questions-{index}-poll"] = str(poll.pk)
        data[f"questions-{index}-title"] = "เปลี่ยนแล้ว"
    response = admin_client.post(f"{POLLS}{poll.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    before = poll.opens_at
    poll.refresh_from_db()
    assert timezone.localtime(poll.closes_at).replace(microsecond=0) == later.replace(microsecond=0)
    assert poll.opens_at == before
    assert poll.voter_classes == ["affected_citizen", "affected_resident"]
    assert [q.title for q in poll.questions.all()] == [q.title for q in questions]


def test_planner_reads_unpublished_results_downloads_and_free_text(client):
    poll = poll_with_questions()
    choices, texts = answers_for(poll, text="อยากได้ร่มเงาเพิ่ม")
    ballot_cast(user=CitizenFactory(), poll=poll, choices=choices, texts=texts)
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()
    from polls.services import poll_results_compute

    poll_results_compute(poll=poll)
    client.force_login(staff("planner"))
    assert client.get(f"/en/polls/{poll.pk}/results/").status_code == 200
    assert client.get(f"/en/polls/{poll.pk}/results.csv").status_code == 200
    response = client.get("/en/admin/polls/answer/")
    body = response.content.decode()
    assert "อยากได้ร่มเงาเพิ่ม" in body
    # Only the free text: chosen options are counted, not listed.
    assert len(response.context["cl"].result_list) == 1


def test_poll_list_counts_voters_in_a_fixed_number_of_queries(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    closed_with_votes()
    with CaptureQueriesContext(connection) as few:
        admin_client.get(POLLS)
    for _ in range(4):
        closed_with_votes()
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(POLLS)
    assert len(few) == len(many)
    assert [row.voter_count for row in response.context["cl"].result_list] == [1] * 5
    # The communities filter joins rows; each voter still counts once.
    poll = Poll.objects.first()
    poll.communities.set([CommunityFactory(), CommunityFactory()])
    response = admin_client.get(POLLS, {"communities__id__exact": poll.communities.first().pk})
    assert [row.voter_count for row in response.context["cl"].result_list] == [1]


def test_counting_an_open_poll_is_refused_with_the_reason(admin_client):
    poll = PollFactory()
    response = admin_client.post(
        POLLS, {"action": "compute_results", "_selected_action": [poll.pk]}, follow=True
    )
    assert "a poll is counted after it closes" in response.content.decode()
    assert not PollResult.objects.exists()


def test_a_closed_poll_cannot_be_reopened_and_a_booth_cannot_move_to_another_poll(admin_client):
    from tests.polls.factories import BoothFactory

    poll = closed_with_votes()
    response = admin_client.get(f"{POLLS}{poll.pk}/change/")
    assert "closes_at" in response.context["adminform"].readonly_fields
    open_poll = poll_with_questions()
    assert (
        "closes_at"
        not in admin_client.get(f"{POLLS}{open_poll.pk}/change/")
        .context["adminform"]
        .readonly_fields
    )
    booth = BoothFactory(poll=open_poll)
    response = admin_client.get(f"/en/admin/polls/booth/{booth.pk}/change/")
    assert "poll" in response.context["adminform"].readonly_fields
    draft = PollFactory(opens_at=None, closes_at=None)
    booth = BoothFactory(poll=draft)
    response = admin_client.get(f"/en/admin/polls/booth/{booth.pk}/change/")
    assert "poll" not in response.context["adminform"].readonly_fields


def test_the_result_admin_shows_the_hash_not_the_file(admin_client):
    from polls.services import poll_results_compute

    result = poll_results_compute(poll=closed_with_votes())
    response = admin_client.get(f"/en/admin/polls/pollresult/{result.pk}/change/")
    body = response.content.decode()
    assert result.ballot_box_sha256 in body
    assert "# Ruamkit ballot box" not in body
