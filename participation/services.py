from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import voter_class_for
from participation.models import (
    Comment,
    Flag,
    Follow,
    Moderated,
    ModerationAction,
    Vote,
)
from participation.permissions import (
    can_comment,
    can_confirm_count,
    can_delete_comment,
    can_flag,
    can_post_official,
    can_take_back_vote,
    can_vote,
    matter_of,
)

# Simultaneous clicks of one person settle within a couple of rounds; more means something is off.
VOTE_ATTEMPTS = 5
# CONSUL's hot score looks at the votes of the last days, at most this many.
HOT_SCORE_MAX_PERIOD_DAYS = 31


class NotAllowed(Exception):
    """A user-facing reason why an action was refused."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = str(reason)


def ensure_allowed(decision) -> None:
    """Raise NotAllowed with the decision's reason unless it allows; every stage's writes
    check their permission with it."""
    if not decision:
        raise NotAllowed(decision.reason)


def _target_filter(target: models.Model) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def votes_transfer(*, from_user, to_user) -> None:
    """Give `to_user` the votes of `from_user`, keeping `to_user`'s own where both voted.

    Used when a person who erased an account verifies a new one. Caller is inside a transaction.
    """
    own = Vote.objects.filter(
        user=to_user, content_type_id=OuterRef("content_type_id"), object_id=OuterRef("object_id")
    )
    Vote.objects.filter(user=from_user).filter(Exists(own)).delete()
    Vote.objects.filter(user=from_user).update(user=to_user)


def confidence_score_expression():
    """(up − down) × up / total, the issue's confidence score; 0 without votes."""
    up = Cast(F("cached_votes_up"), FloatField())
    down = Cast(F("cached_votes_down"), FloatField())
    return Case(
        When(Q(cached_votes_up=0) & Q(cached_votes_down=0), then=Value(0.0)),
        default=(up - down) * up / (up + down),
        output_field=FloatField(),
    )


def hot_score(target: models.Model, now=None) -> int:
    """CONSUL's hot score: (likes − dislikes of the last `period` days) / period, rounded.

    The period is the content's age in days, between 1 and HOT_SCORE_MAX_PERIOD_DAYS. A model
    whose activity is not likes (a proposal's supports) says what counts with
    `hot_score_events()`: rows with `created_at` and a `value` of 1 or -1.
    """
    now = now or timezone.now()
    age_days = -(-(now - target.created_at) // timedelta(days=1))  # ceil
    period = max(1, min(HOT_SCORE_MAX_PERIOD_DAYS, age_days))
    events = (
        target.hot_score_events()
        if hasattr(target, "hot_score_events")
        else Vote.objects.filter(**_target_filter(target))
    )
    counts = events.filter(created_at__gte=now - timedelta(days=period)).aggregate(
        up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1))
    )
    return round((counts["up"] - counts["down"]) / period)


def _counters_apply(target: models.Model, up: int, down: int) -> None:
    model = type(target)
    model.objects.filter(pk=target.pk).update(
        cached_votes_up=F("cached_votes_up") + up, cached_votes_down=F("cached_votes_down") + down
    )
    model.objects.filter(pk=target.pk).update(confidence_score=confidence_score_expression())
    if hasattr(model, "hot_score"):
        model.objects.filter(pk=target.pk).update(hot_score=hot_score(target))


@transaction.atomic
def vote_cast(*, user: User, target: models.Model, value: int | None) -> Vote | None:
    """Like (1), dislike (-1) or take back (None) a vote; counters change in the same transaction.

    Safe against double clicks and simultaneous requests: the unique constraint decides, and the
    loser re-reads the winner's row under lock.
    """
    if value not in (None, Vote.Value.UP, Vote.Value.DOWN):
        raise NotAllowed(_("Choose like or dislike."))
    if value is None:
        ensure_allowed(can_take_back_vote(user, target))
    else:
        ensure_allowed(can_vote(user, target))
    where = {"user": user, **_target_filter(target)}
    for _attempt in range(VOTE_ATTEMPTS):
        vote = Vote.objects.select_for_update().filter(**where).first()
        if vote is not None or value is None:
            break
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    **where, value=value, voter_class=voter_class_for(user, matter_of(target))
                )
        except IntegrityError:
            # A simultaneous request of this person inserted first. Its row may even be gone
            # again (taken back) by the time we read, so read afresh and decide again.
            continue
        _counters_apply(target, up=int(value == 1), down=int(value == -1))
        return vote
    else:
        raise NotAllowed(_("Your vote could not be recorded. Please try again."))
    if vote is None or vote.value == value:
        return vote
    old = vote.value
    if value is None:
        vote.delete()
        vote = None
    else:
        vote.value = value
        vote.voter_class = voter_class_for(user, matter_of(target))
        vote.save(update_fields=["value", "voter_class"])
    up = int(value == 1) - int(old == 1)
    down = int(value == -1) - int(old == -1)
    _counters_apply(target, up=up, down=down)
    return vote


