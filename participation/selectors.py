from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import VoterClass
from participation.models import (
    Comment,
    Community,
    Follow,
    Milestone,
    Moderated,
    StrategicIssue,
    Vote,
)
from participation.notifications import notification_list


def strategic_issue_list() -> QuerySet[StrategicIssue]:
    """Active strategic issues in the municipality's order."""
    return StrategicIssue.objects.active()


def community_list() -> QuerySet[Community]:
    """Communities people can choose, in the municipality's order."""
    return Community.objects.filter(is_active=True)


# --- Comments, votes and follows on any content --------------------------------------------------

COMMENT_ORDERS = {
    # CONSUL's "most voted" is the confidence score, so a few likes do not outrank a debate-wide
    # favourite; ties fall back to the conversation's own order.
    "most_voted": ("-confidence_score", "created_at", "id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}
COMMENT_ORDER_DEFAULT = "most_voted"
# Past this depth replies stop moving right, so a long thread stays readable on a 390px phone.
COMMENT_MAX_INDENT = 4


@dataclass
class CommentNode:
    """One comment in the flattened thread, with what the template needs to nest the lists."""

    comment: Comment
    user_vote: int | None
    has_replies: bool
    # How many reply lists end right after this comment (each closes an </ol></li>).
    closes: range

    @property
    def depth(self) -> int:
        return self.comment.depth

    @property
    def indent(self) -> int:
        return min(self.comment.depth, COMMENT_MAX_INDENT)


@dataclass
class CommentsPage:
    """A page of top-level comments with every visible reply of those threads."""

    order: str
    page: Page
    children: dict[int, list[Comment]]
    user_votes: dict[int, int]

    @property
    def top_level(self) -> list[Comment]:
        return list(self.page.object_list)

    @cached_property
    def nodes(self) -> list[CommentNode]:
        """The threads in reading order, flattened so the template needs no recursion.

        A template that includes itself per level would hit Python's recursion limit on a deep
        enough thread; a flat list with open/close counts renders any depth.
        """
        nodes: list[CommentNode] = []
        if not self.top_level:
            return nodes
        # Each stack entry is a list of siblings still to render, reversed so pop() is next.
        stack: list[list[Comment]] = [list(reversed(self.top_level))]
        while stack:
            siblings = stack[-1]
            comment = siblings.pop()
            replies = self.children.get(comment.pk, [])
            closes = 0
            if replies:
                stack.append(list(reversed(replies)))
            else:
                # Close every list that this comment was the last item of.
                while stack and not stack[-1]:
                    stack.pop()
                    closes += 1
                # The outermost list is the page's own <ol>: the template closes that one.
                if not stack:
                    closes -= 1
            nodes.append(
                CommentNode(
                    comment=comment,
                    user_vote=self.user_votes.get(comment.pk),
                    has_replies=bool(replies),
                    closes=range(max(closes, 0)),
                )
            )
        return nodes


def _for_model(target: models.Model) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def comments_page(
    *,
    commentable: models.Model,
    user,
    order: str = COMMENT_ORDER_DEFAULT,
    page: int | str = 1,
    per_page: int = 20,
) -> CommentsPage:
    """One page of visible threads on `commentable`, in a fixed number of queries at any size."""
    if order not in COMMENT_ORDERS:
        order = COMMENT_ORDER_DEFAULT
    ordering = COMMENT_ORDERS[order]
    top_level = (
        Comment.objects.visible()
        .filter(**_for_model(commentable), parent__isnull=True)
        .select_related("author")
        .order_by(*ordering)
    )
    page_obj = Paginator(top_level, per_page).get_page(page)
    roots = list(page_obj.object_list)
    page_obj.object_list = roots
    children: dict[int, list[Comment]] = defaultdict(list)
    comment_ids = [root.pk for root in roots]
    if roots:
        # A reply whose parent is hidden is fetched but never reached from a root, so it stays
        # out of the page with its parent.
        replies = (
            Comment.objects.visible()
            .filter(root__in=comment_ids)
            .select_related("author")
            .order_by(*ordering)
        )
        for reply in replies:
            children[reply.parent_id].append(reply)
            comment_ids.append(reply.pk)
    user_votes: dict[int, int] = {}
    if comment_ids and user.is_authenticated:
        user_votes = dict(
            Vote.objects.filter(
                user=user,
                content_type=ContentType.objects.get_for_model(Comment),
                object_id__in=comment_ids,
            ).values_list("object_id", "value")
        )
    return CommentsPage(order=order, page=page_obj, children=dict(children), user_votes=user_votes)


def vote_split(target: models.Model) -> dict:
    """Likes and dislikes on `target` in total and per voter class, in one query."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"up": 0, "down": 0})
    rows = (
        Vote.objects.filter(**_for_model(target))
        .values("voter_class", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["voter_class"]]["up" if row["value"] == Vote.Value.UP else "down"] += row["n"]
    by_class = [{"voter_class": c.value, "label": c.label, **counts[c.value]} for c in VoterClass]
    # Votes cast before a class was recorded (or by a since-erased class) still count in total.
    if "" in counts:
        by_class.append({"voter_class": "", "label": _("Unclassified"), **counts[""]})
    return {
        "total": {
            "up": sum(row["up"] for row in by_class),
            "down": sum(row["down"] for row in by_class),
        },
        "by_class": by_class,
    }


def user_vote_values(user, targets) -> dict[int, int]:
    """The person's vote (1 or -1) on each of these same-model targets, keyed by pk; one query."""
    targets = list(targets)
    if not targets or not user.is_authenticated:
        return {}
    return dict(
        Vote.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(targets[0]),
            object_id__in=[target.pk for target in targets],
        ).values_list("object_id", "value")
    )


def is_following(user, target: models.Model) -> bool:
    """Whether the person follows `target`."""
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **_for_model(target)).exists()


