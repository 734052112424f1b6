"""Who may do what with shared content: one function per action, each with its reason."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.selectors import voter_class_for
from participation.models import Comment


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Decision(True)


def matter_of(target: models.Model) -> models.Model:
    """The matter a vote on `target` belongs to, whose voter class the vote keeps.

    A comment's votes count for what it discusses; content that is part of a larger matter
    (an annotation of a draft belongs to its legislation process) names it as
    `participation_matter`, so that one declaration of interest covers the whole matter.
    """
    if isinstance(target, Comment):
        target = target.commentable
    return getattr(target, "participation_matter", target)


def _signed_in(user) -> Decision:
    if not user.is_authenticated:
        return Decision(False, _("Sign in to take part."))
    return ALLOWED


def can_take_back_vote(user, target) -> Decision:
    """Withdraw one's like or dislike: signed in, on visible content. No voter class is needed
    (someone who lost theirs may still withdraw), and a closed comment phase does not matter."""
    decision = _signed_in(user)
    if not decision:
        return decision
    if target.is_hidden:
        return Decision(False, _("This content has been hidden by a moderator."))
    return ALLOWED


def can_vote(user, target) -> Decision:
    """Like or dislike: signed in, on visible content, with a voter class for its matter."""
    decision = can_take_back_vote(user, target)
    if not decision:
        return decision
    if voter_class_for(user, matter_of(target)) is None:
        return Decision(False, _("Tell us first how this matter concerns you."))
    return ALLOWED


def can_comment(user, commentable) -> Decision:
    """Write a comment or reply: signed in, on visible content, while it takes comments."""
    decision = _signed_in(user)
    if not decision:
        return decision
    if commentable.is_hidden:
        return Decision(False, _("This content has been hidden by a moderator."))
    if reason := comments_closed_reason(commentable):
        return Decision(False, reason)
    return ALLOWED


def comments_closed_reason(commentable) -> str:
    """Why `commentable` takes no comments now, or "".

    Content with phases (a legislation process, an annotation) says so itself; anything else
    takes comments for as long as it is visible.
    """
    closed_reason = getattr(commentable, "comments_closed_reason", None)
    return str(closed_reason()) if closed_reason else ""


def can_flag(user, target) -> Decision:
    """Report content: signed in, and not one's own."""
    decision = _signed_in(user)
    if not decision:
        return decision
    if getattr(target, "author_id", None) == user.pk:
        return Decision(False, _("You cannot report what you wrote yourself."))
    return ALLOWED


def can_delete_comment(user, comment: Comment) -> Decision:
    """Only the author deletes their comment, once."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return Decision(False, _("Only the author can delete this comment."))
    if comment.deleted_at:
        return Decision(False, _("This comment is already deleted."))
    return ALLOWED


def can_post_official(user) -> bool:
    """Staff may mark a comment as the municipality's official answer."""
    return user.is_authenticated and user.is_staff


def can_confirm_count(user, booth) -> Decision:
    """Another officer of the booth, who entered none of its paper ballots, confirms its count.

    The caller has checked that `user` is an officer of the booth for its stage.
    """
    if booth.count_confirmed:
        return Decision(False, _("The count of this booth is already confirmed."))
    if not booth.counted_by.exists():
        return Decision(False, _("No paper ballots have been entered for this booth yet."))
    if booth.counted_by.filter(pk=user.pk).exists():
        return Decision(
            False, _("A count is confirmed by another officer than those who entered it.")
        )
    return ALLOWED
