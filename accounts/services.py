from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import (
    CensusRecord,
    EmailDigest,
    InterestDeclaration,
    Residence,
    ResidentClaim,
    User,
    VoterClass,
)
from accounts.national_id import id_hash
from accounts.selectors import declarable_classes
from participation.models import Community
from participation.services import votes_transfer
from participation.thai_dates import format_datetime


class VerificationError(Exception):
    """A user-facing reason why verification or a claim did not go through."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _lockout_message(locked_until) -> str:
    when = format_datetime(locked_until, translation.get_language() or "th")
    return _("Too many attempts that did not match. You can try again after %(when)s.") % {
        "when": when
    }


def _record_failed_attempt(user: User) -> str:
    """Count a failed match; past the limit, lock verification for a time that doubles each time.

    The caller holds the row lock on `user`.
    """
    user.verification_failures += 1
    limit = settings.VERIFICATION_MAX_ATTEMPTS
    if user.verification_failures >= limit:
        minutes = settings.VERIFICATION_LOCKOUT_MINUTES * 2 ** (user.verification_failures - limit)
        user.verification_locked_until = timezone.now() + timedelta(minutes=minutes)
        user.save(update_fields=["verification_failures", "verification_locked_until"])
        return _lockout_message(user.verification_locked_until)
    user.save(update_fields=["verification_failures"])
    left = limit - user.verification_failures
    return ngettext(
        "These details do not match the house register. You have %(left)d attempt left.",
        "These details do not match the house register. You have %(left)d attempts left.",
        left,
    ) % {"left": left}


def residence_verify(*, user: User, national_id: str, birth_year: int) -> CensusRecord:
    """Match a person against the house register and make them an affected citizen.

    Raises VerificationError with a user-facing reason; a failed match is counted and committed.
    `national_id` must already be valid (the form checks it); `birth_year` is in CE.
    """
    hashed = id_hash(national_id)
    failure = None
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        if locked_user.residence == Residence.CITIZEN:
            raise VerificationError(_("Your account is already verified as a citizen."))
        now = timezone.now()
        if locked_user.verification_locked_until and locked_user.verification_locked_until > now:
            raise VerificationError(_lockout_message(locked_user.verification_locked_until))
        # No select_related here: PostgreSQL re-reads only the locked row after waiting for a
        # concurrent verification, so a joined user could be stale and let two accounts in.
        record = CensusRecord.objects.select_for_update().filter(id_hash=hashed).first()
        if record is None or record.birth_year != birth_year:
            failure = _record_failed_attempt(locked_user)
        else:
            previous = record.user
            if previous is not None and previous.pk != locked_user.pk and not previous.erased_at:
                raise VerificationError(
                    _(
                        "This national ID already verifies another account. If that account is "
                        "not yours, please contact the municipality."
                    )
                )
            if previous is not None and previous.erased_at:
                # The same person deleted an earlier account: their past votes come with them,
                # so they cannot vote twice on one matter.
                votes_transfer(from_user=previous, to_user=locked_user)
            record.user = locked_user
            record.verified_at = now
            record.save(update_fields=["user", "verified_at"])
            locked_user.residence = Residence.CITIZEN
            locked_user.residence_community = record.community
            locked_user.community = locked_user.community or record.community
            locked_user.verification_failures = 0
            locked_user.verification_locked_until = None
            locked_user.save()
            user.refresh_from_db()
    if failure:
        raise VerificationError(failure)
    return record


def resident_claim_submit(
    *, user: User, community: Community, basis: str, explanation: str
) -> ResidentClaim:
    """Ask staff to confirm that this person lives, works or studies in Saensuk."""
    if user.residence:
        raise VerificationError(_("Your account is already verified."))
    try:
        with transaction.atomic():
            return ResidentClaim.objects.create(
                user=user, community=community, basis=basis, explanation=explanation.strip()
            )
    except IntegrityError:
        # The one-pending-claim constraint: a second tab or a double click.
        raise VerificationError(_("You already have a claim waiting for staff.")) from None


def _tell_claimant(claim: ResidentClaim) -> None:
    with translation.override(claim.user.language):
        context = {"claim": claim, "user": claim.user}
        send_mail(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Your resident claim"),
            message=render_to_string("accounts/email/resident_claim_decided.txt", context),
            from_email=None,
            recipient_list=[claim.user.email],
        )


@transaction.atomic
def resident_claim_decide(
    *, claim: ResidentClaim, decided_by: User, approve: bool, reason: str = ""
) -> ResidentClaim:
    """Confirm or reject a pending resident claim; the person is told, with the reason."""
    claim = ResidentClaim.objects.select_for_update().select_related("user").get(pk=claim.pk)
    if claim.status != ResidentClaim.Status.PENDING:
        raise VerificationError(_("This claim has already been decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise VerificationError(_("Give the person a reason when you do not confirm their claim."))
    claim.status = ResidentClaim.Status.APPROVED if approve else ResidentClaim.Status.REJECTED
    claim.decision_reason = reason
    claim.decided_by = decided_by
    claim.decided_at = timezone.now()
    claim.save()
    if approve:
        claimant = User.objects.select_for_update().get(pk=claim.user_id)
        # A census match outranks a resident claim: citizens stay citizens.
        if claimant.residence != Residence.CITIZEN:
            claimant.residence = Residence.RESIDENT
            claimant.residence_community = claim.community
            claimant.community = claimant.community or claim.community
            claimant.save()
        claim.user = claimant
    transaction.on_commit(lambda: _tell_claimant(claim))
    return claim


def interest_declare(*, user: User, matter: models.Model, voter_class: str) -> InterestDeclaration:
    """Record that the person is interested in, or concerned by, this matter (changeable)."""
    if voter_class not in InterestDeclaration.DECLARABLE:
        raise VerificationError(_("Choose interested or concerned."))
    if voter_class not in declarable_classes(matter):
        raise VerificationError(
            _("This matter does not admit people who are “%(class)s”.")
            % {"class": VoterClass(voter_class).label}
        )
    declaration, _created = InterestDeclaration.objects.update_or_create(
        user=user,
        content_type=ContentType.objects.get_for_model(matter),
        object_id=matter.pk,
        defaults={"voter_class": VoterClass(voter_class)},
    )
    return declaration


@transaction.atomic
def profile_update(*, user: User, **fields) -> User:
    """Save the person's own profile fields."""
    editable = {"display_name", "community", "language", "notify_on_reply", "email_digest"}
    for name, value in fields.items():
        if name not in editable:
            raise ValueError(f"{name} is not a profile field")
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def account_erase(*, user: User) -> User:
    """Erase a person's personal data; their votes stay as rows of an anonymous tombstone.

    The census record keeps pointing at the tombstone so the same ID cannot verify a second
    account and vote again (a later account of theirs takes the record and the votes over).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    ResidentClaim.history.filter(user_id=user.pk).delete()
    ResidentClaim.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.display_name = ""
    user.community = None
    user.residence = Residence.NONE
    user.residence_community = None
    user.notify_on_reply = False
    user.email_digest = EmailDigest.NEVER
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    # A new unusable password also changes the session hash, which ends every open session.
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.history.all().delete()
    return user
