"""The count of one heading's ballot box, read from the database with aggregates, and its
Pabulib text.

What counts
    Only the heading's investments on the ballot (`Investment.objects.on_ballot()`: visible and
    `selected_for_ballot`); a project costs its `price` (its `estimated_cost` until valuated; a
    project with neither cannot be funded and is left out). A ballot weighs `Ballot.weight`.
    Only ballots that meet the budget's minimums count (`counted_ballots`).

Rules (budgets.tally)
    Greedy by votes (the weighted number of ballots choosing the project) for knapsack and approval
    ballots, by points (the weighted sum of points) for cumulative and ranked ballots. Equal Shares
    treats every project on a ballot as approved (cost utilities), with add1 completion, and the
    budget's optional comparison with greedy. The other rule is always computed too, so that the
    results page can show what it would have chosen.

What is stored (heading_count)
    Besides winners and votes, the count keeps everything its results page shows, so that no
    page ever groups ballots again: the votes of each project by voter class and by community,
    each split regrouped by the sizes of its ballot groups (participation.disclosure: no group
    of fewer than RESULTS_MIN_GROUP ballots is shown on its own), the reconciliation of the
    roll with the box per channel and booth, turnout (people on the roll), and the ballot box
    itself as a Pabulib file in a canonical order.

Queries
    Votes and points: one GROUP BY investment and ballot weight (exact with weights, which are
    few distinct values). Equal Shares: identical ballots grouped in the database by a signature,
    the string aggregate of the ballot's investment ids (GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL), then counted per signature and weight; signatures are canonicalised again in
    Python, so the order a database aggregates in cannot split a group.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import VoterClass
from budgets import pabulib, tally
from budgets.models import (
    Ballot,
    BallotLine,
    BallotStyle,
    Booth,
    Budget,
    BudgetGroup,
    Channel,
    Feasibility,
    Heading,
    Investment,
    RollEntry,
    TallyRule,
)
from participation.disclosure import SMALL_GROUPS, group_map, minimum_group, regroup
from participation.models import Community

POINTS_STYLES = (BallotStyle.CUMULATIVE, BallotStyle.RANKED)
WEIGHT_PLACES = Decimal("0.0001")  # Ballot.weight has 4 decimal places


@dataclass
class HeadingTally:
    """The outcome of a heading: winners under the budget's rule and under the other one."""

    rule: str
    other_rule: str
    winners: list[int]  # investment ids, in the order the rule funded them
    other_winners: list[int]
    votes: dict[int, int]  # investment id -> ballots choosing it
    points: dict[int, int]  # investment id -> sum of points (unweighted)
    ballots: int  # ballots counted
    ballots_not_counted: int  # ballots left below the budget's minimums
    amount: int
    costs: dict[int, int] = field(default_factory=dict)  # the projects that took part, in order
    scores: dict[int, Decimal] = field(default_factory=dict)  # what greedy ranks by (weighted)
    greedy_preferred: bool = False  # Equal Shares' comparison step chose the greedy outcome
    prefer_greedy: Decimal = Decimal(0)  # weight of voters preferring greedy (comparison step)
    prefer_equal_shares: Decimal = Decimal(0)
    equal_shares_increments: int = 0  # add1 steps: currency units added to each voter's share

    @property
    def spent(self) -> int:
        return sum(self.costs[i] for i in self.winners)


def _weight(value) -> Decimal:
    # SQLite hands back a float (or int) for a decimal column; the column has 4 places.
    return Decimal(str(value)).quantize(WEIGHT_PLACES)