def follow_add(*, user: User, target: models.Model) -> Follow:
    """Follow `target` (idempotent)."""
    follow, _created = Follow.objects.get_or_create(user=user, **_target_filter(target))
    return follow


def follow_remove(*, user: User, target: models.Model) -> None:
    """Stop following `target`."""
    Follow.objects.filter(user=user, **_target_filter(target)).delete()


@transaction.atomic
def comment_create(
    *,
    author: User,
    commentable: models.Model,
    body: str,
    parent: Comment | None = None,
    official: bool = False,
) -> Comment:
    """Add a comment or reply; the author follows the commentable; followers hear of it later."""
    ensure_allowed(can_comment(author, commentable))
    body = body.strip()
    if not body:
        raise NotAllowed(_("Write something before you publish."))
    if official and not can_post_official(author):
        official = False
    where = _target_filter(commentable)
    if parent is not None and (
        parent.content_type_id != where["content_type"].pk
        or parent.object_id != commentable.pk
        or parent.hidden_at
        or parent.deleted_at
    ):
        raise NotAllowed(_("The comment you are replying to is not on this page."))
    comment = Comment.objects.create(
        **where,
        author=author,
        body=body,
        parent=parent,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        is_official=official,
    )
    type(commentable).objects.filter(pk=commentable.pk).update(
        comments_count=F("comments_count") + 1
    )
    follow_add(user=author, target=commentable)
    from participation.tasks import notifications_fan_out

    transaction.on_commit(lambda: notifications_fan_out.delay(comment.pk))
    return comment


@transaction.atomic
def comment_delete(*, user: User, comment: Comment) -> Comment:
    """The author withdraws a comment; the thread keeps a placeholder so replies still read."""
    ensure_allowed(can_delete_comment(user, comment))
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    return comment


def flag_add(*, user: User, target: models.Model) -> bool:
    """Report content once; returns False when this person had already reported it."""
    ensure_allowed(can_flag(user, target))
    try:
        with transaction.atomic():
            Flag.objects.create(user=user, **_target_filter(target))
            type(target).objects.filter(pk=target.pk).update(flags_count=F("flags_count") + 1)
    except IntegrityError:
        return False
    return True


def moderated_models() -> list[type[Moderated]]:
    """Every concrete model whose rows can be flagged and hidden."""
    return [m for m in apps.get_models() if issubclass(m, Moderated)]


def _log(moderator: User, kind: str, items=(), *, target_user=None, summary="") -> None:
    """Record a moderation action, one row per item (or one row about a person)."""
    rows = [
        ModerationAction(
            moderator=moderator,
            kind=kind,
            target_user_id=getattr(item, "author_id", None),
            summary=str(item)[:200],
            **_target_filter(item),
        )
        for item in items
    ]
    if target_user is not None:
        rows.append(
            ModerationAction(
                moderator=moderator, kind=kind, target_user=target_user, summary=summary[:200]
            )
        )
    ModerationAction.objects.bulk_create(rows)


def _comments_count_refresh(comment_ids: list[int]) -> None:
    """Set each affected commentable's count to the comments its page shows.

    A hidden comment takes its replies off the page with it, so the count is recounted from the
    threads rather than shifted by the number of rows hidden or restored.
    """
    places = (
        Comment.objects.filter(pk__in=comment_ids)
        .values_list("content_type_id", "object_id")
        .distinct()
        .order_by()
    )
    for content_type_id, object_id in places:
        shown: set[int] = set()
        threads = (
            Comment.objects.filter(content_type_id=content_type_id, object_id=object_id)
            .order_by("depth")
            .values_list("pk", "parent_id", "hidden_at")
        )
        for pk, parent_id, hidden_at in threads:
            if hidden_at is None and (parent_id is None or parent_id in shown):
                shown.add(pk)
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        model.objects.filter(pk=object_id).update(comments_count=len(shown))


