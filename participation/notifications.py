"""In-app notifications about comments and news, and the e-mail digest that gathers them."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from participation.models import Comment, Follow, Notification


def notifications_for_comment(comment_id: int) -> int:
    """Notify followers of the commented content and the author of the comment replied to.

    Idempotent: a retried task finds the rows already there and adds none.
    """
    comment = Comment.objects.select_related("parent").filter(pk=comment_id).first()
    if comment is None or comment.hidden_at or comment.deleted_at:
        return 0
    kinds: dict[int, str] = {}
    followers = Follow.objects.filter(
        content_type_id=comment.content_type_id, object_id=comment.object_id
    ).values_list("user_id", flat=True)
    for user_id in followers:
        kinds[user_id] = Notification.Kind.COMMENT
    if comment.parent_id:
        kinds[comment.parent.author_id] = Notification.Kind.REPLY
    kinds.pop(comment.author_id, None)
    wanting = User.objects.filter(pk__in=kinds, is_active=True, notify_on_reply=True).values_list(
        "pk", flat=True
    )
    rows = [Notification(user_id=pk, comment=comment, kind=kinds[pk]) for pk in wanting]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _shown(notifications: QuerySet[Notification]) -> QuerySet[Notification]:
    # A comment hidden by a moderator or withdrawn by its author is no longer news.
    return notifications.filter(
        Q(comment__isnull=True)
        | Q(comment__hidden_at__isnull=True, comment__deleted_at__isnull=True)
    )


def notices_create(*, kind: str, subject: models.Model, user_ids: Iterable[int]) -> int:
    """Notify these people about `subject` (an update, a proposal that succeeded or went on).

    Idempotent, like the comment fan-out: one row per person, kind and subject.
    """
    content_type = ContentType.objects.get_for_model(subject)
    active = User.objects.filter(pk__in=list(user_ids), is_active=True).values_list("pk", flat=True)
    rows = [
        Notification(user_id=pk, kind=kind, content_type=content_type, object_id=subject.pk)
        for pk in active
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_list(*, user: User) -> QuerySet[Notification]:
    """A person's notifications, newest first, with what the page shows fetched up front."""
    return _shown(Notification.objects.filter(user=user)).select_related(
        "comment__author", "comment__content_type", "content_type"
    )


def unread_count(user: User) -> int:
    """How many notifications this person has not read (the number in the header)."""
    return _shown(Notification.objects.filter(user=user, read_at__isnull=True)).count()


def notifications_mark_read(*, user: User) -> int:
    """Mark every notification of this person read."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_digest_send(*, user_id: int) -> int:
    """E-mail one person what they have not yet been e-mailed about; returns how many items.

    The mail is queued on commit together with the `emailed_at` marks, so a failed or repeated
    run neither loses nor repeats a digest.
    """
    user = User.objects.select_for_update().get(pk=user_id)
    pending = list(
        notification_list(user=user).filter(emailed_at__isnull=True, read_at__isnull=True)
    )
    if not pending or not user.is_active or not user.email:
        return 0
    # Imported here: participation.selectors imports this module.
    from participation.selectors import rows_addressed

    # Like the notifications page: one query per kind of subject, none linking to a hidden one.
    subjects = rows_addressed(
        (n.content_type_id, n.object_id) for n in pending if n.content_type_id
    )
    for notification in pending:
        notification.subject_row = subjects.get(
            (notification.content_type_id, notification.object_id)
        )
    with translation.override(user.language):
        body = render_to_string(
            "participation/email/notification_digest.txt",
            {"user": user, "notifications": pending, "site_url": settings.SITE_URL},
        )
        send_mail(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("What is new on Ruamkit"),
            message=body,
            from_email=None,
            recipient_list=[user.email],
        )
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


def digest_recipients(frequency: str) -> QuerySet[User]:
    """People who chose this digest frequency and have something unread and not yet e-mailed."""
    unsent = _shown(
        Notification.objects.filter(
            user=OuterRef("pk"), emailed_at__isnull=True, read_at__isnull=True
        )
    )
    return User.objects.filter(email_digest=frequency, is_active=True).filter(Exists(unsent))
