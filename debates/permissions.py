"""Who may start and edit debates: one function per action, each with its reason."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from participation.permissions import ALLOWED, Decision


def can_start_debate(user) -> Decision:
    """Start a debate: signed in with an active (not blocked) account."""
    if not user.is_authenticated:
        return Decision(False, _("Sign in to start a debate."))
    if not user.is_active or getattr(user, "blocked_at", None) or getattr(user, "erased_at", None):
        return Decision(False, _("This account cannot start debates."))
    return ALLOWED


def can_edit_debate(user, debate) -> Decision:
    """Edit a debate: its author only, and only until it has drawn enough votes.

    CONSUL's rule: once people have voted on a text, changing it would change what they voted on.
    """
    if not user.is_authenticated or debate.author_id != user.pk:
        return Decision(False, _("Only the author can edit this debate."))
    if debate.cached_votes_total >= settings.DEBATE_EDIT_VOTE_LIMIT:
        return Decision(
            False, _("This debate can no longer be edited: people have already voted on it.")
        )
    return ALLOWED
