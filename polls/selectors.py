import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, Residence, User, VoterClass
from accounts.selectors import voter_classes_for
from participation import disclosure
from participation.disclosure import SMALL_GROUPS, group_map, minimum_group, regroup
from participation.models import Community
from polls.models import (
    Answer,
    Ballot,
    Booth,
    BoothTotal,
    Channel,
    Poll,
    PollResult,
    Question,
    RollEntry,
)
from polls.permissions import ballot_eligibility, roll_filter

BOOTH_COUNT = "booth_count"


# The ballot box file can weigh megabytes: pages that show a poll do not load it.
RESULT_FILE = ["result__ballot_box"]


@dataclass
class PollGroups:
    """The poll list as people read it: what I can vote in first."""

    open_allowed: list[Poll] = field(default_factory=list)
    open_refused: list[Poll] = field(default_factory=list)
    upcoming: list[Poll] = field(default_factory=list)
    closed: list[Poll] = field(default_factory=list)


def poll_list(*, user, now=None) -> PollGroups:
    """Every scheduled poll, grouped, each with `decision` for this user. A fixed few queries."""
    now = now or timezone.now()
    polls = list(
        Poll.objects.scheduled()
        .select_related("result", "strategic_issue")
        .defer(*RESULT_FILE)
        .prefetch_related("communities")
        .order_by("closes_at", "pk")
    )
    voted: set[int] = set()
    classes: dict[int, VoterClass | None] = {}
    open_polls = [p for p in polls if p.is_open(now)]
    if user.is_authenticated and open_polls:
        voted = set(user_voted_poll_ids(user, open_polls))
        classes = voter_classes_for(user, open_polls)
    groups = PollGroups()
    for poll in polls:
        if poll.is_open(now):
            poll.voted = poll.pk in voted
            poll.decision = ballot_eligibility(
                user, poll, voter_class=classes.get(poll.pk), voted=poll.voted, now=now
            )
            (groups.open_allowed if poll.decision else groups.open_refused).append(poll)
        elif not poll.has_opened(now):
            groups.upcoming.append(poll)
        else:
            poll.results_published = bool(
                getattr(poll, "result", None) and poll.result.published_at
            )
            groups.closed.append(poll)
    groups.closed.reverse()
    return groups


def user_voted_poll_ids(user, polls) -> list[int]:
    """Of these polls, those this person is on the roll of (by account or census record)."""
    return list(
        RollEntry.objects.filter(roll_filter(user), poll__in=[p.pk for p in polls]).values_list(
            "poll_id", flat=True
        )
    )


def poll_detail(pk: int) -> Poll:
    """A scheduled poll with its questions and options in order (raises Poll.DoesNotExist)."""
    return (
        Poll.objects.scheduled()
        .select_related("strategic_issue", "proposal", "result")
        .defer(*RESULT_FILE)
        .prefetch_related(
            "communities",
            "questions__options",
        )
        .get(pk=pk)
    )


def booths_of(user) -> list[Booth]:
    """The booths a poll officer serves (all booths for a superuser)."""
    booths = Booth.objects.select_related("poll").order_by("-poll__closes_at", "name")
    if not user.is_superuser:
        booths = booths.filter(officers=user)
    return list(booths)


def booth_tally(booth: Booth) -> dict[str, int]:
    """People marked on the roll at the booth, paper ballots entered one by one, and counted by
    hand (as the `booth` instance has it); `room` is how many more ballots the roll allows."""
    on_roll = RollEntry.objects.filter(booth=booth).count()
    entered = Ballot.objects.filter(booth=booth).count()
    return {
        "on_roll": on_roll,
        "entered": entered,
        "hand_counted": booth.paper_ballots,
        "room": max(0, on_roll - entered - booth.paper_ballots),
    }


def booth_count_state(booth: Booth, user) -> dict:
    """What the booth page shows after the close: the tally, who entered and who confirmed.

    Names of the officers only: nothing on this page says how anyone voted.
    """
    counted_by = list(booth.counted_by.order_by("pk"))
    return {
        **booth_tally(booth),
        "counted_by": counted_by,
        "entered_by_me": any(officer.pk == user.pk for officer in counted_by),
        "confirmed_by": booth.count_confirmed_by if booth.count_confirmed else None,
    }