def _decimal(value) -> Decimal:
    # Weights have 4 decimal places, so sums of them are exact in Decimal.
    value = Fraction(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def _exact(value: Decimal):
    return int(value) if value == value.to_integral_value() else value


def heading_investments(heading: Heading) -> dict[int, int]:
    """Cost of each investment that takes part in the count, in the heading's order."""
    rows = (
        Investment.objects.on_ballot()
        .filter(heading=heading)
        .order_by("pk")
        .values_list("pk", "price", "estimated_cost")
    )
    return {
        pk: price if price is not None else estimate
        for pk, price, estimate in rows
        if price is not None or estimate is not None
    }


def counted_ballots(heading: Heading) -> QuerySet[Ballot]:
    """The heading's ballots that meet its budget's minimums; only these are counted.

    A ballot is kept as it is built, so one still short of the fewest projects or of the least
    share of the amount when balloting ends is incomplete: it goes into the box, and its voter
    was shown why on the ballot page, but it is not counted (as the cities that set minimums
    do). Spending is the projects' prices, as the ballot page adds them up.
    """
    budget = heading.group.budget
    ballots = Ballot.objects.filter(heading=heading)
    if not budget.min_projects and not budget.min_spent_share:
        return ballots
    ballots = ballots.annotate(
        lines_count=Count("lines"), spent=Coalesce(Sum("lines__investment__price"), 0)
    )
    if budget.min_projects:
        ballots = ballots.filter(lines_count__gte=budget.min_projects)
    if budget.min_spent_share:
        ballots = ballots.filter(spent__gte=budget.min_spent_share * heading.amount)
    return ballots


def counted_lines(heading: Heading) -> QuerySet[BallotLine]:
    """The lines of the heading's counted ballots."""
    budget = heading.group.budget
    lines = BallotLine.objects.filter(ballot__heading=heading)
    if budget.min_projects or budget.min_spent_share:
        lines = lines.filter(ballot__in=counted_ballots(heading).values("pk"))
    return lines


def _votes_and_points(heading: Heading, ids) -> tuple[dict, dict, dict, dict]:
    rows = (
        counted_lines(heading)
        .filter(investment_id__in=ids)
        .values("investment_id", "ballot__weight")
        .annotate(n=Count("id"), p=Sum("points"))
        .order_by()
    )
    votes = dict.fromkeys(ids, 0)
    points = dict.fromkeys(ids, 0)
    weighted_votes = dict.fromkeys(ids, Decimal(0))
    weighted_points = dict.fromkeys(ids, Decimal(0))
    for row in rows:
        pk, weight = row["investment_id"], _weight(row["ballot__weight"])
        votes[pk] += row["n"]
        points[pk] += row["p"] or 0
        weighted_votes[pk] += weight * row["n"]
        weighted_points[pk] += weight * (row["p"] or 0)
    return votes, points, weighted_votes, weighted_points


def _signature_sql() -> str:
    if connection.vendor == "postgresql":
        return "STRING_AGG(CAST(l.investment_id AS TEXT), ',' ORDER BY l.investment_id)"
    # SQLite before 3.44 has no ORDER BY inside an aggregate; the ordered subquery gives the
    # order in practice, and the signature is sorted again in Python in any case.
    return "GROUP_CONCAT(l.investment_id, ',')"


def ballot_groups(heading: Heading, ids) -> list[tuple[list[int], Decimal]]:
    """Identical ballots grouped: (investment ids, total weight), counted in the database."""
    if not ids:
        return []
    line_table = BallotLine._meta.db_table
    ballot_table = Ballot._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    budget = heading.group.budget
    counted_sql, counted_params = "", ()
    if budget.min_projects or budget.min_spent_share:
        subquery, counted_params = counted_ballots(heading).values("pk").query.sql_with_params()
        counted_sql = f"AND b.id IN ({subquery})"
    sql = f"""
        SELECT signature, weight, COUNT(*) FROM (
            SELECT l.ballot_id, b.weight AS weight, {_signature_sql()} AS signature
            FROM (
                SELECT ballot_id, investment_id FROM {line_table}
                WHERE investment_id IN ({placeholders})
                ORDER BY ballot_id, investment_id
            ) l
            JOIN {ballot_table} b ON b.id = l.ballot_id
            WHERE b.heading_id = %s {counted_sql}
            GROUP BY l.ballot_id, b.weight
        ) per_ballot
        GROUP BY signature, weight
    """
    grouped: dict[tuple[int, ...], Decimal] = defaultdict(Decimal)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, heading.pk, *counted_params])
        for signature, weight, count in cursor.fetchall():
            key = tuple(sorted(int(pk) for pk in str(signature).split(",")))
            grouped[key] += _weight(weight) * count
    return [(list(key), weight) for key, weight in grouped.items()]


