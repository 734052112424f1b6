from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, Residence, User, VoterClass
from accounts.selectors import voter_classes_for
from participation.models import Community
from polls.models import Answer, Ballot, Booth, BoothTotal, Channel, Poll, PollResult, RollEntry
from polls.permissions import ballot_eligibility, roll_filter

BOOTH_COUNT = "booth_count"


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


def poll_tally(poll: Poll) -> dict:
    """Count a poll by the database: GROUP BY over ballots and answers, never a loop over them.

    The database groups the answers by option, class, community and channel (a few hundred rows
    at most, whatever the number of ballots); the totals per option and the splits are sums over
    those groups. Percentages are shares of all choices made in a question, so single and
    multiple choice, online ballots and booth counts add up the same way. Booth totals count as
    affected citizens, the class of everyone a booth admits.
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
            {"votes": 0, "weighted": Decimal(0), "class": {}, "community": {}, "channel": {}},
        )
        option["votes"] += group["votes"]
        option["weighted"] += group["weighted"] or 0
        for dimension, column in (
            ("class", "voter_class"),
            ("community", "community"),
            ("channel", "channel"),
        ):
            key = "" if group[column] is None else str(group[column])
            option[dimension][key] = option[dimension].get(key, 0) + group["votes"]
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

    question_rows = []
    for question in questions:
        rows = []
        for option in question.options.all():
            counted = per_option.get(option.pk, {})
            booth = booth_counts.get(option.pk, 0)
            by_channel = dict(counted.get("channel", {}))
            by_class = dict(counted.get("class", {}))
            if booth:
                by_channel[BOOTH_COUNT] = booth
                citizen = VoterClass.AFFECTED_CITIZEN.value
                by_class[citizen] = by_class.get(citizen, 0) + booth
            rows.append(
                {
                    "id": option.pk,
                    "title": option.title,
                    "votes": counted.get("votes", 0) + booth,
                    "weighted": _num(counted.get("weighted", 0) + booth * booth_weight),
                    "by_class": by_class,
                    "by_community": counted.get("community", {}),
                    "by_channel": by_channel,
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

    ballots = {"count": 0, "weighted": Decimal(0)}
    by_class: dict[str, int] = {}
    by_community: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for group in (
        Ballot.objects.filter(poll=poll)
        .values("voter_class", "community", "channel")
        .annotate(n=Count("pk"), weighted=Sum("weight"))
        .order_by()
    ):
        ballots["count"] += group["n"]
        ballots["weighted"] += group["weighted"] or 0
        for split, column in (
            (by_class, "voter_class"),
            (by_community, "community"),
            (by_channel, "channel"),
        ):
            key = "" if group[column] is None else str(group[column])
            split[key] = split.get(key, 0) + group["n"]
    paper = Booth.objects.filter(poll=poll).aggregate(n=Sum("paper_ballots"))["n"] or 0
    if paper:
        by_channel[BOOTH_COUNT] = paper
    voters = poll.roll.count()
    eligible_split = eligible_by_community(poll)
    eligible = None if eligible_split is None else sum(eligible_split.values())
    turnout_by_community = {}
    if eligible_split is not None:
        voters_split = {
            str(key): n
            for key, n in poll.roll.values_list("community").annotate(n=Count("*")).order_by()
        }
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
        "turnout_percent": _share(voters + paper, eligible) if eligible else None,
        # Voters on the roll against the eligible, per community; hand counts have no community.
        "turnout_by_community": turnout_by_community,
        "weighted": poll.is_weighted,
        "weights": {c: str(poll.weight_of(c)) for c in poll.admitted_classes},
        "by_class": by_class,
        "by_community": by_community,
        "by_channel": by_channel,
        "questions": question_rows,
    }


# --- Presenting a stored result ---------------------------------------------------------------

CHART_WIDTH = 320
BAR_HEIGHT = 22
LABEL_HEIGHT = 18
ROW_GAP = 8


def channel_label(key: str) -> str:
    if key == BOOTH_COUNT:
        return _("Booth count (by hand)")
    return str(dict(Channel.choices).get(key, key))


def class_label(key: str) -> str:
    return str(dict(VoterClass.choices).get(key, _("Not recorded")))


def result_view(result: PollResult) -> dict:
    """A stored result with labels in the reader's language and bar geometry for the SVG."""
    data = result.data
    community_names = {
        str(c.pk): c.name
        for c in Community.objects.filter(
            pk__in=[
                int(k)
                for k in {*data.get("by_community", {}), *data.get("turnout_by_community", {})}
                if k
            ]
        )
    }

    def community_label(key):
        return community_names.get(key) or _("Not recorded")

    classes = sorted({k for q in data["questions"] for o in q["options"] for k in o["by_class"]})
    communities = list(data.get("by_community", {}).keys())
    channels = sorted({k for q in data["questions"] for o in q["options"] for k in o["by_channel"]})
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
    return {
        "data": data,
        "questions": questions,
        "chart_width": CHART_WIDTH,
        "class_labels": [class_label(c) for c in classes],
        "community_labels": [community_label(c) for c in communities],
        "channel_labels": [channel_label(c) for c in channels],
        "ballots_by_class": [(class_label(k), v) for k, v in sorted(data["by_class"].items())],
        "ballots_by_community": [
            (community_label(k), v) for k, v in data.get("by_community", {}).items()
        ],
        "turnout_by_community": [
            (community_label(k), v) for k, v in data.get("turnout_by_community", {}).items()
        ],
        "ballots_by_channel": [
            (channel_label(k), v) for k, v in sorted(data["by_channel"].items())
        ],
        "weights": [(class_label(k), v) for k, v in data.get("weights", {}).items()],
    }


def community_names(result: PollResult) -> dict[str, dict[str, str]]:
    """The names of the communities a result counts, by the keys its figures use."""
    keys = [int(key) for key in result.data.get("by_community", {}) if key]
    return {
        str(community.pk): {"th": community.name_th, "en": community.name_en}
        for community in Community.objects.filter(pk__in=keys)
    }


def result_table(result: PollResult) -> tuple[list[str], list[list]]:
    """The result as a CSV: one row per option, with its split by class, channel and community."""
    data = result.data
    communities = list(data.get("by_community", {}).keys())
    names = {key: value["th"] for key, value in community_names(result).items()}
    channels = [Channel.ONLINE.value, Channel.BOOTH.value, BOOTH_COUNT]
    header = [
        _("Question"),
        _("Option"),
        _("Votes"),
        _("Percent"),
        _("Weighted votes"),
        _("Weighted percent"),
        *[str(label) for label in VoterClass.labels],
        *[channel_label(channel) for channel in channels],
        *[names.get(key) or _("Not recorded") for key in communities],
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
                    *[option["by_class"].get(c, 0) for c in VoterClass.values],
                    *[option["by_channel"].get(c, 0) for c in channels],
                    *[option["by_community"].get(c, 0) for c in communities],
                ]
            )
    return header, rows