def eligible_by_community(poll: Poll) -> dict[str, int] | None:
    """The people the poll admits as affected, per community (by the keys results use): the
    census of its communities for citizens, confirmed residents for residents. None when it
    admits neither. Two grouped counts at most."""
    community_ids = [c.pk for c in poll.communities.all()]
    counts: dict[str, int] | None = None
    sources = []
    if VoterClass.AFFECTED_CITIZEN in poll.admitted_classes:
        sources.append((CensusRecord.objects.all(), "community"))
    if VoterClass.AFFECTED_RESIDENT in poll.admitted_classes:
        sources.append((User.objects.filter(residence=Residence.RESIDENT), "residence_community"))
    for queryset, column in sources:
        if community_ids:
            queryset = queryset.filter(**{f"{column}__in": community_ids})
        counts = counts or {}
        for key, n in queryset.values_list(column).annotate(n=Count("*")).order_by():
            counts[str(key)] = counts.get(str(key), 0) + n
    return counts


def _num(value) -> float:
    return float(round(Decimal(value or 0), 3))


def _share(part, whole) -> float:
    return round(float(part) * 100 / float(whole), 1) if whole else 0.0


def _key(value) -> str:
    return "" if value is None else str(value)


def _add(split: dict[str, int], key: str, n: int) -> None:
    split[key] = split.get(key, 0) + n


DIMENSIONS = (("by_class", "voter_class"), ("by_community", "community"), ("by_channel", "channel"))


