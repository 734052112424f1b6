"""Who may do what with a proposal: one function per action, each with its reason."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.selectors import voter_class_for
from participation.permissions import ALLOWED, Decision
from participation.thai_dates import format_datetime
from proposals.models import Proposal

# A month counted as 30 days is close enough for "archived after a year" and needs no calendar.
DAYS_PER_MONTH = 30


def archived_before(now=None):
    """Proposals published before this moment are archived."""
    now = now or timezone.now()
    return now - timedelta(days=DAYS_PER_MONTH * settings.PROPOSAL_ARCHIVE_MONTHS)


def is_archived(proposal: Proposal, now=None) -> bool:
    return bool(proposal.published_at and proposal.published_at < archived_before(now))


def is_open(proposal: Proposal, now=None) -> bool:
    """Published, visible, not retired and not archived: supports may change."""
    return (
        proposal.status == Proposal.Status.PUBLISHED
        and not proposal.is_hidden
        and not is_archived(proposal, now)
    )


def can_start_proposal(user) -> Decision:
    """Only verified people (house register or confirmed residents) write proposals."""
    if not user.is_authenticated:
        return Decision(False, _("Sign in to write a proposal."))
    if not user.is_verified:
        return Decision(False, _("Verify your residence to write a proposal."))
    return ALLOWED


def can_edit_proposal(user, proposal: Proposal) -> Decision:
    """The author edits a proposal while it is a draft."""
    if not user.is_authenticated or proposal.author_id != user.pk:
        return Decision(False, _("Only the author can change this proposal."))
    if proposal.status != Proposal.Status.DRAFT:
        return Decision(False, _("A published proposal can no longer be changed."))
    return ALLOWED


def can_retire_proposal(user, proposal: Proposal) -> Decision:
    """The author retires a published proposal that is still open."""
    if not user.is_authenticated or proposal.author_id != user.pk:
        return Decision(False, _("Only the author can retire this proposal."))
    if not is_open(proposal):
        return Decision(False, _("Only an open proposal can be retired."))
    return ALLOWED


def can_support(user, proposal: Proposal, *, supported: bool = False, now=None) -> Decision:
    """May this person support this proposal now, and if not, why.

    `supported` says whether they already do (the caller knows it from the page's query).
    """
    if not user.is_authenticated:
        return Decision(False, _("Sign in to support proposals."))
    if proposal.status == Proposal.Status.DRAFT:
        return Decision(False, _("This proposal is not published yet."))
    if proposal.status == Proposal.Status.RETIRED:
        return Decision(False, _("Its author has retired this proposal."))
    if proposal.is_hidden:
        return Decision(False, _("This content has been hidden by a moderator."))
    if is_archived(proposal, now):
        return Decision(False, _("This proposal is archived: it no longer takes supports."))
    if supported:
        return Decision(False, _("You already support this proposal."))
    voter_class = voter_class_for(user, proposal)
    if voter_class is None or voter_class not in settings.PROPOSAL_SUPPORT_CLASSES:
        return Decision(
            False,
            _("Only people verified as citizens or residents of Saensuk can support proposals."),
        )
    return ALLOWED


def can_withdraw_support(user, proposal: Proposal, *, supported: bool, now=None) -> Decision:
    """A support can be taken back while the proposal is open."""
    if not user.is_authenticated or not supported:
        return Decision(False, _("You do not support this proposal."))
    if not is_open(proposal, now):
        return Decision(False, _("Supports can only be withdrawn while the proposal is open."))
    return ALLOWED


def can_send_update(user, proposal: Proposal, now=None) -> Decision:
    """The author writes to supporters of a published proposal, at most once per interval."""
    if not user.is_authenticated or proposal.author_id != user.pk:
        return Decision(False, _("Only the author can write to the supporters."))
    if proposal.status != Proposal.Status.PUBLISHED or proposal.is_hidden:
        return Decision(False, _("Only a published proposal can send updates."))
    now = now or timezone.now()
    interval = timedelta(days=settings.PROPOSAL_UPDATE_INTERVAL_DAYS)
    last = proposal.updates.order_by("-created_at").values_list("created_at", flat=True).first()
    if last and last > now - interval:
        return Decision(
            False,
            _("You can send the next update after %(when)s.")
            % {"when": format_datetime(last + interval, get_language() or "th")},
        )
    return ALLOWED


# Turning a proposal into a budget project edits the proposal and writes a project.
MAKE_INVESTMENT_PERMISSIONS = ("proposals.change_proposal", "budgets.add_investment")
ALREADY_INVESTMENT = _("This proposal has already become a budget project.")


def may_make_investments(user) -> bool:
    """Staff allowed to turn proposals into budget projects at all (the admin action)."""
    return user.is_authenticated and user.has_perms(MAKE_INVESTMENT_PERMISSIONS)


def _became_investment(proposal: Proposal) -> bool:
    # The reverse side of budgets.Investment.proposal: asks the database unless already known.
    try:
        proposal.investment  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


def can_make_investment(user, proposal: Proposal) -> Decision:
    """Staff turn a successful proposal into one budget project, once.

    An outcome recorded by hand as a project counts too, so that no second project is made.
    Callers that then write hold the proposal's row lock (investment_from_proposal).
    """
    if not may_make_investments(user):
        return Decision(False, _("You may not turn proposals into budget projects."))
    if proposal.successful_at is None:
        return Decision(False, _("Only a successful proposal can become a budget project."))
    if proposal.outcome == Proposal.Outcome.INVESTMENT or _became_investment(proposal):
        return Decision(False, ALREADY_INVESTMENT)
    return ALLOWED
