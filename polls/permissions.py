"""Who may vote in a poll, online or at a booth: one function each, with the reason."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CensusRecord, InterestDeclaration, VoterClass
from accounts.selectors import voter_class_for
from participation.permissions import ALLOWED, Decision
from polls.models import Poll, RollEntry

NOT_SIGNED_IN = _("Sign in to vote.")
NOT_OPEN_YET = _("This poll is not open yet.")
CLOSED = _("This poll has closed.")
ALREADY_VOTED = _("You have already voted in this poll.")
NOT_VERIFIED = _("Only people whose residence is verified can vote in this poll.")
WRONG_COMMUNITY = _("This poll is only for people of the communities it names.")
CLASS_NOT_ADMITTED = _("Your voter class is not among the classes this poll admits.")
DECLARE_FIRST = _("Tell us first how this matter concerns you.")


def census_record_of(user) -> CensusRecord | None:
    """The house-register entry a verified account stands on, if any (one query, cached)."""
    if not user.is_authenticated:
        return None
    try:
        return user.census_record
    except CensusRecord.DoesNotExist:
        return None


def roll_filter(user) -> Q:
    """Roll entries that are this person: by account, or by the census record it verifies."""
    condition = Q(user=user)
    record = census_record_of(user)
    if record is not None:
        condition |= Q(census_record=record)
    return condition


def has_voted(user, poll: Poll) -> bool:
    if not user.is_authenticated:
        return False
    return RollEntry.objects.filter(roll_filter(user), poll=poll).exists()


def _community_ids(poll: Poll) -> set[int]:
    # The list page prefetches communities; all() then costs no query.
    return {community.pk for community in poll.communities.all()}


def poll_window_decision(poll: Poll, now=None) -> Decision:
    if not poll.has_opened(now):
        return Decision(False, NOT_OPEN_YET)
    if poll.is_closed(now):
        return Decision(False, CLOSED)
    return ALLOWED


_UNSET = object()


def ballot_eligibility(user, poll: Poll, *, voter_class=_UNSET, voted=None, now=None) -> Decision:
    """May this person vote in this poll now, online, and if not, why.

    A list page passes `voter_class` (accounts.selectors.voter_classes_for) and `voted` it
    fetched for many polls at once; otherwise they cost a query each.
    """
    if not user.is_authenticated:
        return Decision(False, NOT_SIGNED_IN)
    window = poll_window_decision(poll, now)
    if not window:
        return window
    if voted is None:
        voted = has_voted(user, poll)
    if voted:
        return Decision(False, ALREADY_VOTED)
    communities = _community_ids(poll)
    if communities:
        # A poll for some communities needs to know where the person lives: only verification
        # says so.
        if not user.is_verified:
            return Decision(False, NOT_VERIFIED)
        if user.residence_community_id not in communities:
            return Decision(False, WRONG_COMMUNITY)
    if voter_class is _UNSET:
        voter_class = voter_class_for(user, poll)
    admitted = poll.admitted_classes
    if voter_class is None:
        if set(InterestDeclaration.DECLARABLE) & set(admitted):
            return Decision(False, DECLARE_FIRST)
        return Decision(False, NOT_VERIFIED)
    if voter_class not in admitted:
        affected = {VoterClass.AFFECTED_CITIZEN, VoterClass.AFFECTED_RESIDENT}
        if not user.is_verified and affected & set(admitted):
            # Verifying would give them a class the poll admits.
            return Decision(False, NOT_VERIFIED)
        return Decision(False, CLASS_NOT_ADMITTED)
    return ALLOWED


def booth_eligibility(record: CensusRecord, poll: Poll, *, now=None) -> Decision:
    """May the person of this census record vote at a booth now: citizens in the register only."""
    window = poll_window_decision(poll, now)
    if not window:
        return window
    same_person = Q(census_record=record)
    if record.user_id:
        # Their account may have voted online before it stood on this record.
        same_person |= Q(user_id=record.user_id)
    voted = RollEntry.objects.filter(same_person, poll=poll).exists()
    if voted:
        return Decision(False, _("This person has already voted in this poll."))
    communities = _community_ids(poll)
    if communities and record.community_id not in communities:
        return Decision(False, WRONG_COMMUNITY)
    if VoterClass.AFFECTED_CITIZEN not in poll.admitted_classes:
        return Decision(False, _("This poll does not admit citizens in the house register."))
    return ALLOWED


def can_record_at_booth(user, booth) -> Decision:
    """Poll officers assigned to the booth (and superusers) record votes there."""
    if not user.is_authenticated or not user.has_perm("polls.record_booth_vote"):
        return Decision(False, _("Only poll officers can work at a booth."))
    if not user.is_superuser and not booth.officers.filter(pk=user.pk).exists():
        return Decision(False, _("You are not an officer of this booth."))
    return ALLOWED


def can_see_results(user, poll: Poll) -> bool:
    """Published results are public; staff who manage polls or plan see them before."""
    result = getattr(poll, "result", None)
    if result is not None and result.published_at:
        return True
    return user.is_authenticated and user.has_perm("polls.view_pollresult")
