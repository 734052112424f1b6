"""Phases computed from dates, and who may do what with a budget: one function per action."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import InterestDeclaration
from accounts.roles import VALUATOR
from accounts.selectors import voter_class_for
from budgets.models import (
    PHASE_ORDER,
    Booth,
    Budget,
    BudgetPhase,
    Heading,
    HeadingResult,
    Investment,
    PhaseKind,
)
from participation.permissions import ALLOWED, Decision, can_confirm_count


def _phases(budget: Budget) -> list[BudgetPhase]:
    # Prefetched phases (budget.phases.all() under prefetch_related) cost no query here.
    return sorted(
        (phase for phase in budget.phases.all() if phase.enabled),
        key=lambda phase: (phase.starts_at, PHASE_ORDER[phase.kind]),
    )


def current_phase(budget: Budget, now=None) -> str | None:
    """The kind of the enabled phase running now, or None between phases.

    Skipped (disabled) phases never run. After the last enabled phase ends, the budget is
    finished even if no finished phase was set; before the first it is in no phase.
    """
    now = now or timezone.now()
    phases = _phases(budget)
    for phase in phases:
        if phase.starts_at <= now < phase.ends_at:
            return phase.kind
    if phases and now >= max(phase.ends_at for phase in phases):
        return PhaseKind.FINISHED
    return None


def phase_of(budget: Budget, kind: str) -> BudgetPhase | None:
    """The enabled phase of that kind, if the budget has one."""
    return next((phase for phase in _phases(budget) if phase.kind == kind), None)


def has_passed(budget: Budget, kind: str, now=None) -> bool:
    """Whether the phase of that kind has ended (a skipped phase never passes)."""
    phase = phase_of(budget, kind)
    return phase is not None and (now or timezone.now()) >= phase.ends_at


def balloting_ended(budget: Budget, now=None) -> bool:
    """Balloting is over: its phase ended, so results can be computed."""
    return has_passed(budget, PhaseKind.BALLOTING, now)


def prices_public(budget: Budget, now=None) -> bool:
    """Prices and feasibility are shown once the publishing-prices phase starts (or later)."""
    phase = current_phase(budget, now)
    return phase is not None and PHASE_ORDER[phase] >= PHASE_ORDER[PhaseKind.PUBLISHING_PRICES]


def is_staff_of_budgets(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_perm("budgets.change_investment")
    )


def can_propose(user, heading: Heading, now=None) -> Decision:
    """Verified people submit projects while the budget accepts them."""
    if not user.is_authenticated:
        return Decision(False, _("Sign in to propose a project."))
    if current_phase(heading.group.budget, now) != PhaseKind.ACCEPTING:
        return Decision(False, _("This budget is not accepting projects now."))
    if not user.is_verified:
        return Decision(False, _("Verify your residence to propose a project."))
    return ALLOWED


def can_valuate(user, investment: Investment, *, assigned: bool | None = None) -> Decision:
    """Staff valuate every project; a valuator only the projects assigned to them.

    `assigned` may be passed when the caller already knows it, to save a query.
    """
    if not user.is_authenticated:
        return Decision(False, _("Sign in to valuate projects."))
    if is_staff_of_budgets(user):
        return ALLOWED
    if user.groups.filter(name=VALUATOR).exists():
        if assigned is None:
            assigned = investment.valuators.filter(pk=user.pk).exists()
        if assigned:
            return ALLOWED
        return Decision(False, _("This project is not assigned to you."))
    return Decision(False, _("Only staff and valuators can valuate projects."))


def admits_declared_classes(heading: Heading) -> bool:
    """Whether the budget lets people who are not affected take part as interested or
    concerned, by saying so (an empty list of classes admits every class)."""
    allowed = heading.group.budget.voter_classes
    return not allowed or any(c in allowed for c in InterestDeclaration.DECLARABLE)


def can_declare(user, heading: Heading) -> bool:
    """A signed-in person with no class for the heading may say how it concerns them."""
    return (
        user.is_authenticated
        and admits_declared_classes(heading)
        and voter_class_for(user, heading) is None
    )


def _voter_class_allowed(user, heading: Heading) -> tuple[str | None, Decision]:
    voter_class = voter_class_for(user, heading)
    if voter_class is None:
        if admits_declared_classes(heading):
            return None, Decision(
                False, _("Tell us first how this budget concerns you: interested or concerned.")
            )
        return None, Decision(
            False, _("Only people verified as citizens or residents of Saensuk can take part.")
        )
    allowed = heading.group.budget.voter_classes
    if allowed and voter_class not in allowed:
        return voter_class, Decision(
            False,
            _("Your voter class (%(class)s) cannot take part in this budget.")
            % {"class": voter_class.label},
        )
    return voter_class, ALLOWED


def can_support(user, investment: Investment, *, supported: bool = False, now=None) -> Decision:
    """One support per person and project, in the selecting phase, by an allowed class."""
    if not user.is_authenticated:
        return Decision(False, _("Sign in to support projects."))
    if investment.is_hidden:
        return Decision(False, _("This content has been hidden by a moderator."))
    if current_phase(investment.heading.group.budget, now) != PhaseKind.SELECTING:
        return Decision(False, _("Projects take supports only in the selecting phase."))
    if supported:
        return Decision(False, _("You already support this project."))
    return _voter_class_allowed(user, investment.heading)[1]


def can_withdraw_support(user, investment: Investment, *, supported: bool, now=None) -> Decision:
    """A support can be taken back during the selecting phase."""
    if not user.is_authenticated or not supported:
        return Decision(False, _("You do not support this project."))
    if current_phase(investment.heading.group.budget, now) != PhaseKind.SELECTING:
        return Decision(False, _("Supports can only change in the selecting phase."))
    return ALLOWED


def can_ballot(user, heading: Heading, now=None) -> Decision:
    """May this person fill in a ballot in this heading now (the group limit is checked on
    writing, under the person's lock)."""
    if not user.is_authenticated:
        return Decision(False, _("Sign in to vote."))
    if current_phase(heading.group.budget, now) != PhaseKind.BALLOTING:
        return Decision(False, _("Voting is not open in this budget now."))
    return _voter_class_allowed(user, heading)[1]


def is_officer_of(user, booth: Booth) -> bool:
    """Whether this person serves at the booth (the administrators name its officers)."""
    return user.is_authenticated and booth.officers.filter(pk=user.pk).exists()


def _booth_check(user, booth: Booth, heading: Heading | None, permission: str) -> Decision:
    if not user.is_authenticated:
        return Decision(False, _("Sign in to serve at a booth."))
    if not (user.has_perm(permission) and is_officer_of(user, booth)):
        return Decision(False, _("Only the officers of this booth can do this."))
    if heading is not None and heading.group.budget_id != booth.budget_id:
        return Decision(False, _("This heading is not in the budget of this booth."))
    return ALLOWED


def can_serve_booth(user, booth: Booth) -> Decision:
    """The booth's own pages are for its officers."""
    return _booth_check(user, booth, None, "budgets.view_booth")


def can_mark_roll(user, booth: Booth, heading: Heading, now=None) -> Decision:
    """An officer of the booth marks people on a heading's roll while balloting is open."""
    decision = _booth_check(user, booth, heading, "budgets.add_rollentry")
    if not decision:
        return decision
    if current_phase(heading.group.budget, now) != PhaseKind.BALLOTING:
        return Decision(False, _("Voting is not open in this budget now."))
    return ALLOWED


def can_enter_paper_ballots(user, booth: Booth, heading: Heading, now=None) -> Decision:
    """An officer of the booth enters its paper ballots once balloting has ended, until the
    heading's results are published."""
    decision = _booth_check(user, booth, heading, "budgets.add_ballot")
    if not decision:
        return decision
    if not balloting_ended(heading.group.budget, now):
        return Decision(False, _("Paper ballots are entered after balloting ends."))
    if HeadingResult.objects.filter(heading=heading, published_at__isnull=False).exists():
        return Decision(
            False,
            _("The results of this heading are published: no more paper ballots can be entered."),
        )
    return ALLOWED


def can_confirm_booth_count(user, booth: Booth, now=None) -> Decision:
    """A second officer of the booth confirms its paper ballots after balloting ends."""
    decision = _booth_check(user, booth, None, "budgets.add_ballot")
    if not decision:
        return decision
    if not balloting_ended(booth.budget, now):
        return Decision(False, _("Paper ballots are entered after balloting ends."))
    return can_confirm_count(user, booth)


def can_see_results(user, heading: Heading) -> bool:
    """Results are public once published; staff see them as soon as they are computed."""
    result = getattr(heading, "result", None)
    if result is None:
        return False
    return result.published_at is not None or is_staff_of_budgets(user)


def budget_takes_projects(budget: Budget, now=None) -> bool:
    """Whether staff may still add a project to a budget: it accepts projects or is earlier.

    A budget without phases is still being prepared, which counts as earlier. Reads
    budget.phases.all(), so prefetched phases cost no query.
    """
    now = now or timezone.now()
    accepting = PHASE_ORDER[PhaseKind.ACCEPTING]
    for phase in budget.phases.all():
        if not phase.enabled:
            continue
        # A project that arrives once review has begun would skip review and valuation.
        if PHASE_ORDER[phase.kind] > accepting and phase.starts_at <= now:
            return False
        if phase.kind == PhaseKind.ACCEPTING and phase.ends_at <= now:
            return False
    return current_phase(budget, now) != PhaseKind.FINISHED