def poll_tally(poll: Poll) -> dict:
    """Count a poll by the database: GROUP BY over ballots and answers, never a loop over them.

    The database groups the answers by option, class, community and channel (a few hundred rows
    at most, whatever the number of ballots); the totals per option and the splits are sums over
    those groups. Percentages are shares of all choices made in a question, so single and
    multiple choice, online ballots and booth counts add up the same way. Booth totals count as
    affected citizens, the class of everyone a booth admits.

    Every split is published as participation.disclosure allows: in each dimension (class,
    community, channel) the groups of fewer than RESULTS_MIN_GROUP ballots are merged into one
    SMALL_GROUPS column, in the ballots and in every option's votes alike. Totals stay exact.
    The reconciliation sets the roll against the ballots, online and per booth.
    """
    questions = list(poll.questions.prefetch_related("options"))
    groups = (
        Answer.objects.filter(question__in=[q.pk for q in questions], option__isnull=False)
        .values("option", "voter_class", "community", "channel")
        .annotate(votes=Count("*"), weighted=Sum("weight"))
        .order_by()
    )
    per_option: dict[int, dict] = {}
    for group in groups:
        option = per_option.setdefault(
            group["option"],
            {
                "votes": 0,
                "weighted": Decimal(0),
                "by_class": {},
                "by_community": {},
                "by_channel": {},
            },
        )
        option["votes"] += group["votes"]
        option["weighted"] += group["weighted"] or 0
        for split, column in DIMENSIONS:
            _add(option[split], _key(group[column]), group["votes"])
    booth_counts = dict(
        BoothTotal.objects.filter(booth__poll=poll)
        .values("option")
        .annotate(total=Sum("count"))
        .order_by()
        .values_list("option", "total")
    )
    texts = dict(
        Answer.objects.filter(question__in=[q.pk for q in questions], option__isnull=True)
        .values("question")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("question", "n")
    )
    booth_weight = poll.weight_of(VoterClass.AFFECTED_CITIZEN)
    citizen = VoterClass.AFFECTED_CITIZEN.value

    # The ballots: their groups in each dimension are the sizes that decide what is merged.
    ballots = {"count": 0, "weighted": Decimal(0)}
    sizes: dict[str, dict[str, int]] = {split: {} for split, _column in DIMENSIONS}
    entered: dict[int | None, int] = {}
    for group in (
        Ballot.objects.filter(poll=poll)
        .values("voter_class", "community", "channel", "booth")
        .annotate(n=Count("pk"), weighted=Sum("weight"))
        .order_by()
    ):
        ballots["count"] += group["n"]
        ballots["weighted"] += group["weighted"] or 0
        for split, column in DIMENSIONS:
            _add(sizes[split], _key(group[column]), group["n"])
        if group["channel"] == Channel.BOOTH:
            entered[group["booth"]] = entered.get(group["booth"], 0) + group["n"]
    booths = list(
        Booth.objects.filter(poll=poll)
        .order_by("name", "pk")
        .values("pk", "name", "paper_ballots", "count_confirmed_at")
    )
    paper = sum(booth["paper_ballots"] for booth in booths)
    if paper:
        # Hand-counted ballots are ballots of citizens at a booth: groups of their own.
        _add(sizes["by_class"], citizen, paper)
        _add(sizes["by_channel"], BOOTH_COUNT, paper)
    mappings = {split: group_map(sizes[split]) for split in sizes}

    question_rows = []
    for question in questions:
        rows = []
        for option in question.options.all():
            counted = per_option.get(option.pk, {})
            booth = booth_counts.get(option.pk, 0)
            by_channel = dict(counted.get("by_channel", {}))
            by_class = dict(counted.get("by_class", {}))
            if booth:
                by_channel[BOOTH_COUNT] = booth
                _add(by_class, citizen, booth)
            rows.append(
                {
                    "id": option.pk,
                    "title": option.title,
                    "votes": counted.get("votes", 0) + booth,
                    "weighted": _num(counted.get("weighted", 0) + booth * booth_weight),
                    "by_class": regroup(by_class, mappings["by_class"]),
                    "by_community": regroup(
                        counted.get("by_community", {}), mappings["by_community"]
                    ),
                    "by_channel": regroup(by_channel, mappings["by_channel"]),
                }
            )
        total = sum(row["votes"] for row in rows)
        weighted_total = sum(row["weighted"] for row in rows)
        for row in rows:
            row["percent"] = _share(row["votes"], total)
            row["weighted_percent"] = _share(row["weighted"], weighted_total)
        question_rows.append(
            {
                "id": question.pk,
                "title": question.title,
                "kind": question.kind,
                "choices": total,
                "weighted_choices": round(weighted_total, 3),
                "text_answers": texts.get(question.pk, 0),
                "options": rows,
            }
        )

    # The roll, once, by channel, booth and community: turnout and reconciliation.
    roll_at: dict[int | None, int] = {}
    voters_split: dict[str, int] = {}
    for channel, booth, community, n in (
        RollEntry.objects.filter(poll=poll)
        .values_list("channel", "booth", "community")
        .annotate(n=Count("*"))
        .order_by()
    ):
        roll_at[booth if channel == Channel.BOOTH else None] = (
            roll_at.get(booth if channel == Channel.BOOTH else None, 0) + n
        )
        _add(voters_split, _key(community), n)
    voters = sum(roll_at.values())
    online_counted = sizes["by_channel"].get(Channel.ONLINE.value, 0)
    reconciliation = [
        {
            "channel": Channel.ONLINE.value,
            "booth": None,
            "name": "",
            "on_roll": roll_at.get(None, 0),
            "counted": online_counted,
            "difference": online_counted - roll_at.get(None, 0),
            "confirmed": None,
        }
    ]
    for booth in booths:
        counted = entered.get(booth["pk"], 0) + booth["paper_ballots"]
        on_roll = roll_at.get(booth["pk"], 0)
        reconciliation.append(
            {
                "channel": Channel.BOOTH.value,
                "booth": booth["pk"],
                "name": booth["name"],
                "on_roll": on_roll,
                "counted": counted,
                "difference": counted - on_roll,
                "confirmed": booth["count_confirmed_at"] is not None,
            }
        )

    eligible_split = eligible_by_community(poll)
    eligible = None if eligible_split is None else sum(eligible_split.values())
    turnout_by_community = {}
    if eligible_split is not None:
        turnout_by_community = {
            key: {
                "voters": voters_split.get(key, 0),
                "eligible": population,
                "percent": _share(voters_split.get(key, 0), population),
            }
            for key, population in eligible_split.items()
        }
    return {
        "ballots": ballots["count"],
        "weighted_ballots": _num(ballots["weighted"]),
        "paper_ballots": paper,
        "voters": voters,
        "eligible": eligible,
        # People on the roll, each once, whether their ballot was entered or counted by hand.
        "turnout_percent": _share(voters, eligible) if eligible else None,
        # Voters on the roll against the eligible, per community.
        "turnout_by_community": turnout_by_community,
        "weighted": poll.is_weighted,
        "weights": {c: str(poll.weight_of(c)) for c in poll.admitted_classes},
        "min_group": minimum_group(),
        "by_class": regroup(sizes["by_class"], mappings["by_class"]),
        "by_community": regroup(sizes["by_community"], mappings["by_community"]),
        "by_channel": regroup(sizes["by_channel"], mappings["by_channel"]),
        "questions": question_rows,
        "reconciliation": reconciliation,
    }


