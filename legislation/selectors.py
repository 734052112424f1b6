"""Reads for legislation processes: what each page shows, fetched up front."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from accounts.models import VoterClass
from legislation import anchoring
from legislation.models import (
    Annotation,
    Answer,
    DraftVersion,
    Process,
    ProcessProposal,
    ProcessProposalSupport,
    Question,
    Response,
)
from participation.models import Comment


def process_list() -> QuerySet[Process]:
    """Published processes, newest first."""
    return Process.objects.visible().select_related("strategic_issue")


def process_detail(pk: int) -> Process:
    """One published process with its strategic issue and documents. Raises DoesNotExist."""
    return (
        Process.objects.visible()
        .select_related("strategic_issue")
        .prefetch_related("documents")
        .get(pk=pk)
    )


def current_version(process) -> DraftVersion | None:
    """The latest published version of the process's draft."""
    return (
        DraftVersion.objects.filter(process=process, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


def published_versions(process: Process) -> list[DraftVersion]:
    """The process's published versions, oldest first, without their (long) text."""
    return list(
        DraftVersion.objects.filter(process=process, published_at__isnull=False)
        .defer("body", "html", "plain_text")
        .order_by("number")
    )


def version_of(process: Process, number: int) -> DraftVersion:
    """One published version. Raises DraftVersion.DoesNotExist."""
    return DraftVersion.objects.get(process=process, number=number, published_at__isnull=False)


def annotations_visible() -> QuerySet[Annotation]:
    return Annotation.objects.visible().filter(author__blocked_at__isnull=True)


def annotations_of(version: DraftVersion) -> QuerySet[Annotation]:
    """The visible annotations anchored in this version, in reading order, with authors."""
    return annotations_visible().filter(version=version).select_related("author")


def annotation_page_number(annotation: Annotation, per_page: int) -> int:
    """The page of its version's list (in reading order) that shows this annotation."""
    before = (
        annotations_visible()
        .filter(version_id=annotation.version_id)
        .filter(
            Q(start__lt=annotation.start)
            | Q(start=annotation.start, end__lt=annotation.end)
            | Q(start=annotation.start, end=annotation.end, pk__lt=annotation.pk)
        )
        .count()
    )
    return before // per_page + 1


@dataclass(frozen=True)
class Anchor:
    """Where one annotation sits, and how much it drew: all the shading needs, in one query."""

    start: int
    end: int
    quote: str
    comments_count: int


def anchors_of(version: DraftVersion) -> list[Anchor]:
    """The passages of every visible annotation of the version, without their text or authors."""
    return [
        Anchor(*row)
        for row in annotations_visible()
        .filter(version=version)
        .values_list("start", "end", "quote", "comments_count")
    ]


def annotations_left_behind(
    process: Process, version: DraftVersion, *, limit: int
) -> tuple[list[Annotation], dict[int, int]]:
    """Annotations whose passage was not in a later version (they stay on the earlier one): the
    first `limit`, and how many there are per earlier version's number, in one query or two."""
    rows = (
        annotations_visible()
        .filter(process=process, version__number__lt=version.number)
        .values_list("version__number")
        .annotate(n=Count("pk"))
        .order_by("version__number")
    )
    counts = dict(rows)
    if not counts:
        return [], counts
    annotations = list(
        annotations_visible()
        .filter(process=process, version__number__lt=version.number)
        .select_related("author", "version")
        .defer("version__body", "version__html", "version__plain_text")
        .order_by("version__number", "start", "id")[:limit]
    )
    return annotations, counts


@dataclass
class Passage:
    start: int
    end: int
    quote: str
    annotations: int
    replies: int

    @property
    def discussion(self) -> int:
        return self.annotations + self.replies


def most_discussed(annotations: list[Anchor], limit: int = 5) -> list[Passage]:
    """Passages with the most annotations and replies on them, most discussed first."""
    passages: dict[tuple[int, int], Passage] = {}
    for a in annotations:
        passage = passages.setdefault((a.start, a.end), Passage(a.start, a.end, a.quote, 0, 0))
        passage.annotations += 1
        passage.replies += a.comments_count
    ranked = sorted(passages.values(), key=lambda p: (-p.discussion, p.start, p.end))
    return ranked[:limit]


def shaded_html(version: DraftVersion, annotations: list[Anchor], linked: Iterable[int]) -> str:
    """The version's HTML with annotated passages shaded by how many annotations cover them, and
    an anchor (`#at-<start>`) at the start of each `linked` passage."""
    return anchoring.shade(version.html, [(a.start, a.end) for a in annotations], anchors=linked)


def questions_with_totals(process: Process, *, with_totals: bool) -> list[Question]:
    """The debate questions with their options; with totals, each option has `.total` and
    `.by_class` ({class: n}), and each question `.total`, in two queries more."""
    questions = list(Question.objects.filter(process=process).prefetch_related("options"))
    if not with_totals:
        return questions
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Answer.objects.filter(question__process=process)
        .values("option_id", "voter_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["option_id"]][row["voter_class"]] += row["n"]
    for question in questions:
        question.total = 0
        for option in question.options.all():
            per_class = counts.get(option.pk, {})
            option.by_class = [
                {"label": c.label, "n": per_class.get(c.value, 0)} for c in VoterClass
            ]
            option.total = sum(per_class.values())
            question.total += option.total
    return questions


def user_answers(user, process: Process) -> dict[int, int]:
    """The person's chosen option per question, keyed by question pk."""
    if not user.is_authenticated:
        return {}
    return dict(
        Answer.objects.filter(user=user, question__process=process).values_list(
            "question_id", "option_id"
        )
    )


def proposals_of(process: Process) -> list[ProcessProposal]:
    """The visible proposals of a process: selected ones first, then by supports."""
    return list(
        ProcessProposal.objects.visible()
        .filter(process=process, author__blocked_at__isnull=True)
        .select_related("author")
    )


def user_supported(user, proposals: list[ProcessProposal]) -> set[int]:
    if not user.is_authenticated or not proposals:
        return set()
    return set(
        ProcessProposalSupport.objects.filter(user=user, proposal__in=proposals).values_list(
            "proposal_id", flat=True
        )
    )


def participants_by_class(process: Process) -> dict:
    """How many people took part, in total and by the class they held (first class seen wins,
    in the order of VoterClass, for someone who held several)."""
    pairs = set()
    pairs |= set(
        Answer.objects.filter(question__process=process).values_list("user_id", "voter_class")
    )
    pairs |= set(
        ProcessProposal.objects.filter(process=process).values_list("author_id", "voter_class")
    )
    pairs |= set(
        ProcessProposalSupport.objects.filter(proposal__process=process).values_list(
            "user_id", "voter_class"
        )
    )
    pairs |= set(Annotation.objects.filter(process=process).values_list("author_id", "voter_class"))
    order = {c.value: i for i, c in enumerate(VoterClass)}
    best: dict[int, str] = {}
    for user_id, voter_class in pairs:
        if user_id not in best or order.get(voter_class, 99) < order.get(best[user_id], 99):
            best[user_id] = voter_class
    rows = [
        {"label": c.label, "n": sum(1 for v in best.values() if v == c.value)} for c in VoterClass
    ]
    unclassified = sum(1 for v in best.values() if v not in order)
    return {"total": len(best), "by_class": rows, "unclassified": unclassified}


def result_summary(process: Process) -> dict:
    """What the result page shows: participation counts, versions with changelogs, responses."""
    annotations = list(
        annotations_visible().filter(process=process).order_by("version__number", "start", "id")
    )
    proposals = proposals_of(process)
    annotation_ids = [a.pk for a in annotations]
    replies = (
        Comment.objects.visible()
        .filter(
            content_type=ContentType.objects.get_for_model(Annotation), object_id__in=annotation_ids
        )
        .count()
        if annotation_ids
        else 0
    )
    responses = defaultdict(int)
    for item in [*annotations, *proposals]:
        responses[item.response] += 1
    return {
        "participants": participants_by_class(process),
        "counts": {
            "answers": Answer.objects.filter(question__process=process).count(),
            "proposals": len(proposals),
            "annotations": len(annotations),
            "replies": replies,
            "comments": process.comments_count,
        },
        "responses": [
            {"label": r.label, "value": r.value, "n": responses.get(r.value, 0)} for r in Response
        ],
        "versions": published_versions(process),
        "annotations": annotations,
        "proposals": proposals,
        "final": DraftVersion.objects.filter(
            process=process, is_final=True, published_at__isnull=False
        ).first(),
    }


def export_rows(process: Process):
    """One row per annotation for the legal team, with its votes and the municipality's answer."""
    annotations = (
        Annotation.objects.filter(process=process)
        .select_related("version")
        .defer("version__body", "version__html", "version__plain_text")
        .order_by("version__number", "start", "id")
    )
    titles: dict[int, dict[str, str]] = {}
    for a in annotations.iterator(chunk_size=500):
        if a.version_id not in titles:
            titles[a.version_id] = {s["id"]: s["title"] for s in a.version.sections}
        yield [
            a.version.number,
            titles[a.version_id].get(a.section, ""),
            a.quote,
            a.body,
            VoterClass(a.voter_class).label if a.voter_class else "",
            a.cached_votes_up,
            a.cached_votes_down,
            a.comments_count,
            Response(a.response).label if a.response else "",
            a.response_reason,
            "1" if a.is_hidden else "0",
            a.created_at,
        ]
