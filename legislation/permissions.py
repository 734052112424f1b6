"""What a legislation process allows now, computed from its phase dates, and who may do it.

This module is the one place that reads the phase dates; views, templates and services ask it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legislation.models import DraftVersion, Phase, Process, ProcessProposal, Question
from participation.permissions import ALLOWED, Decision

UPCOMING = "upcoming"
OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class PhaseState:
    phase: Phase
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    state: str  # upcoming, open or closed

    @property
    def label(self) -> str:
        return self.phase.label

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


def _today() -> datetime.date:
    return timezone.localdate()


Dates = tuple[bool, datetime.date | None, datetime.date | None]


def _dates(process: Process, phase: Phase) -> Dates:
    if phase == Phase.RESULT:
        return process.result_enabled, process.result_starts_on, None
    return (
        getattr(process, f"{phase.value}_enabled"),
        getattr(process, f"{phase.value}_starts_on"),
        getattr(process, f"{phase.value}_ends_on"),
    )


def phase_state(process: Process, phase: Phase, today: datetime.date | None = None) -> str | None:
    """upcoming, open or closed; None when the process has no such phase or it has no dates.

    Dates are whole local days, both inclusive; the final result, once out, stays open.
    """
    today = today or _today()
    enabled, starts_on, ends_on = _dates(process, phase)
    if not enabled or starts_on is None:
        return None
    if today < starts_on:
        return UPCOMING
    if ends_on is not None and today > ends_on:
        return CLOSED
    return OPEN


def timeline(process: Process, today: datetime.date | None = None) -> list[PhaseState]:
    """The phases the process has, in order, each with its dates and state."""
    today = today or _today()
    phases = []
    for phase in Phase:
        state = phase_state(process, phase, today)
        if state is not None:
            _enabled, starts_on, ends_on = _dates(process, phase)
            phases.append(PhaseState(phase, starts_on, ends_on, state))
    return phases


def current_phase(process: Process, today: datetime.date | None = None) -> Phase | None:
    """The latest phase that is open today (phases may overlap), else None."""
    open_phases = [p.phase for p in timeline(process, today) if p.is_open]
    return open_phases[-1] if open_phases else None


def is_open(process: Process, phase: Phase, today: datetime.date | None = None) -> bool:
    return phase_state(process, phase, today) == OPEN


def has_started(process: Process, phase: Phase, today: datetime.date | None = None) -> bool:
    return phase_state(process, phase, today) in (OPEN, CLOSED)


def _active(user) -> Decision:
    if not user.is_authenticated:
        return Decision(False, _("Sign in to take part."))
    if not user.is_active or getattr(user, "blocked_at", None) or getattr(user, "erased_at", None):
        return Decision(False, _("This account cannot take part."))
    return ALLOWED


def _phase_open(process: Process, phase: Phase, today=None) -> Decision:
    state = phase_state(process, phase, today)
    if state == OPEN:
        return ALLOWED
    if state == UPCOMING:
        return Decision(False, _("This phase has not started yet."))
    if state == CLOSED:
        return Decision(False, _("This phase has ended."))
    return Decision(False, _("This process has no such phase."))


def can_answer(user, question: Question, today=None) -> Decision:
    """Answer a debate question: signed in, during the debate phase."""
    return _phase_open(question.process, Phase.DEBATE, today) and _active(user)


def can_see_answer_totals(process: Process, today=None) -> bool:
    """Totals are shown once the debate has ended, so early answers do not sway later ones."""
    return phase_state(process, Phase.DEBATE, today) == CLOSED or has_started(
        process, Phase.RESULT, today
    )


def can_propose(user, process: Process, today=None) -> Decision:
    """Write a proposal for the process: signed in, during the proposals phase."""
    return _phase_open(process, Phase.PROPOSALS, today) and _active(user)


def can_support(user, proposal: ProcessProposal, today=None) -> Decision:
    """Support a proposal: signed in, during the proposals phase, not one's own."""
    decision = _phase_open(proposal.process, Phase.PROPOSALS, today) and _active(user)
    if decision and proposal.author_id == user.pk:
        return Decision(False, _("You cannot support your own proposal."))
    if decision and proposal.is_hidden:
        return Decision(False, _("This content has been hidden by a moderator."))
    return decision


def can_read_draft(process: Process, today=None) -> bool:
    """The draft is public from the draft publication phase on (or from the comments phase)."""
    return any(
        has_started(process, phase, today) for phase in (Phase.DRAFT, Phase.COMMENTS, Phase.RESULT)
    )


def can_annotate(user, version: DraftVersion, today=None) -> Decision:
    """Comment on a passage: signed in, on a published version, during the comments phase."""
    if not version.is_published:
        return Decision(False, _("This version is not published."))
    decision = _phase_open(version.process, Phase.COMMENTS, today)
    if not decision:
        return decision
    return _active(user)


def process_comments_closed(process: Process, today=None) -> str:
    """A process takes open comments during its debate phase; "" then, else why not."""
    if is_open(process, Phase.DEBATE, today):
        return ""
    return _("Comments on this process are taken during its debate phase.")


def annotation_replies_closed(annotation, today=None) -> str:
    """Replies to an annotation are taken while the draft is open for comments."""
    if is_open(annotation.process, Phase.COMMENTS, today):
        return ""
    return _("Replies are taken while the draft is open for comments.")


def can_export(user) -> bool:
    """The legal team's CSV of annotations and responses."""
    return user.is_authenticated and user.has_perm("legislation.export_annotation")
