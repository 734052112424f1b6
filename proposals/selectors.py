"""Reads for proposals: querysets with everything their pages show fetched up front."""

import re

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from taggit.models import TaggedItem

from accounts.models import VoterClass
from participation.models import Competence, in_language
from proposals.models import Proposal, Support
from proposals.permissions import archived_before

ORDERS = {
    "hot": "-hot_score",
    "supported": "-supports_count",
    "new": "-published_at",
    "archived": "-published_at",
}
DEFAULT_ORDER = "hot"
COMPETENCE_FILTERS = {
    "within": Competence.WITHIN,
    "partly": Competence.PARTLY,
    "outside": Competence.OUTSIDE,
    "unscreened": Competence.UNSCREENED,
}
REFERENCE = re.compile(r"^RK-\d{4}-\d{4,}$", re.IGNORECASE)
# Primary keys are 64-bit; a longer number in a URL would overflow the database driver.
MAX_PK = 2**63 - 1
TAG_SUGGESTIONS_SECONDS = 300
RELATED = ("author", "community", "strategic_issue")


def proposal_visible() -> QuerySet[Proposal]:
    """Published or retired proposals the public may see: not hidden, author not blocked."""
    return Proposal.objects.visible().filter(
        status__in=[Proposal.Status.PUBLISHED, Proposal.Status.RETIRED],
        author__blocked_at__isnull=True,
    )


def proposal_list(
    *,
    order: str = DEFAULT_ORDER,
    tag: str | None = None,
    community: str | None = None,
    strategic_issue: str | None = None,
    competence: str | None = None,
    successful: str | None = None,
    q: str | None = None,
) -> QuerySet[Proposal]:
    """Open proposals by `order` (hot, supported, new), or the archived ones (newest first).

    Retired proposals are left out of every list: they are reached from their own page only.
    """
    if order not in ORDERS:
        order = DEFAULT_ORDER
    cutoff = archived_before()
    proposals = proposal_visible().filter(status=Proposal.Status.PUBLISHED)
    if order == "archived":
        proposals = proposals.filter(published_at__lt=cutoff)
    else:
        proposals = proposals.filter(published_at__gte=cutoff)
    if q:
        q = q.strip()
        # A reference finds its proposal wherever it is listed; words match anywhere in the
        # title or summary, which suits Thai, written without spaces between words.
        if REFERENCE.match(q):
            proposals = proposal_visible().filter(reference=q.upper())
        else:
            proposals = proposals.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if tag:
        proposals = proposals.filter(tags__name=tag)
    if community:
        proposals = proposals.filter(community__code=community)
    if strategic_issue:
        proposals = proposals.filter(strategic_issue__slug=strategic_issue)
    if competence in COMPETENCE_FILTERS:
        proposals = proposals.filter(competence=COMPETENCE_FILTERS[competence])
    if successful == "1":
        proposals = proposals.filter(successful_at__isnull=False)
    return (
        proposals.select_related(*RELATED).prefetch_related("tags").order_by(ORDERS[order], "-id")
    )


def proposal_by_reference_or_pk(key: str, *, user=None) -> Proposal:
    """One proposal by reference (any case) or pk; drafts only for their author.

    Raises Proposal.DoesNotExist when there is no such proposal or this person may not see it.
    """
    key = (key or "").strip()
    if REFERENCE.match(key):
        lookup = {"reference": key.upper()}
    # The length check comes first: int() refuses strings of more than 4,300 digits.
    elif key.isascii() and key.isdigit() and len(key) <= 19 and 0 < int(key) <= MAX_PK:
        lookup = {"pk": int(key)}
    else:
        raise Proposal.DoesNotExist
    shown = Q(pk__in=proposal_visible().values("pk"))
    if user is not None and user.is_authenticated:
        shown |= Q(status=Proposal.Status.DRAFT, author=user, hidden_at__isnull=True)
    return (
        Proposal.objects.filter(shown, **lookup)
        .select_related(*RELATED)
        .prefetch_related("tags")
        .get()
    )


def proposal_mine(user) -> QuerySet[Proposal]:
    """The person's own proposals, drafts included, most recently written first."""
    return (
        Proposal.objects.filter(author=user)
        .select_related("community", "strategic_issue")
        .order_by("-created_at", "-id")
    )


def support_split(proposal: Proposal) -> dict:
    """Supports on `proposal` in total, per voter class and per community; two queries."""
    supports = Support.objects.filter(proposal=proposal).order_by()
    class_counts = dict(
        supports.values("voter_class").annotate(n=Count("pk")).values_list("voter_class", "n")
    )
    by_class = [
        {"voter_class": c.value, "label": c.label, "count": class_counts.get(c.value, 0)}
        for c in VoterClass
    ]
    rows = (
        supports.values("community_id", "community__name_th", "community__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "community__name_th")
    )
    by_community = [
        {
            "community_id": row["community_id"],
            "name": (
                in_language(row["community__name_th"], row["community__name_en"] or "")
                if row["community_id"]
                else None
            ),
            "count": row["n"],
        }
        for row in rows
    ]
    return {
        "total": sum(class_counts.values()),
        "by_class": by_class,
        "by_community": by_community,
    }


def user_supported_ids(user, proposals) -> set[int]:
    """The pks of these proposals that the person supports; one query (none if signed out)."""
    pks = [proposal.pk for proposal in proposals]
    if not pks or not user.is_authenticated:
        return set()
    return set(
        Support.objects.filter(user=user, proposal_id__in=pks).values_list("proposal_id", flat=True)
    )


def proposal_tag_suggestions(limit: int = 20) -> list[str]:
    """The names of the tags most used on visible proposals, most used first (cached briefly)."""

    def most_used() -> list[str]:
        return list(
            TaggedItem.objects.filter(
                content_type__app_label=Proposal._meta.app_label,
                content_type__model=Proposal._meta.model_name,
                object_id__in=proposal_visible().values("pk"),
            )
            .values("tag__name")
            .annotate(uses=Count("pk"))
            .order_by("-uses", "tag__name")
            .values_list("tag__name", flat=True)[:limit]
        )

    # Suggestions a few minutes old are as good, and the grouped count is not free on a big town.
    return cache.get_or_set(
        f"proposals:tag-suggestions:{limit}", most_used, TAG_SUGGESTIONS_SECONDS
    )


def proposal_next_stages(proposal: Proposal) -> dict:
    """The public polls and the visible budget project a proposal became (two queries).

    Drafts have none and cost no query.
    """
    if proposal.status == Proposal.Status.DRAFT:
        return {"polls": [], "investment": None}
    from budgets.models import Investment

    return {
        # A poll without dates is a draft staff are still writing: not public yet.
        "polls": list(proposal.polls.scheduled().order_by("opens_at", "pk")),
        "investment": Investment.objects.visible()
        .filter(proposal=proposal)
        .select_related("heading__group__budget")
        .first(),
    }


def investment_headings(now=None):
    """The headings a proposal may become a project in: of budgets still taking projects.

    Newest budget first, each budget's headings in their order.
    """
    from budgets.models import Budget, Heading
    from budgets.permissions import budget_takes_projects

    taking = [
        b.pk for b in Budget.objects.prefetch_related("phases") if budget_takes_projects(b, now)
    ]
    return (
        Heading.objects.filter(group__budget__in=taking)
        .select_related("group__budget")
        .order_by("-group__budget__fiscal_year", "-group__budget_id", "group_id", "pk")
    )