def heading_tally(heading: Heading) -> HeadingTally:
    """Count a heading's ballots with its budget's rule, and with the other rule beside it."""
    budget = heading.group.budget
    costs = heading_investments(heading)
    ids = list(costs)
    votes, points, weighted_votes, weighted_points = _votes_and_points(heading, ids)
    ballots_counted = counted_ballots(heading).count()
    by_points = budget.ballot_style in POINTS_STYLES
    scores = weighted_points if by_points else weighted_votes
    amount = heading.amount
    greedy_winners = tally.greedy(amount, costs, scores)
    shares = tally.equal_shares_details(
        amount,
        costs,
        ((members, _exact(weight)) for members, weight in ballot_groups(heading, ids)),
        completion=True,
        greedy_comparison=budget.greedy_comparison,
    )
    result = HeadingTally(
        rule=budget.rule,
        other_rule=TallyRule.GREEDY
        if budget.rule == TallyRule.EQUAL_SHARES
        else TallyRule.EQUAL_SHARES,
        winners=[],
        other_winners=[],
        votes=votes,
        points=points,
        ballots=ballots_counted,
        ballots_not_counted=Ballot.objects.filter(heading=heading).count() - ballots_counted,
        amount=amount,
        costs=costs,
        scores=scores,
        equal_shares_increments=shares.increments,
    )
    if budget.rule == TallyRule.EQUAL_SHARES:
        result.winners = shares.winners
        result.other_winners = greedy_winners
        result.greedy_preferred = shares.greedy_won
        result.prefer_greedy = _decimal(shares.prefer_greedy)
        result.prefer_equal_shares = _decimal(shares.prefer_mes)
    else:
        result.winners = greedy_winners
        result.other_winners = shares.mes_winners
    return result


# What the count stores -------------------------------------------------------------------


@dataclass
class HeadingCount:
    """A heading's count: the tally, what its pages show besides, and the ballot box file."""

    tally: HeadingTally
    data: dict
    box: str


def heading_count(heading: Heading) -> HeadingCount:
    """Count the box and prepare everything the results page, the stats page and the download
    read, so that none of them groups ballots again."""
    counted = heading_tally(heading)
    ids = list(counted.costs)
    data = {
        "splits": {
            "minimum": minimum_group(),
            "by_class": _split(heading, ids, "voter_class"),
            "by_community": _split(heading, ids, "community_id"),
        },
        "reconciliation": reconciliation(heading),
        "participation": _participation(heading),
        "box_ballots": Ballot.objects.filter(heading=heading).count(),
    }
    box = pabulib.dumps(heading_pabulib(heading, counted))
    return HeadingCount(counted, data, box)


def _counted_box(heading: Heading) -> QuerySet[Ballot]:
    """The counted ballots, as a plain queryset that can be grouped."""
    budget = heading.group.budget
    ballots = Ballot.objects.filter(heading=heading)
    if budget.min_projects or budget.min_spent_share:
        ballots = ballots.filter(pk__in=counted_ballots(heading).values("pk"))
    return ballots


def _key(value) -> str:
    return "" if value is None else str(value)


def _split(heading: Heading, ids: list[int], field: str) -> dict:
    """The votes of each project by voter class or community, over published groups.

    Groups are the counted ballots of each class (community); a group smaller than the
    minimum is merged into SMALL_GROUPS with the other small ones (participation.disclosure),
    and each project's votes follow their ballots into the merged column. Totals stay exact.
    """
    sizes = {
        _key(row[field]): row["n"]
        for row in _counted_box(heading).values(field).annotate(n=Count("pk")).order_by()
    }
    mapping = group_map(sizes)
    published = regroup(sizes, mapping)
    cells: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        counted_lines(heading)
        .filter(investment_id__in=ids)
        .values("investment_id", f"ballot__{field}")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        cells[row["investment_id"]][_key(row[f"ballot__{field}"])] = row["n"]
    if field == "voter_class":
        order = {value: n for n, value in enumerate(VoterClass.values)}
        names = {}
    else:
        communities = Community.objects.filter(
            pk__in=[int(k) for k in published if k not in ("", SMALL_GROUPS)]
        )
        order = {str(c.pk): n for n, c in enumerate(communities.order_by("order", "name_th"))}
        names = {str(c.pk): (c.name_th, c.name_en) for c in communities}
    keys = sorted(published, key=lambda k: (k == SMALL_GROUPS, k == "", order.get(k, 0), k))
    columns = []
    for key in keys:
        column = {"key": key, "ballots": published[key]}
        if key in names:
            column["name_th"], column["name_en"] = names[key]
        columns.append(column)
    votes = {}
    for pk in ids:
        merged = regroup(cells.get(pk, {}), mapping)
        votes[str(pk)] = [merged.get(key, 0) for key in keys]
    return {"columns": columns, "votes": votes}


