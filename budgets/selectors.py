"""Reads for participatory budgeting: querysets with what their pages show fetched up front."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import VoterClass
from budgets.counting import counted_lines
from budgets.models import (
    Ballot,
    Budget,
    BudgetGroup,
    Feasibility,
    Heading,
    HeadingResult,
    Investment,
    InvestmentSupport,
)
from participation.models import Milestone, in_language

RELATED = ("author", "community", "strategic_issue", "heading__group__budget")


def budget_list() -> QuerySet[Budget]:
    """Every budget, newest fiscal year first, with its phases and headings."""
    return Budget.objects.prefetch_related(
        "phases", Prefetch("groups", BudgetGroup.objects.prefetch_related("headings__community"))
    )


def budget_get(pk) -> Budget:
    return budget_list().get(pk=pk)


def heading_get(pk) -> Heading:
    """A heading with its group and budget (and the budget's phases)."""
    return (
        Heading.objects.select_related("group__budget", "community")
        .prefetch_related("group__budget__phases")
        .get(pk=pk)
    )


def heading_result(heading: Heading) -> HeadingResult | None:
    return HeadingResult.objects.filter(heading=heading).first()


def investment_list(
    *,
    heading: Heading,
    q: str | None = None,
    feasibility: str | None = None,
    strategic_issue: str | None = None,
    on_ballot: bool = False,
    order: str = "new",
) -> QuerySet[Investment]:
    """The visible projects of a heading, filtered."""
    investments = Investment.objects.visible().filter(heading=heading).select_related(*RELATED)
    if q:
        investments = investments.filter(Q(title__icontains=q.strip()) | Q(location__icontains=q))
    if feasibility in Feasibility.values:
        investments = investments.filter(feasibility=feasibility)
    if strategic_issue:
        investments = investments.filter(strategic_issue__slug=strategic_issue)
    if on_ballot:
        investments = investments.filter(selected_for_ballot=True)
    ordering = {
        "new": ["-created_at", "-id"],
        "supported": ["-supports_count", "-id"],
        "price": ["price", "id"],
    }.get(order, ["-created_at", "-id"])
    return investments.order_by(*ordering)


def investment_get(pk) -> Investment:
    """A project with what its page shows (the view decides who may see a hidden one)."""
    return (
        Investment.objects.select_related(*RELATED, "proposal")
        .prefetch_related("heading__group__budget__phases", "documents")
        .get(pk=pk)
    )


def valuation_queue(user) -> QuerySet[Investment]:
    """What this person valuates: every project for staff, the assigned ones for a valuator."""
    from budgets.permissions import is_staff_of_budgets

    investments = Investment.objects.visible().select_related("heading__group__budget", "author")
    if not is_staff_of_budgets(user):
        investments = investments.filter(valuators=user)
    return investments.order_by("feasibility", "-created_at", "-id")


def user_supported_ids(user, investments) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        InvestmentSupport.objects.filter(
            user=user, investment__in=[i.pk for i in investments]
        ).values_list("investment_id", flat=True)
    )


def ballot_of(user, heading: Heading) -> Ballot | None:
    """The person's ballot in this heading (online or recorded at a booth), if any."""
    if not user.is_authenticated:
        return None
    return Ballot.objects.filter(heading=heading).filter(user=user).first()


def ballots_in_group(user, heading: Heading) -> list[Ballot]:
    """The person's ballots in the other headings of this heading's group."""
    if not user.is_authenticated:
        return []
    return list(
        Ballot.objects.filter(user=user, heading__group_id=heading.group_id)
        .exclude(heading=heading)
        .select_related("heading")
    )


def result_rows(heading: Heading, result: HeadingResult) -> list[dict]:
    """Every project on the ballot with votes, points, cost, and whether each rule chose it."""
    winners = set(result.winner_ids)
    others = set(result.other_winner_ids)
    votes = result.data.get("votes", {})
    points = result.data.get("points", {})
    rows = []
    investments = Investment.objects.filter(heading=heading).filter(
        Q(selected_for_ballot=True) | Q(pk__in=winners | others)
    )
    for investment in investments.select_related("community"):
        rows.append(
            {
                "investment": investment,
                "votes": int(votes.get(str(investment.pk), 0)),
                "points": int(points.get(str(investment.pk), votes.get(str(investment.pk), 0))),
                "cost": investment.cost,
                "won": investment.pk in winners,
                "other_won": investment.pk in others,
            }
        )
    rows.sort(key=lambda row: (-row["points"], -row["votes"], row["investment"].pk))
    return rows


def _pivot(rows, key: str) -> tuple[list, dict]:
    """Rows of (investment_id, key, votes) as columns and {investment_id: {key: votes}}."""
    columns = []
    table: dict[int, dict] = defaultdict(dict)
    for row in rows:
        if row[key] not in columns:
            columns.append(row[key])
        table[row["investment_id"]][row[key]] = row["votes"]
    return columns, table