# --- The ballot box file ----------------------------------------------------------------------

BALLOT_BOX_WEIGHT = "weight"


def _option_column(option_id: int) -> str:
    return f"option_{option_id}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def ballot_box_csv(poll: Poll) -> str:
    """The counted ballots of a poll as the canonical CSV that is published and hashed.

    One row per ballot in the box: its weight, then 0 or 1 per option of every choice question.
    Rows are sorted as text, so the same ballots always give the same bytes. Lines starting with
    "#" explain the file. No class, community, channel or booth column: their crossings with the
    answers would single out small groups (the results publish each split merged instead). The
    weight is left blank on the ballots of a weight fewer than RESULTS_MIN_GROUP ballots share,
    and their sum per option is given in a comment instead, so weighted results stay
    recountable. Free text is left out. The comments are fixed English, not translated: the
    file must not change with the language of whoever counts.
    """
    choice_questions = [
        q for q in poll.questions.prefetch_related("options") if q.kind != Question.Kind.TEXT
    ]
    options = [(q, o) for q in choice_questions for o in q.options.all()]
    index = {option.pk: n for n, (_q, option) in enumerate(options)}
    chosen: dict = {}
    for ballot_id, option_id in Answer.objects.filter(
        question__in=[q.pk for q in choice_questions], option__isnull=False
    ).values_list("ballot_id", "option_id"):
        chosen.setdefault(ballot_id, []).append(index[option_id])
    weights = {
        ballot_id: str(weight)
        for ballot_id, weight in Ballot.objects.filter(poll=poll).values_list("pk", "weight")
    }
    sizes: dict[str, int] = {}
    for weight in weights.values():
        _add(sizes, weight, 1)
    # One weight for everyone says nothing about anyone; otherwise small groups are blanked.
    mapping = group_map(sizes) if len(sizes) > 1 else {w: w for w in sizes}
    rows = []
    hidden_total = Decimal(0)
    hidden_count = 0
    hidden_per_option = [Decimal(0)] * len(options)
    for ballot_id, weight in weights.items():
        marks = ["0"] * len(options)
        for n in chosen.get(ballot_id, []):
            marks[n] = "1"
        shown = mapping[weight] != SMALL_GROUPS
        if not shown:
            hidden_count += 1
            hidden_total += Decimal(weight)
            for n in chosen.get(ballot_id, []):
                hidden_per_option[n] += Decimal(weight)
        rows.append(",".join([weight if shown else "", *marks]))
    rows.sort()

    paper = sum(Booth.objects.filter(poll=poll).values_list("paper_ballots", flat=True))
    hand = dict(
        BoothTotal.objects.filter(booth__poll=poll)
        .values("option")
        .annotate(total=Sum("count"))
        .order_by()
        .values_list("option", "total")
    )
    comments = [
        f"Ruamkit ballot box of poll {poll.pk}.",
        "One row per ballot counted: online ballots opened at the close and paper ballots "
        "entered at booths. No names, times or order of arrival; rows are sorted as text.",
        "weight: what the ballot counts for in weighted results.",
        "option_<id>: 1 if the ballot chose that option, 0 if not.",
        *[
            f'{_option_column(o.pk)}: question {q.pk} "{_one_line(q.title)}", '
            f'option "{_one_line(o.title)}"'
            for q, o in options
        ],
    ]
    if hidden_count:
        comments += [
            f"The weight is left blank on {hidden_count} ballots: each of their weights is "
            f"shared by fewer than {minimum_group()} ballots (RESULTS_MIN_GROUP), so it could "
            f"single them out. Together they weigh {hidden_total:.3f}.",
            "Weighted votes of the blank-weight ballots, per option: "
            + "; ".join(
                f"{_option_column(o.pk)}: {hidden_per_option[n]:.3f}"
                for n, (_q, o) in enumerate(options)
            ),
        ]
    if paper or hand:
        comments.append(
            f"Counted by hand at booths, not in the rows: {paper} paper ballots, each weighing "
            f"{poll.weight_of(VoterClass.AFFECTED_CITIZEN):.3f}; votes per option: "
            + "; ".join(f"{_option_column(o.pk)}: {hand.get(o.pk, 0)}" for _q, o in options)
        )
    comments.append("Not in this file: answers in people's own words (not counted).")
    header = ",".join([BALLOT_BOX_WEIGHT, *(_option_column(o.pk) for _q, o in options)])
    return "".join(
        [*(f"# {line}\n" for line in comments), f"{header}\n", *(f"{row}\n" for row in rows)]
    )