@transaction.atomic
def content_hide(*, moderator: User, targets: models.QuerySet) -> int:
    """Hide content from every public page; returns how many rows were hidden."""
    items = list(targets.filter(hidden_at__isnull=True))
    targets.model.objects.filter(pk__in=[t.pk for t in items]).update(hidden_at=timezone.now())
    if targets.model is Comment:
        _comments_count_refresh([t.pk for t in items])
    _log(moderator, ModerationAction.Kind.HIDE, items)
    return len(items)


@transaction.atomic
def content_restore(*, moderator: User, targets: models.QuerySet) -> int:
    """Show hidden content again."""
    items = list(targets.filter(hidden_at__isnull=False))
    targets.model.objects.filter(pk__in=[t.pk for t in items]).update(hidden_at=None)
    if targets.model is Comment:
        _comments_count_refresh([t.pk for t in items])
    _log(moderator, ModerationAction.Kind.RESTORE, items)
    return len(items)


@transaction.atomic
def flags_ignore(*, moderator: User, targets: models.QuerySet) -> int:
    """Judge the flags raised so far harmless: the content leaves the pending queue."""
    items = list(targets)
    targets.model.objects.filter(pk__in=[t.pk for t in items]).update(
        flags_ignored_at=timezone.now()
    )
    _log(moderator, ModerationAction.Kind.IGNORE_FLAGS, items)
    return len(items)


@transaction.atomic
def author_block(*, moderator: User, author: User) -> int:
    """Block a person: hide everything they wrote and sign them out everywhere.

    An inactive account fails authentication on its next request, which ends its sessions.
    """
    author = User.objects.select_for_update().get(pk=author.pk)
    if author.pk == moderator.pk or author.is_superuser:
        raise NotAllowed(_("You cannot block yourself or an administrator."))
    hidden = 0
    for model in moderated_models():
        if any(f.name == "author" for f in model._meta.fields):
            hidden += content_hide(moderator=moderator, targets=model.objects.filter(author=author))
    author.blocked_at = timezone.now()
    author.is_active = False
    author.save(update_fields=["blocked_at", "is_active"])
    _log(moderator, ModerationAction.Kind.BLOCK, target_user=author, summary=author.email)
    return hidden


@transaction.atomic
def author_unblock(*, moderator: User, author: User) -> None:
    """Let a blocked person sign in again; what was hidden stays hidden until restored."""
    User.objects.filter(pk=author.pk).update(blocked_at=None, is_active=True)
    _log(moderator, ModerationAction.Kind.UNBLOCK, target_user=author, summary=author.email)


def hot_scores_refresh(now=None) -> int:
    """Let hot scores cool down as activity ages.

    Every vote or support already rescored its target, so only non-zero scores can be stale.
    """
    now = now or timezone.now()
    refreshed = 0
    for model in apps.get_models():
        if not any(f.name == "hot_score" for f in model._meta.fields):
            continue
        for target in model.objects.exclude(hot_score=0).iterator():
            model.objects.filter(pk=target.pk).update(hot_score=hot_score(target, now))
            refreshed += 1
    return refreshed


def booth_count_entered(*, booth, officer) -> None:
    """Note that this officer entered paper ballots or totals at the booth; any earlier
    confirmation no longer covers the count. Caller holds the booth's row lock."""
    booth.counted_by.add(officer)
    type(booth).objects.filter(pk=booth.pk).update(
        count_confirmed_by=None, count_confirmed_at=None
    )
    booth.count_confirmed_by, booth.count_confirmed_at = None, None


def booth_count_confirm(*, booth, officer) -> None:
    """A second officer confirms the booth's count. Caller holds the booth's row lock and has
    checked that `officer` serves the booth."""
    ensure_allowed(can_confirm_count(officer, booth))
    booth.count_confirmed_by, booth.count_confirmed_at = officer, timezone.now()
    booth.save(update_fields=["count_confirmed_by", "count_confirmed_at"])
