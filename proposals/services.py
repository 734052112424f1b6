import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, User
from accounts.selectors import voter_class_for
from participation.services import NotAllowed, ensure_allowed, follow_add, hot_score
from participation.tags import tags_checked
from participation.text import sanitise_html
from participation.thai_dates import BE_OFFSET
from proposals.models import Proposal, Support
from proposals.permissions import (
    can_edit_proposal,
    can_retire_proposal,
    can_start_proposal,
    can_support,
    can_withdraw_support,
)

REFERENCE_PREFIX = "RK"
PROPOSAL_FIELDS = {
    "title",
    "summary",
    "description",
    "video_url",
    "image",
    "image_alt",
    "community",
    "strategic_issue",
}


def support_threshold() -> int:
    """Supports a proposal needs: a fixed number, or a share of the census ("2%"), at least 1."""
    setting = str(settings.PROPOSAL_SUPPORT_THRESHOLD).strip()
    if setting.endswith("%"):
        share = float(setting[:-1]) / 100
        return max(1, math.ceil(share * CensusRecord.objects.count()))
    return max(1, int(setting))


def _fields_set(proposal: Proposal, fields: dict) -> None:
    unknown = set(fields) - PROPOSAL_FIELDS - {"tags"}
    if unknown:
        raise TypeError(f"not proposal fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "tags":
            continue
        if name == "description":
            value = sanitise_html(value)
            if not value:
                raise NotAllowed(_("Describe the proposal."))
        if name in {"title", "summary"}:
            value = value.strip()
        setattr(proposal, name, value)


def _validate(proposal: Proposal) -> None:
    try:
        proposal.full_clean(exclude=["image", "reference"])
    except ValidationError as error:
        raise NotAllowed(" ".join(error.messages)) from None


@transaction.atomic
def proposal_create(*, author: User, tags: list[str] = (), document=None, **fields) -> Proposal:
    """Write a draft; nobody else sees it until it is published."""
    ensure_allowed(can_start_proposal(author))
    proposal = Proposal(author=author)
    _fields_set(proposal, fields)
    _validate(proposal)
    proposal.save()
    proposal.tags.set(tags_checked(tags))
    if document is not None:
        _document_attach(proposal, document)
    return proposal


def _document_attach(proposal: Proposal, upload) -> None:
    """Keep a PDF the form checked by its content; its name becomes its title."""
    from proposals.models import ProposalDocument

    title = (upload.name or "").rsplit("/", 1)[-1].rsplit(".", 1)[0][:160] or _("Document")
    ProposalDocument.objects.create(proposal=proposal, title=title, file=upload, size=upload.size)


@transaction.atomic
def proposal_update(
    *, user: User, proposal: Proposal, tags: list[str] | None = None, document=None, **fields
):
    """Change a draft."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_allowed(can_edit_proposal(user, proposal))
    _fields_set(proposal, fields)
    _validate(proposal)
    proposal.save()
    if tags is not None:
        proposal.tags.set(tags_checked(tags))
    if document is not None:
        _document_attach(proposal, document)
    return proposal


def _next_reference(now) -> str:
    year = timezone.localtime(now).year + BE_OFFSET
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    last = (
        Proposal.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def proposal_publish(*, user: User, proposal: Proposal) -> Proposal:
    """Publish a draft and give it its reference code (RK-<BE year>-<serial>).

    Two publications at the same instant may pick the same serial; the unique constraint
    refuses one, which then takes the next number.
    """
    for _attempt in range(5):
        try:
            with transaction.atomic():
                locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
                ensure_allowed(can_edit_proposal(user, locked))
                now = timezone.now()
                locked.reference = _next_reference(now)
                locked.status = Proposal.Status.PUBLISHED
                locked.published_at = now
                locked.save(update_fields=["reference", "status", "published_at", "updated_at"])
                follow_add(user=user, target=locked)
                return locked
        except IntegrityError:
            continue
    raise NotAllowed(_("The proposal could not be published now. Please try again."))


@transaction.atomic
def proposal_retire(*, user: User, proposal: Proposal, reason: str, explanation: str) -> Proposal:
    """The author withdraws an open proposal, saying why; it stays visible as retired."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_allowed(can_retire_proposal(user, proposal))
    if reason not in Proposal.RetiredReason.values:
        raise NotAllowed(_("Choose why you retire the proposal."))
    proposal.status = Proposal.Status.RETIRED
    proposal.retired_reason = reason
    proposal.retired_explanation = explanation.strip()
    proposal.retired_at = timezone.now()
    proposal.save()
    return proposal


@transaction.atomic
def support_add(*, user: User, proposal: Proposal) -> Support:
    """Record one support; the proposal becomes successful when it reaches the threshold.

    The proposal row is locked first, so simultaneous supports are counted one after another.
    """
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    supported = Support.objects.filter(user=user, proposal=proposal).exists()
    ensure_allowed(can_support(user, proposal, supported=supported))
    try:
        with transaction.atomic():
            support = Support.objects.create(
                user=user,
                proposal=proposal,
                voter_class=voter_class_for(user, proposal),
                community=user.residence_community,
            )
    except IntegrityError:
        raise NotAllowed(_("You already support this proposal.")) from None
    proposal.supports_count = F("supports_count") + 1
    proposal.save(update_fields=["supports_count"])
    proposal.refresh_from_db(fields=["supports_count"])
    Proposal.objects.filter(pk=proposal.pk).update(hot_score=hot_score(proposal))
    if proposal.successful_at is None and proposal.supports_count >= support_threshold():
        proposal.successful_at = timezone.now()
        proposal.save(update_fields=["successful_at"])
        from proposals.tasks import proposal_success_announce

        transaction.on_commit(lambda: proposal_success_announce.delay(proposal.pk))
    follow_add(user=user, target=proposal)
    return support


@transaction.atomic
def support_withdraw(*, user: User, proposal: Proposal) -> None:
    """Take a support back while the proposal is open. A success once reached stays."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    supports = Support.objects.filter(user=user, proposal=proposal)
    ensure_allowed(can_withdraw_support(user, proposal, supported=supports.exists()))
    supports.delete()
    Proposal.objects.filter(pk=proposal.pk).update(
        supports_count=F("supports_count") - 1, hot_score=hot_score(proposal)
    )


@transaction.atomic
def competence_screen(
    *, proposal: Proposal, competence: str, responsible_agency: str = "", explanation: str = ""
) -> Proposal:
    """Say publicly whether the municipality can act on a proposal, and if not, who can."""
    from participation.models import Competence

    if competence not in (Competence.WITHIN, Competence.PARTLY, Competence.OUTSIDE):
        raise NotAllowed(_("Choose whether the municipality has authority."))
    if competence != Competence.WITHIN and not responsible_agency.strip():
        raise NotAllowed(_("Name the agency responsible when the municipality is not."))
    # save(), not update(): the screening belongs in the proposal's history.
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    proposal.competence = competence
    proposal.responsible_agency = responsible_agency.strip()
    proposal.competence_explanation = explanation.strip()
    proposal.competence_screened_at = timezone.now()
    proposal.save(
        update_fields=[
            "competence",
            "responsible_agency",
            "competence_explanation",
            "competence_screened_at",
            "updated_at",
        ]
    )
    return proposal


@transaction.atomic
def proposal_update_send(*, user: User, proposal: Proposal, title: str, body: str):
    """The author tells supporters what is new; delivered later by a Celery task."""
    from proposals.models import ProposalUpdate
    from proposals.permissions import can_send_update
    from proposals.tasks import proposal_update_deliver

    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_allowed(can_send_update(user, proposal))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise NotAllowed(_("Write a title and a message."))
    update = ProposalUpdate.objects.create(proposal=proposal, title=title, body=body)
    transaction.on_commit(lambda: proposal_update_deliver.delay(update.pk))
    return update
