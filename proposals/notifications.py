"""What followers and supporters hear about a proposal: its success, its author's updates, and
where it went next (a vote, a budget project)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import EmailDigest
from participation.models import Follow, Notification
from participation.notifications import notices_create
from proposals.models import Proposal, ProposalUpdate


def success_announce(proposal_id: int) -> int:
    """Notify everyone following a proposal that it reached its supports."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    followers = Follow.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk
    ).values_list("user_id", flat=True)
    return notices_create(kind=Notification.Kind.SUCCESS, subject=proposal, user_ids=followers)


def next_stage_announce(*, proposal: Proposal, kind: str, subject: models.Model) -> int:
    """Tell a proposal's author, followers and supporters where it went next.

    Idempotent like the other fan-outs: a second call for the same kind and subject adds no rows.
    """
    followers = Follow.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk
    ).values_list("user_id", flat=True)
    # Supporters and the author usually follow too, but either may have unfollowed since.
    supporters = proposal.supports.values_list("user_id", flat=True)
    people = {proposal.author_id, *followers, *supporters}
    return notices_create(kind=kind, subject=subject, user_ids=people)


@transaction.atomic
def update_deliver(update_id: int) -> int:
    """Notify an update's supporters in the app and e-mail those who accept e-mail.

    Each e-mail is queued on commit together with its notification's `emailed_at`, so a
    retried task sends nobody the same update twice. Returns how many e-mails were queued.
    """
    update = ProposalUpdate.objects.select_related("proposal").filter(pk=update_id).first()
    if update is None:
        return 0
    supporters = update.proposal.supports.values_list("user_id", flat=True)
    notices_create(kind=Notification.Kind.UPDATE, subject=update, user_ids=supporters)
    pending = (
        Notification.objects.select_for_update(of=("self",))
        .filter(
            kind=Notification.Kind.UPDATE,
            content_type=ContentType.objects.get_for_model(ProposalUpdate),
            object_id=update.pk,
            emailed_at__isnull=True,
        )
        .exclude(user__email_digest=EmailDigest.NEVER)
        .select_related("user")
    )
    sent = []
    for notification in pending:
        user = notification.user
        with translation.override(user.language):
            send_mail(
                subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + update.title,
                message=render_to_string(
                    "proposals/email/update.txt",
                    {"update": update, "user": user, "site_url": settings.SITE_URL},
                ),
                from_email=None,
                recipient_list=[user.email],
            )
        sent.append(notification.pk)
    Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)