def reconciliation(heading: Heading) -> list[dict]:
    """People on the roll against ballots in the box, online and per booth (imported ballots
    have no roll and are left out)."""
    roll = {
        (row["channel"], row["booth_id"]): row["n"]
        for row in RollEntry.objects.filter(heading=heading)
        .values("channel", "booth_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    box = {
        (row["channel"], row["booth_id"]): row["n"]
        for row in Ballot.objects.filter(heading=heading)
        .exclude(channel=Channel.IMPORTED)
        .values("channel", "booth_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    online = (Channel.ONLINE.value, None)
    if online in roll or online in box:
        rows.append(
            {"channel": "online", "on_roll": roll.get(online, 0), "counted": box.get(online, 0)}
        )
    booth_ids = {booth for channel, booth in [*roll, *box] if channel == Channel.BOOTH}
    for booth in Booth.objects.filter(pk__in=booth_ids).order_by("name", "pk"):
        key = (Channel.BOOTH.value, booth.pk)
        rows.append(
            {
                "channel": "booth",
                "booth": booth.pk,
                "name": booth.name,
                "on_roll": roll.get(key, 0),
                "counted": box.get(key, 0),
            }
        )
    return rows


def _participation(heading: Heading) -> dict:
    """Turnout: the people on the roll (online and at booths), not the ballots; imported
    ballots, which have no roll, beside them."""
    by_channel = dict(
        RollEntry.objects.filter(heading=heading)
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("channel", "n")
    )
    people = sum(by_channel.values())
    return {
        "people": people,
        "online": by_channel.get(Channel.ONLINE, 0),
        "booth": by_channel.get(Channel.BOOTH, 0),
        "imported": Ballot.objects.filter(heading=heading, channel=Channel.IMPORTED).count(),
        "population": heading.population,
    }


# Pabulib export ---------------------------------------------------------------------------

VOTE_TYPES = {
    BallotStyle.KNAPSACK: "approval",
    BallotStyle.APPROVAL: "approval",
    BallotStyle.CUMULATIVE: "cumulative",
    BallotStyle.RANKED: "ordinal",
}


def heading_pabulib(heading: Heading, counted: HeadingTally | None = None) -> pabulib.PabulibFile:
    """The heading as a Pabulib file whose `selected` column holds Ruamkit's winners."""
    heading = Heading.objects.select_related("group__budget", "community").get(pk=heading.pk)
    budget = heading.group.budget
    counted = counted or heading_tally(heading)
    investments = list(
        Investment.objects.filter(pk__in=list(counted.costs))
        .order_by("pk")
        .values("pk", "title", "external_id")
    )
    external = [row["external_id"] for row in investments]
    use_external = all(external) and len(set(external)) == len(external)
    project_key = {
        row["pk"]: (row["external_id"] if use_external else str(row["pk"])) for row in investments
    }
    vote_type = VOTE_TYPES.get(budget.ballot_style, "approval")
    winners = set(counted.winners)
    meta = {
        "description": f"{budget.title} | {heading.title}",
        "country": "Thailand",
        "unit": budget.title,
        "subunit": heading.title,
        "instance": str(budget.fiscal_year),
        "num_projects": str(len(investments)),
        "num_votes": "0",
        "budget": str(heading.amount),
        "vote_type": vote_type,
        "rule": "equalshares/add1" if counted.rule == TallyRule.EQUAL_SHARES else "greedy",
        "currency": budget.currency,
    }
    if budget.ballot_style == BallotStyle.APPROVAL and budget.approval_max_projects:
        meta["max_length"] = str(budget.approval_max_projects)
    if budget.ballot_style == BallotStyle.RANKED and budget.ranked_length:
        meta["max_length"] = str(budget.ranked_length)
    if budget.ballot_style == BallotStyle.CUMULATIVE:
        if budget.points_total:
            meta["max_sum_points"] = str(budget.points_total)
        if budget.points_max_per_project:
            meta["max_points"] = str(budget.points_max_per_project)
    if budget.ballot_style == BallotStyle.KNAPSACK:
        meta["max_sum_cost"] = str(heading.amount)
    if budget.min_projects:
        meta["min_length"] = str(budget.min_projects)
    by_points = budget.ballot_style in POINTS_STYLES
    project_columns = ["project_id", "cost", "votes", *(["score"] if by_points else []), "name"]
    project_columns.append("selected")
    projects = {}
    for row in investments:
        key = project_key[row["pk"]]
        fields = {
            "votes": str(counted.votes.get(row["pk"], 0)),
            "score": str(counted.points.get(row["pk"], 0)),
            "name": row["title"],
            "selected": "1" if row["pk"] in winners else "0",
        }
        projects[key] = pabulib.Project(key, counted.costs[row["pk"]], fields)

    ballots = _box_ballots(heading, list(project_key), ordinal=vote_type == "ordinal")
    weighted = budget.is_weighted
    shown_weights: dict[str, str] = {}
    if weighted:
        sizes: dict[str, int] = defaultdict(int)
        for _content, weight in ballots:
            sizes[weight] += 1
        shown_weights = group_map(sizes)
    votes: list[pabulib.Vote] = []
    for number, (content, weight) in enumerate(ballots, start=1):
        vote = pabulib.Vote(
            str(number),
            [project_key[pk] for pk, _points in content],
            [points for _pk, points in content] if vote_type == "cumulative" else None,
        )
        if weighted:
            vote.fields["weight"] = weight if shown_weights.get(weight) == weight else ""
        votes.append(vote)
    meta["num_votes"] = str(len(votes))
    blanks = any(not vote.fields.get("weight", "1") for vote in votes)
    meta["comment"] = _box_comment(counted, weighted, blanks)
    vote_columns = [
        "voter_id",
        "vote",
        *(["points"] if vote_type == "cumulative" else []),
        *(["weight"] if weighted else []),
    ]
    return pabulib.PabulibFile(meta, projects, votes, project_columns, vote_columns)


def _box_ballots(heading: Heading, ids: list[int], *, ordinal: bool) -> list[tuple[tuple, str]]:
    """The counted ballots as (((investment id, points), ...), weight), in the canonical order.

    Within a ballot, projects are listed in the order of the PROJECTS section (by id), or by
    rank on a ranked ballot; the ballots are sorted by that content, then by weight. The same
    ballots therefore always give the same file, whatever order they were stored in.
    """
    position = {pk: n for n, pk in enumerate(sorted(ids))}
    rows = (
        counted_lines(heading)
        .filter(investment_id__in=ids)
        .order_by("ballot_id", "rank", "id")
        .values_list("ballot_id", "ballot__weight", "investment_id", "points")
        .iterator(chunk_size=5000)
    )
    ballots: list[tuple[tuple, str]] = []
    current_id, current, current_weight = None, [], ""

    def close():
        if current_id is None:
            return
        lines = current if ordinal else sorted(current, key=lambda line: position[line[0]])
        ballots.append((tuple(lines), current_weight))

    for ballot_id, weight, investment_id, points in rows:
        if ballot_id != current_id:
            close()
            current_id, current = ballot_id, []
            current_weight = format(_weight(weight).normalize(), "f")
        current.append((investment_id, points))
    close()
    ballots.sort(
        key=lambda ballot: (
            [position[pk] for pk, _p in ballot[0]],
            [p for _pk, p in ballot[0]],
            ballot[1],
        )
    )
    return ballots


def _box_comment(counted: HeadingTally, weighted: bool, blanks: bool) -> str:
    parts = [
        "Ruamkit ballot box: every counted ballot, without any name, time or order of arrival, "
        "sorted by content (the projects in the order of PROJECTS, or by rank on a ranked "
        "ballot; then points; then weight); voter_id numbers the ballots in that order",
        "selected = Ruamkit's computed winners",
    ]
    if counted.ballots_not_counted:
        parts.append(
            f"{counted.ballots_not_counted} more ballots fell short of the ballot's minimums: "
            "kept in the box, not counted, not listed here"
        )
    if weighted:
        parts.append(
            "weight = the ballot's weight by its voter's class"
            + (
                f"; blank where fewer than {minimum_group()} ballots share a weight, so that "
                "no small group can be singled out (those ballots are counted with their weight)"
                if blanks
                else ""
            )
        )
    return ". ".join(parts) + "."


def heading_pabulib_text(heading: Heading) -> str:
    """The Pabulib file of a heading, as text: anyone can recompute our result from it."""
    return pabulib.dumps(heading_pabulib(heading))


# Pabulib import ---------------------------------------------------------------------------


def _fiscal_year(parsed: pabulib.PabulibFile) -> int:
    for text in (parsed.meta.get("instance", ""), parsed.meta.get("date_begin", "")):
        for year in re.findall(r"\d{4}", text):
            if 1900 <= int(year) <= 2400:
                return int(year)
    return timezone.now().year


def budget_settings(parsed: pabulib.PabulibFile) -> dict:
    """Budget fields from a file's META: ballot style, rule and the ballot's limits."""
    vote_type = parsed.vote_type
    settings: dict = {
        "rule": (
            TallyRule.EQUAL_SHARES if parsed.rule.startswith("equalshares") else TallyRule.GREEDY
        ),
        "min_projects": parsed.meta_int("min_length"),
    }
    if vote_type == "approval":
        settings["ballot_style"] = BallotStyle.APPROVAL
        settings["approval_max_projects"] = parsed.meta_int("max_length")
    elif vote_type == "choose-1":
        settings["ballot_style"] = BallotStyle.APPROVAL
        settings["approval_max_projects"] = 1
    elif vote_type == "cumulative":
        settings["ballot_style"] = BallotStyle.CUMULATIVE
        settings["points_total"] = parsed.meta_int("max_sum_points")
        settings["points_max_per_project"] = parsed.meta_int("max_points")
    else:
        settings["ballot_style"] = BallotStyle.RANKED
        settings["ranked_length"] = parsed.meta_int("max_length")
    return settings


@dataclass
class PabulibImport:
    budget: Budget
    group: BudgetGroup
    heading: Heading
    investments: int
    ballots: int
    lines: int


@transaction.atomic
def pabulib_import(*, parsed: pabulib.PabulibFile, name: str) -> PabulibImport:
    """Create a budget with one heading, its projects and ballots from a parsed Pabulib file."""
    budget_amount = parsed.budget
    if not isinstance(budget_amount, int) or budget_amount <= 0:
        raise pabulib.PabulibError(f"budget must be a positive whole amount: {budget_amount}")
    for project in parsed.projects.values():
        if not isinstance(project.cost, int):
            raise pabulib.PabulibError(
                f"cost of project {project.project_id} is not a whole amount", project.line
            )
        if len(project.project_id) > 64:
            raise pabulib.PabulibError("project_id longer than 64 characters", project.line)
    title = (parsed.meta.get("description") or name).strip()[:160] or name[:160]
    budget = Budget.objects.create(
        title=title,
        description=parsed.meta.get("comment", ""),
        fiscal_year=_fiscal_year(parsed),
        currency=(parsed.meta.get("currency") or "THB")[:8],
        source=f"pabulib:{name}"[:200],
        **budget_settings(parsed),
    )
    group = BudgetGroup.objects.create(budget=budget, title=title)
    heading_title = (
        parsed.meta.get("subunit")
        or parsed.meta.get("district")
        or parsed.meta.get("unit")
        or title
    )
    heading = Heading.objects.create(group=group, title=heading_title[:160], amount=budget_amount)
    investments = Investment.objects.bulk_create(
        Investment(
            heading=heading,
            title=(project.name or project.project_id)[:200],
            description=project.fields.get("description", ""),
            price=project.cost,
            estimated_cost=project.cost,
            feasibility=Feasibility.FEASIBLE,
            selected_for_ballot=True,
            external_id=project.project_id,
        )
        for project in parsed.projects.values()
    )
    investment_pk = {
        project_id: investment.pk
        for project_id, investment in zip(parsed.projects, investments, strict=True)
    }
    # Straight into the box, in the file's order (already public); voter ids are not kept.
    ballots = Ballot.objects.bulk_create(
        (
            Ballot(heading=heading, channel=Channel.IMPORTED, weight=Decimal(1))
            for _vote in parsed.votes
        ),
        batch_size=2000,
    )
    ordinal = parsed.vote_type == "ordinal"
    lines = [
        BallotLine(
            ballot_id=ballot.pk,
            investment_id=investment_pk[project_id],
            points=given,
            rank=rank if ordinal else None,
        )
        for ballot, vote in zip(ballots, parsed.votes, strict=True)
        for rank, (project_id, given) in enumerate(parsed.ballot_points(vote).items(), start=1)
        if given  # a cumulative ballot may list a project with no points
    ]
    for line in lines:
        if line.points < 1 or line.points != int(line.points):
            raise pabulib.PabulibError(f"points must be whole and at least 1: {line.points}")
    BallotLine.objects.bulk_create(lines, batch_size=5000)
    return PabulibImport(budget, group, heading, len(investments), len(ballots), len(lines))