def rows_addressed(refs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], models.Model]:
    """Rows addressed as (content_type_id, object_id): one query per kind of content.

    Hidden moderated rows are left out, so a page never links to what moderators took down.
    """
    wanted: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in refs:
        wanted[content_type_id].add(object_id)
    found: dict[tuple[int, int], models.Model] = {}
    for content_type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        # A model whose URL reads a related row names it (ProposalUpdate: its proposal).
        rows = model._default_manager.filter(pk__in=object_ids).select_related(
            *getattr(model, "url_related", ())
        )
        if issubclass(model, Moderated):
            rows = rows.filter(hidden_at__isnull=True)
        for row in rows:
            found[(content_type_id, row.pk)] = row
    return found


def commentables_of(comments) -> dict[int, models.Model | None]:
    """What each comment is on, keyed by comment pk (None if gone or hidden)."""
    comments = list(comments)
    found = rows_addressed((c.content_type_id, c.object_id) for c in comments)
    return {c.pk: found.get((c.content_type_id, c.object_id)) for c in comments}


def notifications_page(*, user, page: int | str = 1, per_page: int = 20) -> Page:
    """A page of the person's notifications, each with `.commentable` (what a comment is on) or
    `.subject_row` (what a news item is about); None where that is gone or hidden."""
    page_obj = Paginator(notification_list(user=user), per_page).get_page(page)
    items = list(page_obj.object_list)
    commentables = commentables_of(item.comment for item in items if item.comment_id)
    subjects = rows_addressed(
        (item.content_type_id, item.object_id) for item in items if item.content_type_id
    )
    for item in items:
        item.commentable = commentables.get(item.comment_id)
        item.subject_row = subjects.get((item.content_type_id, item.object_id))
    page_obj.object_list = items
    return page_obj


def milestones_of(target: models.Model) -> list:
    """The milestones of `target`, in date order, in one query."""
    return list(
        Milestone.objects.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )
    )
