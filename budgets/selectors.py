"""Reads for participatory budgeting: querysets with what their pages show fetched up front."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import VoterClass
from budgets.models import (
    Booth,
    Budget,
    BudgetGroup,
    Feasibility,
    Heading,
    HeadingResult,
    Investment,
    InvestmentSupport,
    RollEntry,
)
from participation.disclosure import SMALL_GROUPS, small_groups_label
from participation.models import Community, Milestone, in_language

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


def roll_entry_of(user, heading: Heading) -> RollEntry | None:
    """The person's entry on the heading's roll (online, or marked at a booth), if any."""
    if not user.is_authenticated:
        return None
    census = Q(census_record__user=user)
    return RollEntry.objects.filter(heading=heading).filter(Q(user=user) | census).first()


def roll_entries_in_group(user, heading: Heading) -> list[RollEntry]:
    """The person's entries on the rolls of the other headings of this heading's group."""
    if not user.is_authenticated:
        return []
    return list(
        RollEntry.objects.filter(user=user, heading__group_id=heading.group_id)
        .exclude(heading=heading)
        .select_related("heading")
    )


def booths_served(user, budget: Budget) -> list[Booth]:
    """The booths of this budget where this person is an officer."""
    if not user.is_authenticated:
        return []
    return list(Booth.objects.filter(budget=budget, officers=user).order_by("name", "pk"))


def booth_get(pk) -> Booth:
    """A booth with its budget and the budget's phases (the view checks who may see it)."""
    return (
        Booth.objects.select_related("budget", "count_confirmed_by")
        .prefetch_related("budget__phases")
        .get(pk=pk)
    )


