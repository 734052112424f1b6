"""The shared writes every stage relies on: votes, comments, follows, notifications, digests."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from accounts.models import EmailDigest, InterestDeclaration, VoterClass
from participation.models import Comment, Follow, Notification, Vote
from participation.notifications import (
    digest_recipients,
    notification_digest_send,
    notification_list,
    notifications_for_comment,
    notifications_mark_read,
    unread_count,
)
from participation.services import (
    NotAllowed,
    comment_create,
    comment_delete,
    flag_add,
    follow_add,
    follow_remove,
    vote_cast,
)
from tests.factories import (
    CitizenFactory,
    CommentFactory,
    CommunityFactory,
    DebateFactory,
    FollowFactory,
    NotificationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def counters(obj) -> tuple:
    obj.refresh_from_db()
    return (obj.cached_votes_up, obj.cached_votes_down, round(obj.confidence_score, 4))


# --- Votes ------------------------------------------------------------------------------------


def test_like_dislike_change_and_take_back_keep_counters_and_scores_right():
    debate = DebateFactory()
    first, second, third = CitizenFactory.create_batch(3)

    vote_cast(user=first, target=debate, value=1)
    assert counters(debate) == (1, 0, 1.0)  # (1 − 0) × 1 / 1
    assert debate.hot_score == 1

    vote_cast(user=second, target=debate, value=-1)
    vote_cast(user=third, target=debate, value=1)
    assert counters(debate) == (2, 1, round((2 - 1) * 2 / 3, 4))
    assert debate.hot_score == 1

    vote_cast(user=second, target=debate, value=1)  # change of mind
    assert counters(debate) == (3, 0, 3.0)
    assert debate.hot_score == 3
    assert Vote.objects.get(user=second).value == 1

    vote_cast(user=third, target=debate, value=None)  # take back
    vote_cast(user=first, target=debate, value=None)
    vote_cast(user=second, target=debate, value=None)
    assert counters(debate) == (0, 0, 0.0)
    assert debate.hot_score == 0
    assert not Vote.objects.exists()


def test_the_same_vote_twice_counts_once_and_taking_back_nothing_is_harmless():
    debate = DebateFactory()
    voter = CitizenFactory()
    vote_cast(user=voter, target=debate, value=-1)
    vote_cast(user=voter, target=debate, value=-1)
    assert counters(debate)[:2] == (0, 1)
    assert vote_cast(user=CitizenFactory(), target=debate, value=None) is None
    assert Vote.objects.count() == 1
    assert counters(debate)[:2] == (0, 1)


def test_hot_score_counts_only_the_votes_of_the_recent_period():
    from debates.models import Debate

    debate = DebateFactory()
    voters = CitizenFactory.create_batch(7)
    for voter in voters[:6]:
        vote_cast(user=voter, target=debate, value=1)
    # 2½ days old: the period is 3 days, so likes from 10 days ago no longer heat it.
    Debate.objects.filter(pk=debate.pk).update(
        created_at=timezone.now() - timedelta(days=2, hours=12)
    )
    Vote.objects.filter(user__in=voters[:3]).update(created_at=timezone.now() - timedelta(days=10))
    debate.refresh_from_db()
    vote_cast(user=voters[6], target=debate, value=1)
    debate.refresh_from_db()
    assert debate.cached_votes_up == 7
    assert debate.hot_score == round(4 / 3)


def test_a_comment_vote_counts_on_the_comment_with_the_class_for_its_debate():
    debate = DebateFactory()
    comment = CommentFactory(commentable=debate)
    voter = CitizenFactory()
    vote_cast(user=voter, target=comment, value=1)
    assert counters(comment) == (1, 0, 1.0)
    assert Vote.objects.get().voter_class == VoterClass.AFFECTED_CITIZEN


def test_the_voter_class_at_the_moment_of_voting_is_stored():
    home, elsewhere = CommunityFactory(), CommunityFactory()
    local_debate = DebateFactory(community=home)
    citizen = CitizenFactory(residence_community=elsewhere)  # affected town-wide
    outsider = UserFactory()  # not verified: holds the class they declare
    InterestDeclaration.objects.create(
        user=outsider,
        content_type=ContentType.objects.get_for_model(local_debate),
        object_id=local_debate.pk,
        voter_class=VoterClass.CONCERNED,
    )
    vote_cast(user=citizen, target=local_debate, value=1)
    vote_cast(user=outsider, target=local_debate, value=-1)
    assert dict(Vote.objects.values_list("user_id", "voter_class")) == {
        citizen.pk: "affected_citizen",
        outsider.pk: "concerned",
    }
    # Declaring again later changes the snapshot only when the person votes again.
    InterestDeclaration.objects.filter(user=outsider).update(voter_class=VoterClass.INTERESTED)
    assert Vote.objects.get(user=outsider).voter_class == "concerned"
    vote_cast(user=outsider, target=local_debate, value=1)
    assert Vote.objects.get(user=outsider).voter_class == "interested"


def test_votes_are_refused_without_a_class_on_hidden_content_and_for_bad_values():
    debate = DebateFactory()
    with pytest.raises(NotAllowed):
        vote_cast(user=UserFactory(), target=debate, value=1)
    with pytest.raises(NotAllowed):
        vote_cast(user=CitizenFactory(), target=debate, value=2)
    hidden = DebateFactory(hidden_at=timezone.now())
    with pytest.raises(NotAllowed):
        vote_cast(user=CitizenFactory(), target=hidden, value=1)
    assert not Vote.objects.exists()
    assert counters(debate)[:2] == (0, 0)


# --- Comments, follows, flags -----------------------------------------------------------------


def test_a_comment_counts_makes_its_author_follow_and_notifies_followers(
    django_capture_on_commit_callbacks,
):
    debate = DebateFactory()
    follower = UserFactory()
    FollowFactory(user=follower, target=debate)
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(author=author, commentable=debate, body="  ทางเท้าแคบมาก \n")
    debate.refresh_from_db()
    assert debate.comments_count == 1
    assert comment.body == "ทางเท้าแคบมาก" and comment.depth == 0 and comment.root is None
    assert Follow.objects.filter(user=author, object_id=debate.pk).exists()
    assert list(Notification.objects.values_list("user_id", "kind")) == [
        (follower.pk, Notification.Kind.COMMENT)
    ]


def test_a_reply_notifies_the_parent_author_as_a_reply(django_capture_on_commit_callbacks):
    debate = DebateFactory()
    first = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        parent = comment_create(author=first, commentable=debate, body="เริ่ม")
    replier = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_create(author=replier, commentable=debate, body="ตอบ", parent=parent)
    with django_capture_on_commit_callbacks(execute=True):
        deeper = comment_create(author=first, commentable=debate, body="ตอบกลับ", parent=reply)
    assert (reply.root_id, reply.depth, deeper.root_id, deeper.depth) == (
        parent.pk,
        1,
        parent.pk,
        2,
    )
    # The first author follows the debate too, but a reply to them is a reply, not a comment.
    assert Notification.objects.get(comment=reply).user == first
    assert Notification.objects.get(comment=reply).kind == Notification.Kind.REPLY
    assert Notification.objects.get(comment=deeper).user == replier
    debate.refresh_from_db()
    assert debate.comments_count == 3


def test_people_who_turned_notifications_off_get_none(django_capture_on_commit_callbacks):
    debate = DebateFactory()
    quiet = UserFactory(notify_on_reply=False)
    with django_capture_on_commit_callbacks(execute=True):
        parent = comment_create(author=quiet, commentable=debate, body="เงียบ")
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=UserFactory(), commentable=debate, body="ตอบ", parent=parent)
    assert not Notification.objects.filter(user=quiet).exists()


def test_notifications_for_one_comment_are_created_once():
    debate = DebateFactory()
    followers = UserFactory.create_batch(2)
    for follower in followers:
        FollowFactory(user=follower, target=debate)
    comment = CommentFactory(commentable=debate)
    notifications_for_comment(comment.pk)
    notifications_for_comment(comment.pk)
    assert Notification.objects.count() == 2
    assert notifications_for_comment(10**9) == 0


def test_no_notification_about_a_deleted_or_hidden_comment():
    debate = DebateFactory()
    FollowFactory(target=debate)
    notifications_for_comment(CommentFactory(commentable=debate, deleted_at=timezone.now()).pk)
    notifications_for_comment(CommentFactory(commentable=debate, hidden_at=timezone.now()).pk)
    assert not Notification.objects.exists()


def test_comment_refusals():
    debate = DebateFactory()
    author = UserFactory()
    with pytest.raises(NotAllowed):
        comment_create(author=author, commentable=debate, body="   ")
    with pytest.raises(NotAllowed):
        comment_create(
            author=author,
            commentable=debate,
            body="ตอบ",
            parent=CommentFactory(commentable=DebateFactory()),
        )
    with pytest.raises(NotAllowed):
        comment_create(
            author=author, commentable=DebateFactory(hidden_at=timezone.now()), body="ตอบ"
        )
    assert not Comment.objects.filter(author=author).exists()
    debate.refresh_from_db()
    assert debate.comments_count == 0


def test_only_staff_post_official_answers():
    debate = DebateFactory()
    citizen = comment_create(author=UserFactory(), commentable=debate, body="ก", official=True)
    staff = comment_create(
        author=UserFactory(is_staff=True), commentable=debate, body="ข", official=True
    )
    assert (citizen.is_official, staff.is_official) == (False, True)


def test_the_author_deletes_once_and_nobody_else_can():
    comment = CommentFactory()
    with pytest.raises(NotAllowed):
        comment_delete(user=UserFactory(), comment=comment)
    comment_delete(user=comment.author, comment=comment)
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    with pytest.raises(NotAllowed):
        comment_delete(user=comment.author, comment=comment)


def test_follow_is_idempotent_and_can_be_undone():
    debate, person = DebateFactory(), UserFactory()
    follow_add(user=person, target=debate)
    follow_add(user=person, target=debate)
    assert Follow.objects.count() == 1
    follow_remove(user=person, target=debate)
    follow_remove(user=person, target=debate)
    assert not Follow.objects.exists()


def test_a_flag_counts_once_per_person_and_never_on_ones_own_content():
    debate = DebateFactory()
    reporter = UserFactory()
    assert flag_add(user=reporter, target=debate) is True
    assert flag_add(user=reporter, target=debate) is False
    debate.refresh_from_db()
    assert debate.flags_count == 1
    with pytest.raises(NotAllowed):
        flag_add(user=debate.author, target=debate)


# --- In-app notifications and the e-mail digest -----------------------------------------------


def test_unread_count_and_mark_read():
    person = UserFactory()
    NotificationFactory.create_batch(2, user=person)
    NotificationFactory()  # someone else's
    assert unread_count(person) == 2
    assert notifications_mark_read(user=person) == 2
    assert unread_count(person) == 0
    assert notification_list(user=person).count() == 2


def test_the_digest_is_sent_once_and_links_to_the_notifications_page():
    person = UserFactory(language="th")
    NotificationFactory(user=person, kind=Notification.Kind.REPLY)
    NotificationFactory(user=person)
    assert person in digest_recipients(EmailDigest.WEEKLY)

    assert notification_digest_send(user_id=person.pk) == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert "/th/notifications/" in mail.outbox[0].body

    assert notification_digest_send(user_id=person.pk) == 0
    assert len(mail.outbox) == 1
    assert person not in digest_recipients(EmailDigest.WEEKLY)


def test_the_digest_leaves_out_what_was_read_or_hidden():
    person = UserFactory()
    NotificationFactory(user=person, read_at=timezone.now())
    NotificationFactory(user=person, comment=CommentFactory(hidden_at=timezone.now()))
    assert notification_digest_send(user_id=person.pk) == 0
    assert mail.outbox == []


def test_the_digest_does_not_mail_the_text_of_a_deleted_comment():
    person = UserFactory()
    NotificationFactory(user=person, comment=CommentFactory(body="ข้อความที่ถอนแล้ว"))
    Comment.objects.update(deleted_at=timezone.now())
    notification_digest_send(user_id=person.pk)
    assert all("ข้อความที่ถอนแล้ว" not in message.body for message in mail.outbox)


def test_the_unread_badge_counts_only_what_the_page_shows():
    person = UserFactory()
    NotificationFactory(user=person)
    NotificationFactory(user=person, comment=CommentFactory(hidden_at=timezone.now()))
    assert unread_count(person) == notification_list(user=person).count() == 1


def test_digest_recipients_are_only_people_with_something_to_read():
    waiting = UserFactory(email_digest=EmailDigest.DAILY)
    NotificationFactory(user=waiting)
    UserFactory(email_digest=EmailDigest.DAILY)  # nothing at all
    assert list(digest_recipients(EmailDigest.DAILY)) == [waiting]
