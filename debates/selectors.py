"""Reads for debates: querysets with everything their pages show fetched up front."""

from django.core.cache import cache
from django.db.models import Count, QuerySet
from taggit.models import TaggedItem

from debates.models import Debate

ORDERS = {
    "hot": "-hot_score",
    "top": "-confidence_score",
    "new": "-created_at",
    "comments": "-comments_count",
}
DEFAULT_ORDER = "hot"


TAG_SUGGESTIONS_SECONDS = 300


def debate_visible() -> QuerySet[Debate]:
    """Debates the public may see: not hidden by a moderator, and not by a blocked author."""
    # Blocking hides an author's debates too, but the author filter also covers debates written
    # between the block and that hide, or restored by a moderator while the author is blocked.
    return Debate.objects.visible().filter(author__blocked_at__isnull=True)


def debate_list(
    *,
    order: str = DEFAULT_ORDER,
    tag: str | None = None,
    community: str | None = None,
    strategic_issue: str | None = None,
) -> QuerySet[Debate]:
    """Visible debates, featured first, then by `order` (hot, top, new or comments; else hot).

    `community` is a community code and `strategic_issue` a strategic issue slug.
    """
    debates = debate_visible().select_related("author", "community", "strategic_issue")
    if tag:
        debates = debates.filter(tags__name=tag)
    if community:
        debates = debates.filter(community__code=community)
    if strategic_issue:
        debates = debates.filter(strategic_issue__slug=strategic_issue)
    # The four (-is_featured, <order>, -id) indexes in Debate.Meta serve exactly these orderings.
    return debates.prefetch_related("tags").order_by(
        "-is_featured", ORDERS.get(order, ORDERS[DEFAULT_ORDER]), "-id"
    )


def debate_detail(pk: int) -> Debate:
    """One visible debate with its author, community, strategic issue and tags.

    Raises Debate.DoesNotExist when there is no such debate or the public may not see it.
    """
    return (
        debate_visible()
        .select_related("author", "community", "strategic_issue")
        .prefetch_related("tags")
        .get(pk=pk)
    )


def debate_tag_suggestions(limit: int = 20) -> list[str]:
    """The names of the tags most used on visible debates, most used first (cached briefly)."""

    def most_used() -> list[str]:
        return list(
            TaggedItem.objects.filter(
                content_type__app_label=Debate._meta.app_label,
                content_type__model=Debate._meta.model_name,
                object_id__in=debate_visible().values("pk"),
            )
            .values("tag__name")
            .annotate(uses=Count("pk"))
            .order_by("-uses", "tag__name")
            .values_list("tag__name", flat=True)[:limit]
        )

    # A grouped count over every tagged debate costs tens of milliseconds on a large town
    # (bench/debates.py); suggestions a few minutes old are as good.
    return cache.get_or_set(f"debates:tag-suggestions:{limit}", most_used, TAG_SUGGESTIONS_SECONDS)