def booth_headings(booth: Booth) -> list[Heading]:
    """The headings of the booth's budget, each with `marked` (people marked on its roll at the
    booth) and `entered` (paper ballots entered for it), in three queries."""
    from budgets.models import Ballot

    headings = list(
        Heading.objects.filter(group__budget_id=booth.budget_id).order_by("group_id", "id")
    )
    marked = dict(
        RollEntry.objects.filter(booth=booth)
        .values("heading_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("heading_id", "n")
    )
    entered = dict(
        Ballot.objects.filter(booth=booth)
        .values("heading_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("heading_id", "n")
    )
    for heading in headings:
        heading.marked = marked.get(heading.pk, 0)
        heading.entered = entered.get(heading.pk, 0)
    return headings


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


def _column_label(column: dict, kind: str, minimum: int) -> str:

    key = column["key"]
    if key == SMALL_GROUPS:
        return small_groups_label(minimum)
    if kind == "by_class":
        return str(dict(VoterClass.choices).get(key, key)) if key else "—"
    if "name_th" in column:
        return in_language(column["name_th"], column.get("name_en") or "")
    return "—"


def result_tables(result: HeadingResult, rows: list[dict]) -> dict:
    """The votes of each project by voter class and by community, as the count stored them
    (small groups merged); no query."""
    splits = result.data.get("splits", {})
    minimum = splits.get("minimum", 0)
    tables = {}
    for kind in ("by_class", "by_community"):
        split = splits.get(kind, {"columns": [], "votes": {}})
        columns = split["columns"]
        tables[kind] = {
            "columns": [_column_label(column, kind, minimum) for column in columns],
            "ballots": [column["ballots"] for column in columns],
            "merged": any(column["key"] == SMALL_GROUPS for column in columns),
            "rows": [
                {
                    "investment": row["investment"],
                    "won": row["won"],
                    "cells": split["votes"].get(str(row["investment"].pk), [0] * len(columns)),
                }
                for row in rows
            ],
        }
    return tables


def reconciliation_rows(result: HeadingResult) -> list[dict]:
    """The stored roll-and-box rows for the reconciliation table, with each booth's
    confirmation as it stands now (one query over the booths, none over ballots)."""
    from django.utils.translation import gettext as _

    stored = result.data.get("reconciliation", [])
    booth_ids = [row["booth"] for row in stored if row.get("booth")]
    confirmed = dict(Booth.objects.filter(pk__in=booth_ids).values_list("pk", "count_confirmed_at"))
    rows = []
    for row in stored:
        booth = row.get("booth")
        rows.append(
            {
                "label": row["name"] if booth else _("Online"),
                "on_roll": row["on_roll"],
                "counted": row["counted"],
                "difference": row["counted"] - row["on_roll"],
                "confirmed": None if not booth else confirmed.get(booth) is not None,
            }
        )
    return rows


def heading_stats(headings) -> list[dict]:
    """Voters per heading: people on the roll, share of the population, and (once published)
    the counted ballots by class as the count stored them."""
    headings = list(headings)
    people = dict(
        RollEntry.objects.filter(heading__in=headings)
        .values("heading_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("heading_id", "n")
    )
    results = {
        result.heading_id: result
        for result in HeadingResult.objects.filter(
            heading__in=headings, published_at__isnull=False
        ).only("heading_id", "data")
    }
    out = []
    for heading in headings:
        result = results.get(heading.pk)
        imported = result.data.get("participation", {}).get("imported", 0) if result else 0
        total = people.get(heading.pk, 0) + imported
        share = total / heading.population * 100 if heading.population else None
        by_class = []
        if result:
            split = result.data.get("splits", {})
            minimum = split.get("minimum", 0)
            for column in split.get("by_class", {}).get("columns", []):
                by_class.append(
                    {
                        "label": _column_label(column, "by_class", minimum),
                        "count": column["ballots"],
                    }
                )
        out.append({"heading": heading, "total": total, "share": share, "by_class": by_class})
    return out


def _person_counts(entries) -> int:
    """People among roll entries: one per house-register entry, else one per account (a
    person in two headings is one person)."""
    counts = entries.aggregate(
        records=Count("census_record", distinct=True),
        accounts=Count("user", distinct=True, filter=Q(census_record__isnull=True)),
    )
    return counts["records"] + counts["accounts"]


def budget_voters(budget: Budget) -> int:
    """How many people voted in the budget, in any of its headings."""
    return _person_counts(RollEntry.objects.filter(heading__group__budget=budget))


def community_stats(budget: Budget) -> list[dict]:
    """People who voted in the budget per community, and the share of the community's people
    in the house register who did (at most 100%: each is counted once)."""
    from accounts.models import CensusRecord

    entries = RollEntry.objects.filter(heading__group__budget=budget)
    in_register = dict(
        entries.filter(census_record__isnull=False)
        .values("census_record__community_id")
        .annotate(n=Count("census_record", distinct=True))
        .order_by()
        .values_list("census_record__community_id", "n")
    )
    accounts = dict(
        entries.filter(census_record__isnull=True)
        .values("community_id")
        .annotate(n=Count("user", distinct=True))
        .order_by()
        .values_list("community_id", "n")
    )
    population = dict(
        CensusRecord.objects.values("community_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("community_id", "n")
    )
    ids = set(in_register) | set(accounts)
    names = {c.pk: c.name for c in Community.objects.filter(pk__in=ids - {None})}
    out = []
    for community_id in ids:
        registered = in_register.get(community_id, 0)
        people = population.get(community_id)
        out.append(
            {
                "name": names.get(community_id, ""),
                "count": registered + accounts.get(community_id, 0),
                "share": registered / people * 100 if people else None,
            }
        )
    out.sort(key=lambda row: (-row["count"], row["name"]))
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
        investment.progress = current_progress(steps)
        investment.status = execution_status(steps)
        if status and investment.status != status:
            continue
        key = investment.community.name if investment.community else ""
        groups.setdefault(key, []).append(investment)
    return [{"community": key, "investments": items} for key, items in groups.items()]


def current_progress(milestones) -> int:
    """A project's progress now: that of its latest milestone (by date) that is no longer
    planned, not the largest of them; 0 before any has started."""
    started = [m for m in milestones if m.status != Milestone.Status.PLANNED]
    if not started:
        return 0
    return max(started, key=lambda m: (m.date, m.pk)).progress


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
    """Projects for the local development plan export, with their headings' results (the
    votes are read from the stored count)."""
    investments = Investment.objects.visible().select_related(
        "strategic_issue", "community", "heading__group__budget", "heading__result"
    )
    if budget is not None:
        investments = investments.filter(heading__group__budget=budget)
    return investments.order_by("heading__group__budget", "heading", "id")
