"""Residents hear when a proposal moves on (to a vote, into a budget project) and when a project
is found unfeasible: who is told, and how the notifications page and the digest say it."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from budgets.models import Feasibility
from budgets.services import investment_from_proposal, investment_valuate
from participation.models import Notification
from participation.notifications import notices_create, notification_digest_send
from polls.services import poll_from_proposal
from proposals.models import Proposal, ProposalUpdate
from proposals.notifications import next_stage_announce
from tests.budgets.factories import InvestmentFactory, heading_in
from tests.factories import (
    CitizenFactory,
    CommentFactory,
    DebateFactory,
    FollowFactory,
    NotificationFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TO_POLL = "A proposal you took part in will go to a vote"
POLL_LATER = "The proposal page will link to the poll once voting opens."
TO_BUDGET = "A proposal you took part in became a participatory budgeting project"
UNFEASIBLE = "Your project was found not feasible"
WHY = "The project page says why."
GONE = "This content is no longer available."


def administrator():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="administrator"))
    return user


def taken_part() -> tuple[Proposal, set[int]]:
    """A successful proposal with a follower, a supporter who no longer follows, and people who
    must not hear of it; returns it with the ids of those who should."""
    proposal = ProposalFactory(successful_at=timezone.now())
    follower = FollowFactory(target=proposal).user
    supporter = SupportFactory(proposal=proposal).user
    SupportFactory(proposal=proposal, user=CitizenFactory(is_active=False))
    UserFactory()  # a bystander
    FollowFactory(target=ProposalFactory())  # follows another proposal
    return proposal, {proposal.author_id, follower.pk, supporter.pk}


def notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


# --- Who is told ---------------------------------------------------------------------------------


def test_a_proposal_put_to_a_vote_tells_its_author_followers_and_supporters_once(
    django_capture_on_commit_callbacks,
):
    proposal, expected = taken_part()
    with django_capture_on_commit_callbacks(execute=True):
        poll_from_proposal(proposal=proposal)
    assert notified(Notification.Kind.TO_POLL) == expected
    # About the proposal: the draft poll has no public page yet.
    assert {n.subject for n in Notification.objects.all()} == {proposal}
    # A repeated fan-out adds nobody twice.
    next_stage_announce(proposal=proposal, kind=Notification.Kind.TO_POLL, subject=proposal)
    assert Notification.objects.count() == len(expected)


def test_a_proposal_made_a_budget_project_tells_its_author_followers_and_supporters_once(
    django_capture_on_commit_callbacks,
):
    proposal, expected = taken_part()
    with django_capture_on_commit_callbacks(execute=True):
        investment = investment_from_proposal(
            proposal=proposal, heading=heading_in("accepting"), user=administrator()
        )
    assert notified(Notification.Kind.TO_BUDGET) == expected
    assert {n.subject for n in Notification.objects.all()} == {investment}
    next_stage_announce(proposal=proposal, kind=Notification.Kind.TO_BUDGET, subject=investment)
    assert Notification.objects.count() == len(expected)


def test_nobody_is_told_before_the_step_is_committed(django_capture_on_commit_callbacks):
    proposal, _ = taken_part()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        poll_from_proposal(proposal=proposal)
    assert len(callbacks) == 1 and not Notification.objects.exists()


def test_an_unfeasible_project_tells_its_author_with_its_own_kind():
    investment = InvestmentFactory(feasibility=Feasibility.UNDECIDED, price=None)
    investment_valuate(
        user=UserFactory(is_staff=True, is_superuser=True),
        investment=investment,
        feasibility=Feasibility.UNFEASIBLE,
        unfeasibility_reason="ที่ดินเป็นของกรมเจ้าท่า",
    )
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.subject) == (
        investment.author,
        Notification.Kind.UNFEASIBLE,
        investment,
    )


# --- How the page and the digest say it ----------------------------------------------------------


def next_stage_notices(user) -> tuple[Proposal, object, object]:
    """One notification of each new kind for `user`; returns what each is about."""
    proposal = ProposalFactory(successful_at=timezone.now())
    investment = InvestmentFactory(proposal=proposal)
    unfeasible = InvestmentFactory(
        author=user, feasibility=Feasibility.UNFEASIBLE, unfeasibility_reason="นอกเขต"
    )
    notices_create(kind=Notification.Kind.TO_POLL, subject=proposal, user_ids=[user.pk])
    notices_create(kind=Notification.Kind.TO_BUDGET, subject=investment, user_ids=[user.pk])
    notices_create(kind=Notification.Kind.UNFEASIBLE, subject=unfeasible, user_ids=[user.pk])
    return proposal, investment, unfeasible


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_notifications_page_says_each_new_kind_with_its_link(client, language):
    person = UserFactory(language=language)
    proposal, investment, unfeasible = next_stage_notices(person)
    client.force_login(person)
    with translation.override(language):
        html = client.get(f"/{language}/notifications/").content.decode()
        sentences = [gettext(s) for s in (TO_POLL, POLL_LATER, TO_BUDGET, UNFEASIBLE, WHY)]
        links = [
            f'<a href="{proposal.get_absolute_url()}">{proposal}</a>',
            f'<a href="{investment.get_absolute_url()}">{investment}</a>',
            f'<a href="{unfeasible.get_absolute_url()}">{unfeasible}</a>',
        ]
    for expected in [*sentences, *links]:
        assert expected in html
    assert f"/{language}/" in links[0]
    assert html.count('class="notification is-unread"') == 3
    assert gettext(GONE) not in html


def test_the_english_page_words_them_plainly(client):
    person = UserFactory(language="en")
    next_stage_notices(person)
    client.force_login(person)
    html = client.get("/en/notifications/").content.decode()
    for sentence in (TO_POLL, POLL_LATER, TO_BUDGET, UNFEASIBLE, WHY):
        assert sentence in html
    # The unfeasible notice is no longer worded as an author's update.
    assert "News on something you support" not in html


def test_a_notice_whose_subject_is_hidden_or_gone_does_not_break_the_page_or_the_digest(client):
    person = UserFactory(language="en")
    proposal, investment, unfeasible = next_stage_notices(person)
    Proposal.objects.filter(pk=proposal.pk).update(hidden_at=timezone.now())
    investment.delete()
    unfeasible.delete()
    client.force_login(person)
    response = client.get("/en/notifications/")
    html = response.content.decode()
    assert response.status_code == 200
    assert TO_POLL in html and TO_BUDGET in html and html.count(GONE) == 3
    assert proposal.get_absolute_url() not in html and proposal.title not in html

    assert notification_digest_send(user_id=person.pk) == 3
    body = mail.outbox[0].body
    assert f"- {TO_POLL}: {GONE}" in body and f"- {UNFEASIBLE}: {GONE}" in body
    assert proposal.title not in body


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_digest_says_each_new_kind_with_its_link(language):
    person = UserFactory(language=language)
    proposal, investment, unfeasible = next_stage_notices(person)
    assert notification_digest_send(user_id=person.pk) == 3
    body = mail.outbox[0].body
    with translation.override(language):
        lines = [
            f'- {gettext(TO_POLL)}: "{proposal}" {settings.SITE_URL}{proposal.get_absolute_url()}',
            f'- {gettext(TO_BUDGET)}: "{investment}" '
            f"{settings.SITE_URL}{investment.get_absolute_url()}",
            f'- {gettext(UNFEASIBLE)}: "{unfeasible}" '
            f"{settings.SITE_URL}{unfeasible.get_absolute_url()}",
        ]
    for line in lines:
        assert line in body
    assert f"{settings.SITE_URL}/{language}/proposals/" in body


def test_the_digest_still_words_the_older_news_kinds():
    person = UserFactory(language="en")
    proposal = ProposalFactory(successful_at=timezone.now())
    notices_create(kind=Notification.Kind.SUCCESS, subject=proposal, user_ids=[person.pk])
    notification_digest_send(user_id=person.pk)
    assert (
        f'- A proposal you follow reached the supports it needed: "{proposal}" '
        f"{settings.SITE_URL}{proposal.get_absolute_url()}"
    ) in mail.outbox[0].body


# --- Cost ----------------------------------------------------------------------------------------


def mixed_notifications(user, rounds: int) -> None:
    """`rounds` notifications of every kind, interleaved so any page holds each."""
    for _ in range(rounds):
        NotificationFactory(user=user, comment=CommentFactory(commentable=DebateFactory()))
        NotificationFactory(
            user=user,
            kind=Notification.Kind.REPLY,
            comment=CommentFactory(commentable=DebateFactory()),
        )
        proposal = ProposalFactory(successful_at=timezone.now())
        notices_create(kind=Notification.Kind.SUCCESS, subject=proposal, user_ids=[user.pk])
        notices_create(kind=Notification.Kind.TO_POLL, subject=proposal, user_ids=[user.pk])
        investment = InvestmentFactory(proposal=proposal, author=user)
        notices_create(kind=Notification.Kind.TO_BUDGET, subject=investment, user_ids=[user.pk])
        notices_create(kind=Notification.Kind.UNFEASIBLE, subject=investment, user_ids=[user.pk])
        update = ProposalUpdate.objects.create(proposal=proposal, title="ข่าว", body="ความคืบหน้า")
        notices_create(kind=Notification.Kind.UPDATE, subject=update, user_ids=[user.pk])


def test_the_notifications_page_costs_the_same_queries_with_many_mixed_kinds(
    client, django_assert_num_queries
):
    small, big = UserFactory(), UserFactory()
    mixed_notifications(small, rounds=1)
    mixed_notifications(big, rounds=5)
    client.force_login(small)
    client.get("/en/notifications/")  # warm caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/notifications/").status_code == 200
    small_count = len(queries)
    client.force_login(big)
    client.get("/en/notifications/")
    with django_assert_num_queries(small_count):
        html = client.get("/en/notifications/").content.decode()
    assert html.count('class="notification is-unread"') == 20
    assert TO_POLL in html and TO_BUDGET in html and UNFEASIBLE in html