def ballot_box_json(result: PollResult) -> dict:
    """The ballot box file read back: its comments, columns and rows, exactly as in the CSV
    whose hash the results page prints (so this rendering needs no hash of its own)."""
    lines = result.ballot_box.splitlines()
    comments = [line[2:] for line in lines if line.startswith("# ")]
    table = list(
        csv.reader(io.StringIO("\n".join(line for line in lines if not line.startswith("#"))))
    )
    columns, rows = (table[0], table[1:]) if table else ([], [])
    return {
        "poll": result.poll_id,
        "sha256_of_csv": result.ballot_box_sha256,
        "comments": comments,
        "columns": columns,
        "ballots": [[row[0] or None, *(int(mark) for mark in row[1:])] for row in rows],
    }


# --- Presenting a stored result ---------------------------------------------------------------

CHART_WIDTH = 320
BAR_HEIGHT = 22
LABEL_HEIGHT = 18
ROW_GAP = 8


def small_groups_label(data: dict) -> str:
    return disclosure.small_groups_label(data.get("min_group"))


def small_groups_why(data: dict) -> str:
    return disclosure.small_groups_why(data.get("min_group"))


def channel_label(key: str, data: dict | None = None) -> str:
    if key == BOOTH_COUNT:
        return _("Booth count (by hand)")
    if key == SMALL_GROUPS:
        return small_groups_label(data or {})
    return str(dict(Channel.choices).get(key, key))


def class_label(key: str, data: dict | None = None) -> str:
    if key == SMALL_GROUPS:
        return small_groups_label(data or {})
    return str(dict(VoterClass.choices).get(key, _("Not recorded")))


def _ordered(keys, order: list[str]) -> list[str]:
    """Keys in a fixed order of known ones, then the others, the merged column last."""
    rank = {key: n for n, key in enumerate(order)}
    return sorted(set(keys), key=lambda k: (k == SMALL_GROUPS, rank.get(k, len(rank)), k))


CHANNEL_ORDER = [Channel.ONLINE.value, Channel.BOOTH.value, BOOTH_COUNT]


def reconciliation_rows(data: dict) -> list[dict]:
    """The stored reconciliation, labelled for includes/reconciliation.html."""
    rows = []
    for row in data.get("reconciliation", []):
        if row["booth"] is None:
            label = channel_label(row["channel"])
        else:
            label = _("Booth: %(name)s") % {"name": row["name"]}
        rows.append({**row, "label": label})
    return rows


