"""Writes for legislation processes: the only code that changes their rows."""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import voter_class_for
from legislation import anchoring
from legislation.models import (
    Annotation,
    Answer,
    DraftVersion,
    Process,
    ProcessProposal,
    ProcessProposalSupport,
    Question,
    QuestionOption,
)
from legislation.permissions import can_annotate, can_answer, can_propose, can_support
from legislation.selectors import current_version
from participation.services import NotAllowed, ensure_allowed, follow_add

# A quote longer than this is a whole section or more: comment on the section instead.
QUOTE_MAX = 4000


def _class_value(user: User, matter) -> str:
    voter_class = voter_class_for(user, matter)
    return voter_class.value if voter_class else ""


@transaction.atomic
def answer_cast(*, user: User, question: Question, option: QuestionOption) -> Answer:
    """Answer a question, or change one's answer while the debate is open. Raises NotAllowed."""
    ensure_allowed(can_answer(user, question))
    if option.question_id != question.pk:
        raise NotAllowed(_("Choose one of the question's options."))
    voter_class = _class_value(user, question.process)
    answer = Answer.objects.select_for_update().filter(question=question, user=user).first()
    if answer is None:
        try:
            with transaction.atomic():
                return Answer.objects.create(
                    question=question, option=option, user=user, voter_class=voter_class
                )
        except IntegrityError:
            # A simultaneous request of this person answered first; theirs is changed below.
            answer = Answer.objects.select_for_update().get(question=question, user=user)
    answer.option = option
    answer.voter_class = voter_class
    answer.save(update_fields=["option", "voter_class"])
    return answer


@transaction.atomic
def proposal_create(*, author: User, process, title: str, body: str) -> ProcessProposal:
    """Write a short proposal for the process. Raises NotAllowed."""
    ensure_allowed(can_propose(author, process))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise NotAllowed(_("Write a title and your proposal."))
    return ProcessProposal.objects.create(
        process=process,
        author=author,
        title=title,
        body=body,
        voter_class=_class_value(author, process),
    )


@transaction.atomic
def proposal_support(*, user: User, proposal: ProcessProposal) -> bool:
    """Support a proposal once; False if the person already had. Raises NotAllowed."""
    ensure_allowed(can_support(user, proposal))
    try:
        with transaction.atomic():
            ProcessProposalSupport.objects.create(
                proposal=proposal, user=user, voter_class=_class_value(user, proposal.process)
            )
    except IntegrityError:
        return False
    ProcessProposal.objects.filter(pk=proposal.pk).update(supports_count=F("supports_count") + 1)
    return True


@transaction.atomic
def annotation_create(
    *, author: User, version: DraftVersion, start: int, end: int, quote: str, body: str
) -> Annotation:
    """Comment on the passage [start, end) of a version. Raises NotAllowed.

    The browser's offsets are not trusted: the quote must be exactly the version's text there.
    """
    ensure_allowed(can_annotate(author, version))
    # Publishing a version locks the process too, so an annotation lands either before the
    # annotations move (and moves with them) or after, on the new version.
    Process.objects.select_for_update().filter(pk=version.process_id).first()
    latest = current_version(version.process)
    if latest is None or latest.pk != version.pk:
        raise NotAllowed(_("A newer version of this draft has been published. Comment on it."))
    body = body.strip()
    if not body:
        raise NotAllowed(_("Write something before you publish."))
    if not quote.strip() or len(quote) > QUOTE_MAX:
        raise NotAllowed(_("Select a passage of the draft, at most a section long."))
    if not anchoring.quote_matches(version.plain_text, start, end, quote):
        raise NotAllowed(_("The passage you selected is not in this version of the draft."))
    annotation = Annotation.objects.create(
        process=version.process,
        version=version,
        written_on=version,
        author=author,
        voter_class=_class_value(author, version.process),
        quote=quote,
        start=start,
        end=end,
        section=anchoring.section_at(version.sections, start),
        body=body,
    )
    follow_add(user=author, target=annotation)
    return annotation


def annotation_create_for_section(
    *, author: User, version: DraftVersion, section: str, body: str
) -> Annotation:
    """Comment on a whole section (the way without JavaScript). Raises NotAllowed."""
    found = anchoring.section_range(version.sections, section)
    if found is None:
        raise NotAllowed(_("There is no such section in this version of the draft."))
    start, end = found
    return annotation_create(
        author=author,
        version=version,
        start=start,
        end=end,
        quote=version.plain_text[start:end],
        body=body,
    )


def version_render(version: DraftVersion) -> None:
    """Compute the version's HTML, plain text and sections from its Markdown (no save)."""
    rendered = anchoring.render(version.body)
    version.html = rendered.html
    version.plain_text = rendered.plain_text
    version.sections = rendered.sections


@transaction.atomic
def version_publish(*, version: DraftVersion, now=None) -> tuple[int, int]:
    """Publish a version and move the annotations of the previous one onto it.

    Each annotation moves to its quoted passage in the new text (the occurrence nearest its old
    offset); one whose passage is gone stays on the earlier version. Returns (moved, stayed).
    """
    Process.objects.select_for_update().filter(pk=version.process_id).first()
    version = DraftVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise NotAllowed(_("This version is already published."))
    previous = current_version(version.process)
    if previous is not None and previous.number > version.number:
        raise NotAllowed(_("A later version is already published."))
    version_render(version)
    version.published_at = now or timezone.now()
    version.save(update_fields=["html", "plain_text", "sections", "published_at"])
    moved = stayed = 0
    if previous is None:
        return moved, stayed
    annotations = list(
        Annotation.objects.select_for_update()
        .filter(version=previous)
        .only("pk", "quote", "start", "end")
    )
    # Most passages shift together (an inserted clause moves everything after it by the same
    # amount), so the moves are written as one UPDATE per (shift, section), not one per row.
    moves: dict[tuple[int, str], list[int]] = defaultdict(list)
    for annotation in annotations:
        start = anchoring.reanchor(version.plain_text, annotation.quote, annotation.start)
        if start is None:
            stayed += 1
            continue
        section = anchoring.section_at(version.sections, start)
        moves[(start - annotation.start, section)].append(annotation.pk)
        moved += 1
    for (shift, section), pks in moves.items():
        for first in range(0, len(pks), 500):
            Annotation.objects.filter(pk__in=pks[first : first + 500]).update(
                version=version, start=F("start") + shift, end=F("end") + shift, section=section
            )
    return moved, stayed


def response_set(*, target: Annotation | ProcessProposal, response: str, reason: str) -> None:
    """Record the municipality's answer to an annotation or a proposal, dated now (admin, demo)."""
    target.response = response
    target.response_reason = reason.strip()
    target.responded_at = timezone.now() if response else None
    target.save(update_fields=["response", "response_reason", "responded_at"])