def result_tables(heading: Heading, rows: list[dict]) -> dict:
    """The votes of each project split by voter class and by community (two queries)."""
    labels = dict(VoterClass.choices)
    by_class = (
        counted_lines(heading)
        .values("investment_id", "ballot__voter_class")
        .annotate(votes=Count("id"))
        .order_by("ballot__voter_class")
    )
    by_community = (
        counted_lines(heading)
        .values("investment_id", "ballot__community__name_th", "ballot__community__name_en")
        .annotate(votes=Count("id"))
        .order_by("ballot__community__name_th")
    )
    class_keys, class_table = _pivot(
        [dict(r, key=r["ballot__voter_class"]) for r in by_class], "key"
    )
    community_rows = []
    for r in by_community:
        name = (
            in_language(r["ballot__community__name_th"], r["ballot__community__name_en"] or "")
            if r["ballot__community__name_th"]
            else ""
        )
        community_rows.append(dict(r, key=name))
    community_keys, community_table = _pivot(community_rows, "key")

    def table(keys, cells, label_of):
        return {
            "columns": [label_of(k) for k in keys],
            "rows": [
                {
                    "investment": row["investment"],
                    "won": row["won"],
                    "cells": [cells.get(row["investment"].pk, {}).get(k, 0) for k in keys],
                }
                for row in rows
            ],
        }

    return {
        "by_class": table(class_keys, class_table, lambda k: labels.get(k, k) or "—"),
        "by_community": table(community_keys, community_table, lambda k: k or "—"),
    }


def heading_stats(headings) -> list[dict]:
    """Participants per heading: ballots in total, by class and channel, share of the population."""
    headings = list(headings)
    counts = defaultdict(lambda: defaultdict(int))
    for row in (
        Ballot.objects.filter(heading__in=headings)
        .values("heading_id", "voter_class")
        .annotate(n=Count("id"))
    ):
        counts[row["heading_id"]][row["voter_class"]] += row["n"]
    labels = dict(VoterClass.choices)
    out = []
    for heading in headings:
        by_class = counts[heading.pk]
        total = sum(by_class.values())
        share = total / heading.population * 100 if heading.population else None
        out.append(
            {
                "heading": heading,
                "total": total,
                "share": share,
                "by_class": [
                    {"label": labels.get(k, k) or "—", "count": v}
                    for k, v in sorted(by_class.items())
                ],
            }
        )
    return out


def community_stats(budget: Budget) -> list[dict]:
    """Ballots per community across the budget, and as a share of the community's census."""
    from accounts.models import CensusRecord

    rows = (
        Ballot.objects.filter(heading__group__budget=budget)
        .values("community_id", "community__name_th", "community__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    population = dict(
        CensusRecord.objects.values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    out = []
    for r in rows:
        people = population.get(r["community_id"])
        out.append(
            {
                "name": in_language(r["community__name_th"], r["community__name_en"] or "")
                if r["community__name_th"]
                else "",
                "count": r["n"],
                "share": r["n"] / people * 100 if people else None,
            }
        )
    return out


def winners_by_community(budget: Budget, status: str | None = None) -> list[dict]:
    """The winning projects of a budget grouped by community, each with its latest milestone."""
    results = HeadingResult.objects.filter(
        heading__group__budget=budget, published_at__isnull=False
    )
    winner_ids = [pk for result in results for pk in result.winner_ids]
    investments = list(
        Investment.objects.filter(pk__in=winner_ids)
        .select_related("community", "heading")
        .order_by("community__order", "heading_id", "id")
    )
    milestones = defaultdict(list)
    for milestone in Milestone.objects.filter(
        content_type=ContentType.objects.get_for_model(Investment),
        object_id__in=[i.pk for i in investments],
    ):
        milestones[milestone.object_id].append(milestone)
    groups: dict = {}
    for investment in investments:
        steps = milestones.get(investment.pk, [])
        investment.milestone_list = steps
        investment.progress = max((m.progress for m in steps), default=0)
        investment.status = execution_status(steps)
        if status and investment.status != status:
            continue
        key = investment.community.name if investment.community else ""
        groups.setdefault(key, []).append(investment)
    return [{"community": key, "investments": items} for key, items in groups.items()]


def execution_status(milestones) -> str:
    """planned, under_way or done, from the project's milestones."""
    if not milestones:
        return Milestone.Status.PLANNED
    if all(m.status == Milestone.Status.DONE for m in milestones):
        return Milestone.Status.DONE
    if any(m.status != Milestone.Status.PLANNED for m in milestones):
        return Milestone.Status.UNDER_WAY
    return Milestone.Status.PLANNED


def planner_rows(budget: Budget | None = None) -> QuerySet[Investment]:
    """Projects for the local development plan export, with votes counted in the database."""
    investments = Investment.objects.visible().select_related(
        "strategic_issue", "community", "heading__group__budget", "heading__result"
    )
    if budget is not None:
        investments = investments.filter(heading__group__budget=budget)
    return investments.annotate(votes=Count("ballot_lines")).order_by(
        "heading__group__budget", "heading", "id"
    )