def result_view(result: PollResult) -> dict:
    """A stored result with labels in the reader's language and bar geometry for the SVG."""
    data = result.data
    names = {
        str(c.pk): c.name
        for c in Community.objects.filter(
            pk__in=[
                int(k)
                for k in {*data.get("by_community", {}), *data.get("turnout_by_community", {})}
                if k and k != SMALL_GROUPS
            ]
        )
    }

    def community_label(key):
        if key == SMALL_GROUPS:
            return small_groups_label(data)
        return names.get(key) or _("Not recorded")

    classes = _ordered(
        (k for q in data["questions"] for o in q["options"] for k in o["by_class"]),
        list(VoterClass.values),
    )
    communities = _ordered(data.get("by_community", {}), [])
    channels = _ordered(
        (k for q in data["questions"] for o in q["options"] for k in o["by_channel"]),
        CHANNEL_ORDER,
    )
    questions = []
    for question in data["questions"]:
        # Within each class, community or channel, the share each option got of its choices.
        totals = {
            split: {
                column: sum(o[split].get(column, 0) for o in question["options"])
                for column in columns
            }
            for split, columns in (
                ("by_class", classes),
                ("by_community", communities),
                ("by_channel", channels),
            )
        }

        def cells(option, split, columns, totals=totals):
            return [
                {
                    "count": option[split].get(column, 0),
                    "percent": _share(option[split].get(column, 0), totals[split][column]),
                }
                for column in columns
            ]

        options = []
        for index, option in enumerate(question["options"]):
            y = index * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP)
            bar_width = round(option["percent"] * (CHART_WIDTH - 60) / 100, 1)
            options.append(
                {
                    **option,
                    "label_y": y + LABEL_HEIGHT - 4,
                    "bar_y": y + LABEL_HEIGHT,
                    "bar_width": bar_width,
                    "text_x": bar_width + 6,
                    "text_y": y + LABEL_HEIGHT + BAR_HEIGHT - 6,
                    "class_cells": cells(option, "by_class", classes),
                    "community_cells": cells(option, "by_community", communities),
                    "channel_cells": cells(option, "by_channel", channels),
                }
            )
        questions.append(
            {
                **question,
                "options": options,
                "chart_height": max(1, len(options)) * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP),
                "is_choice": question["kind"] != "text",
            }
        )
    by_class = data["by_class"]
    by_channel = data["by_channel"]
    merged = SMALL_GROUPS in {
        *by_class,
        *data.get("by_community", {}),
        *by_channel,
        *classes,
        *channels,
    }
    return {
        "data": data,
        "questions": questions,
        "chart_width": CHART_WIDTH,
        "class_labels": [class_label(c, data) for c in classes],
        "community_labels": [community_label(c) for c in communities],
        "channel_labels": [channel_label(c, data) for c in channels],
        "ballots_by_class": [
            (class_label(k, data), by_class[k]) for k in _ordered(by_class, list(VoterClass.values))
        ],
        "ballots_by_community": [
            (community_label(k), data["by_community"][k])
            for k in _ordered(data.get("by_community", {}), [])
        ],
        "turnout_by_community": [
            (community_label(k), v) for k, v in data.get("turnout_by_community", {}).items()
        ],
        "ballots_by_channel": [
            (channel_label(k, data), by_channel[k]) for k in _ordered(by_channel, CHANNEL_ORDER)
        ],
        "weights": [(class_label(k), v) for k, v in data.get("weights", {}).items()],
        "merged": merged,
        "small_groups_label": small_groups_label(data),
        "small_groups_why": small_groups_why(data),
        "min_group": data.get("min_group") or minimum_group(),
        "reconciliation": reconciliation_rows(data),
    }


def community_names(result: PollResult) -> dict[str, dict[str, str]]:
    """The names of the communities a result counts, by the keys its figures use."""
    keys = [int(key) for key in result.data.get("by_community", {}) if key and key != SMALL_GROUPS]
    return {
        str(community.pk): {"th": community.name_th, "en": community.name_en}
        for community in Community.objects.filter(pk__in=keys)
    }


def result_table(result: PollResult) -> tuple[list[str], list[list]]:
    """The result as a CSV: one row per option, with its split by class, channel and community,
    small groups merged as stored (the merged column is labelled)."""
    data = result.data
    communities = _ordered(data.get("by_community", {}), [])
    names = {key: value["th"] for key, value in community_names(result).items()}
    # Only the columns the stored result has: a class merged into the small groups has none of
    # its own, rather than a misleading 0.
    classes = _ordered(
        (k for q in data["questions"] for o in q["options"] for k in o["by_class"]),
        list(VoterClass.values),
    )
    channels = _ordered(
        (k for q in data["questions"] for o in q["options"] for k in o["by_channel"]),
        CHANNEL_ORDER,
    )

    def community_label(key):
        if key == SMALL_GROUPS:
            return small_groups_label(data)
        return names.get(key) or _("Not recorded")

    header = [
        _("Question"),
        _("Option"),
        _("Votes"),
        _("Percent"),
        _("Weighted votes"),
        _("Weighted percent"),
        *[class_label(c, data) for c in classes],
        *[channel_label(c, data) for c in channels],
        *[community_label(key) for key in communities],
    ]
    rows = []
    for question in data["questions"]:
        for option in question["options"]:
            rows.append(
                [
                    question["title"],
                    option["title"],
                    option["votes"],
                    option["percent"],
                    option["weighted"],
                    option["weighted_percent"],
                    *[option["by_class"].get(c, 0) for c in classes],
                    *[option["by_channel"].get(c, 0) for c in channels],
                    *[option["by_community"].get(c, 0) for c in communities],
                ]
            )
    return header, rows
