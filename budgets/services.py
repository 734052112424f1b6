"""Writes for participatory budgeting: projects, valuation, supports, ballots, results."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import CensusRecord, User, VoterClass
from accounts.selectors import voter_class_for
from budgets.models import (
    INVESTMENT_FROZEN_ON_BALLOT,
    Ballot,
    BallotLine,
    BallotStyle,
    Booth,
    Budget,
    Channel,
    Envelope,
    Feasibility,
    Heading,
    HeadingResult,
    Investment,
    InvestmentDocument,
    InvestmentSupport,
    PhaseKind,
    RollEntry,
    budget_frozen_reason,
)
from budgets.permissions import (
    balloting_ended,
    budget_takes_projects,
    can_ballot,
    can_confirm_booth_count,
    can_enter_paper_ballots,
    can_mark_roll,
    can_propose,
    can_support,
    can_valuate,
    can_withdraw_support,
    phase_of,
)
from participation.models import Competence, Notification
from participation.notifications import notices_create
from participation.secrecy import (
    envelope_size,
    envelopes_destroy,
    payload_size,
    seal,
    share_lock,
    shuffled,
    unseal,
)
from participation.services import (
    NotAllowed,
    booth_count_confirm,
    booth_count_entered,
    ensure_allowed,
)
from participation.text import sanitise_html

WEIGHT_PLACES = Decimal("0.0001")  # Ballot.weight has 4 decimal places

INVESTMENT_FIELDS = {
    "title",
    "description",
    "location",
    "community",
    "strategic_issue",
    "image",
    "image_alt",
    "estimated_cost",
}
VALUATION_FIELDS = {
    "feasibility",
    "unfeasibility_reason",
    "price",
    "duration",
    "valuation_explanation",
    "competence",
    "responsible_agency",
    "competence_explanation",
}


def _validate(instance, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise NotAllowed(" ".join(dict.fromkeys(error.messages))) from None


# Projects -----------------------------------------------------------------------------------


@transaction.atomic
def investment_create(*, author: User, heading: Heading, document=None, **fields) -> Investment:
    """A verified person proposes a project for a heading in the accepting phase."""
    ensure_allowed(can_propose(author, heading))
    unknown = set(fields) - INVESTMENT_FIELDS
    if unknown:
        raise TypeError(f"not investment fields: {sorted(unknown)}")
    investment = Investment(author=author, heading=heading)
    for name, value in fields.items():
        if name == "description":
            value = sanitise_html(value or "")
        if name in {"title", "location"}:
            value = (value or "").strip()
        setattr(investment, name, value)
    if investment.community_id is None and heading.community_id:
        investment.community_id = heading.community_id
    _validate(investment, exclude=["image"])
    investment.save()
    if document is not None:
        title = (document.name or "").rsplit("/", 1)[-1].rsplit(".", 1)[0][:160] or _("Document")
        InvestmentDocument.objects.create(
            investment=investment, title=title, file=document, size=document.size
        )
    return investment


@transaction.atomic
def investment_valuate(*, user: User, investment: Investment, **fields) -> Investment:
    """Record feasibility, competence, price, duration and the explanation of a project.

    When a project becomes unfeasible its author is told why, once (in the app and by e-mail).
    """
    investment = Investment.objects.select_for_update().get(pk=investment.pk)
    ensure_allowed(can_valuate(user, investment))
    unknown = set(fields) - VALUATION_FIELDS
    if unknown:
        raise TypeError(f"not valuation fields: {sorted(unknown)}")
    stored = {name: getattr(investment, name) for name in INVESTMENT_FROZEN_ON_BALLOT}
    for name, value in fields.items():
        setattr(investment, name, value if value is not None or name == "price" else "")
    if investment.selected_for_ballot and any(
        getattr(investment, name) != value for name, value in stored.items()
    ):
        if reason := budget_frozen_reason(investment.heading.group.budget_id):
            raise NotAllowed(reason)
    if investment.feasibility == Feasibility.UNFEASIBLE and not investment.unfeasibility_reason:
        raise NotAllowed(_("Say why the project is not feasible: its author will be told."))
    if investment.competence in (Competence.PARTLY, Competence.OUTSIDE) and not (
        investment.responsible_agency
    ):
        raise NotAllowed(
            _("Name the responsible agency when it is not within municipal authority.")
        )
    if investment.feasibility == Feasibility.FEASIBLE and investment.price is None:
        raise NotAllowed(_("A feasible project needs its price."))
    if "competence" in fields:
        investment.competence_screened_at = timezone.now()
    investment.valuated_at = timezone.now()
    # Only a feasible project with a price stays on the ballot (as the admin action requires).
    if investment.feasibility != Feasibility.FEASIBLE:
        investment.selected_for_ballot = False
    _validate(investment, exclude=["image"])
    investment.save()
    if (
        investment.feasibility == Feasibility.UNFEASIBLE
        and investment.author_id
        and investment.unfeasible_notified_at is None
    ):
        _unfeasible_notify(investment)
    return investment


def _unfeasible_notify(investment: Investment) -> None:
    """Tell the author, in their language, why their project cannot go ahead."""
    author = investment.author
    notices_create(kind=Notification.Kind.UNFEASIBLE, subject=investment, user_ids=[author.pk])
    if author.is_active and author.email and not author.erased_at:
        with translation.override(author.language):
            send_mail(
                subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
                + _("Your project is not feasible: %(title)s") % {"title": investment.title},
                message=render_to_string(
                    "budgets/email/unfeasible.txt",
                    {"investment": investment, "user": author, "site_url": settings.SITE_URL},
                ),
                from_email=None,
                recipient_list=[author.email],
            )
    Investment.objects.filter(pk=investment.pk).update(unfeasible_notified_at=timezone.now())


def investments_select_for_ballot(*, queryset, selected: bool = True) -> int:
    """Put projects on the ballot (only feasible ones with a price), or take them off; refused
    for a budget whose ballot is frozen."""
    budget_ids = set(queryset.values_list("heading__group__budget_id", flat=True))
    for budget_id in sorted(budget_ids):
        if reason := budget_frozen_reason(budget_id):
            raise NotAllowed(reason)
    if selected:
        queryset = queryset.filter(feasibility=Feasibility.FEASIBLE, price__isnull=False)
    return queryset.update(selected_for_ballot=selected)


# Supports -----------------------------------------------------------------------------------


@transaction.atomic
def support_add(*, user: User, investment: Investment) -> InvestmentSupport:
    """Record one support in the selecting phase, with the person's class and community."""
    ensure_allowed(can_support(user, investment))
    try:
        with transaction.atomic():
            support = InvestmentSupport.objects.create(
                user=user,
                investment=investment,
                voter_class=voter_class_for(user, investment.heading),
                community_id=user.residence_community_id,
            )
    except IntegrityError:
        raise NotAllowed(_("You already support this project.")) from None
    Investment.objects.filter(pk=investment.pk).update(supports_count=F("supports_count") + 1)
    return support


@transaction.atomic
def support_withdraw(*, user: User, investment: Investment) -> None:
    """Take a support back during the selecting phase."""
    ensure_allowed(can_withdraw_support(user, investment, supported=True))
    deleted, _rows = InvestmentSupport.objects.filter(user=user, investment=investment).delete()
    if not deleted:
        raise NotAllowed(_("You do not support this project."))
    Investment.objects.filter(pk=investment.pk).update(supports_count=F("supports_count") - 1)


# Ballots ------------------------------------------------------------------------------------

# The most points a cumulative ballot may give one project when the budget sets no limit (the
# ballot page's field stops there too): it bounds the size of every envelope.
MAX_POINTS = 10**6


@dataclass
class BallotState:
    """What a ballot holds and what is left, for the page and for the rules.

    The lines are unsaved `BallotLine` objects with their `investment` attached: while
    balloting is open a ballot exists only in its sealed envelope.
    """

    heading: Heading
    lines: list[BallotLine]
    spent: int
    points_used: int
    # The person's roll entry in this heading, if they have voted (online or at a booth).
    entry: RollEntry | None = None

    @property
    def budget(self) -> Budget:
        return self.heading.group.budget

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def money_left(self) -> int:
        return self.heading.amount - self.spent

    @property
    def points_left(self) -> int | None:
        total = self.budget.points_total
        return None if total is None else total - self.points_used

    @property
    def picks_limit(self) -> int | None:
        """The most projects this ballot may hold, from the style's limit and max_projects."""
        budget = self.budget
        limits = [budget.max_projects]
        if budget.ballot_style == BallotStyle.APPROVAL:
            limits.append(budget.approval_max_projects)
        if budget.ballot_style == BallotStyle.RANKED:
            limits.append(budget.ranked_length)
        limits = [limit for limit in limits if limit]
        return min(limits) if limits else None

    @property
    def picks_left(self) -> int | None:
        limit = self.picks_limit
        return None if limit is None else limit - self.count

    def add(self, line: BallotLine) -> None:
        self.lines.append(line)
        self.spent += line.investment.price or 0
        self.points_used += line.points

    def remove(self, line: BallotLine) -> None:
        self.lines.remove(line)
        self.spent -= line.investment.price or 0
        self.points_used -= line.points

    def problems(self) -> list[str]:
        """Why the ballot as it stands does not meet the budget's minimums (empty if it does)."""
        budget = self.budget
        found = []
        if budget.min_projects and self.count < budget.min_projects:
            found.append(
                _("Choose at least %(count)d projects: you have chosen %(chosen)d.")
                % {"count": budget.min_projects, "chosen": self.count}
            )
        if budget.min_spent_share and self.spent < budget.min_spent_share * self.heading.amount:
            found.append(
                _(
                    "Spend at least %(share)s%% of the amount: "
                    "you have spent %(spent)s of %(amount)s."
                )
                % {
                    "share": f"{budget.min_spent_share * 100:.0f}",
                    "spent": f"{self.spent:,}",
                    "amount": f"{self.heading.amount:,}",
                }
            )
        return found


def _context(heading: Heading) -> str:
    return f"heading:{heading.pk}"


def _weight_text(weight) -> str:
    return str(Decimal(weight).quantize(WEIGHT_PLACES))


def envelope_size_for(heading_id: int) -> int:
    """The size of every envelope of a heading, from its fullest possible ballot: every project
    on the ballot with the most points it can get, the longest class, community id and weight.

    The projects on the ballot are frozen once balloting opens, so the size does not change
    while envelopes exist.
    """
    heading = Heading.objects.select_related("group__budget").get(pk=heading_id)
    budget = heading.group.budget
    # Every project selected, hidden by a moderator or not: a ballot may still hold one that
    # was hidden after it was chosen, and the size must not change while envelopes exist.
    ids = list(
        Investment.objects.filter(heading=heading, selected_for_ballot=True).values_list(
            "pk", flat=True
        )
    )
    if budget.ballot_style == BallotStyle.CUMULATIVE:
        limits = [n for n in (budget.points_max_per_project, budget.points_total) if n]
        most_points = min(limits) if limits else MAX_POINTS
    elif budget.ballot_style == BallotStyle.RANKED:
        most_points = budget.ranked_length or len(ids) + 1
    else:
        most_points = 1
    # A rank of at least four digits is as long as the JSON null of an unranked line.
    most_rank = max(len(ids), 1000)
    fullest = {
        "class": max((*VoterClass.values, ""), key=len),
        "community": 2**63 - 1,
        "weight": "9999.9999",
        "lines": [[pk, max(most_points, 1), most_rank] for pk in ids],
    }
    return envelope_size(payload_size(fullest))


def _lines_from_payload(payload: dict) -> list[BallotLine]:
    """The lines of an opened envelope as unsaved BallotLines with their investments (1 query)."""
    rows = payload.get("lines", [])
    investments = Investment.objects.in_bulk([row[0] for row in rows])
    lines = [
        BallotLine(investment=investments[pk], points=points, rank=rank)
        for pk, points, rank in rows
        if pk in investments
    ]
    if any(line.rank is not None for line in lines):
        lines.sort(key=lambda line: line.rank or 0)
    return lines


def ballot_state(heading: Heading, entry: RollEntry | None) -> BallotState:
    """The ballot of a roll entry (none yet if None): an online one opened from its envelope;
    a booth voter's paper ballot is in the box and shows no lines."""
    state = BallotState(heading=heading, lines=[], spent=0, points_used=0, entry=entry)
    if entry is None or entry.channel != Channel.ONLINE:
        return state
    sealed = Envelope.objects.filter(pk=entry.pk).values_list("sealed", flat=True).first()
    if sealed is None:
        return state
    for line in _lines_from_payload(unseal(sealed, context=_context(heading))):
        state.add(line)
    return state


def _group_limit_check(*, heading: Heading, user: User | None, census_record) -> None:
    """A person ballots in at most max_headings_per_voter headings of a group (read from the
    roll). Caller holds the person's lock, so two headings cannot both pass at once."""
    group = heading.group
    entries = RollEntry.objects.filter(heading__group_id=group.pk).exclude(heading=heading)
    entries = entries.filter(_person_q(user, census_record))
    other = list(entries.select_related("heading").order_by("id"))
    if len(other) >= group.max_headings_per_voter:
        raise NotAllowed(
            _("You already voted in heading %(heading)s: in %(group)s you can vote in only one.")
            % {"heading": other[0].heading.title, "group": group.title}
            if group.max_headings_per_voter == 1
            else _("You already voted in %(count)d headings of %(group)s, the most allowed.")
            % {"count": len(other), "group": group.title}
        )


def _person_q(user, census_record) -> Q:
    """Roll entries of one person: by their account or by their house-register entry."""
    query = Q(pk__in=[])
    if user is not None:
        query |= Q(user=user)
    if census_record is not None:
        query |= Q(census_record=census_record)
    return query


def _census_record_of(user: User) -> CensusRecord | None:
    return CensusRecord.objects.filter(user=user).first()


def _lock_person(user: User) -> None:
    """Serialise every ballot write of one person (online and at a booth) on their user row."""
    User.objects.select_for_update().filter(pk=user.pk).first()


PAPER_ALREADY = _lazy("You voted on paper at a booth in this heading.")


def _ballot_for_edit(*, user: User, heading: Heading) -> BallotState:
    """The person's online ballot in this heading, ready to change.

    Caller is in a transaction. Locks the person, then holds the heading in SHARE mode so that
    the count at the close waits for this edit (or this edit sees balloting closed), then
    checks that the person may ballot now. Refuses when they were marked at a booth.
    """
    _lock_person(user)
    share_lock(heading)
    ensure_allowed(can_ballot(user, heading))
    entry = RollEntry.objects.select_for_update().filter(heading=heading, user=user).first()
    if entry is None:
        census_record = _census_record_of(user)
        if (
            census_record is not None
            and RollEntry.objects.filter(heading=heading, census_record=census_record).exists()
        ):
            raise NotAllowed(PAPER_ALREADY)
    elif entry.channel != Channel.ONLINE:
        raise NotAllowed(PAPER_ALREADY)
    return ballot_state(heading, entry)


def _ballot_save(*, user: User, heading: Heading, state: BallotState) -> None:
    """Seal the ballot into its envelope; the first line puts the person on the roll, and an
    emptied ballot takes them off it again (they have not voted). Caller holds the locks."""
    entry = state.entry
    if not state.lines:
        if entry is not None:
            Envelope.objects.filter(pk=entry.pk).delete()
            entry.delete()
            state.entry = None
        return
    voter_class = voter_class_for(user, heading) or ""
    payload = {
        "class": str(voter_class),
        "community": user.residence_community_id,
        "weight": _weight_text(heading.group.budget.weight_for(voter_class)),
        "lines": [[line.investment_id, line.points, line.rank] for line in state.lines],
    }
    sealed = seal(payload, context=_context(heading), size=envelope_size_for(heading.pk))
    if entry is not None:
        Envelope.objects.update_or_create(roll_entry=entry, defaults={"sealed": sealed})
        return
    census_record = _census_record_of(user)
    _group_limit_check(heading=heading, user=user, census_record=census_record)
    try:
        with transaction.atomic():
            entry = RollEntry.objects.create(
                heading=heading,
                user=user,
                census_record=census_record,
                channel=Channel.ONLINE,
                community_id=user.residence_community_id,
            )
            Envelope.objects.create(roll_entry=entry, sealed=sealed)
    except IntegrityError:
        # The same house-register entry was marked at a booth in between.
        raise NotAllowed(PAPER_ALREADY) from None
    state.entry = entry


def _investment_on_ballot(heading: Heading, investment_id) -> Investment:
    investment = (
        Investment.objects.on_ballot().select_related("heading").filter(pk=investment_id).first()
    )
    if investment is None:
        raise NotAllowed(_("This project is not on the ballot."))
    if investment.heading_id != heading.pk:
        raise NotAllowed(
            _("This project belongs to the heading %(heading)s, not to this one.")
            % {"heading": investment.heading.title}
        )
    return investment


def _money(amount: int, currency: str) -> str:
    return f"{amount:,} {_('baht') if currency == 'THB' else currency}"


def _line_check(state: BallotState, investment: Investment, points: int, replacing=None) -> None:
    """Would the ballot with this line (replacing `replacing`) still keep the budget's rules?"""
    budget = state.budget
    style = budget.ballot_style
    adding = replacing is None
    if adding:
        limit = state.picks_limit
        if limit is not None and state.count >= limit:
            raise NotAllowed(
                _("You can choose at most %(count)d projects. Remove one to choose this one.")
                % {"count": limit}
            )
    if style == BallotStyle.KNAPSACK and adding:
        price = investment.price or 0
        if price > state.money_left:
            raise NotAllowed(
                _(
                    "%(title)s costs %(price)s and does not fit: you have %(left)s left. "
                    "Remove a project to make room."
                )
                % {
                    "title": investment.title,
                    "price": _money(price, budget.currency),
                    "left": _money(state.money_left, budget.currency),
                }
            )
    if style == BallotStyle.CUMULATIVE:
        if points < 1:
            raise NotAllowed(_("Give at least 1 point, or remove the project."))
        most = budget.points_max_per_project
        if most and points > most:
            raise NotAllowed(
                _("You can give at most %(count)d points to one project.") % {"count": most}
            )
        left = state.points_left
        if left is not None:
            left += replacing.points if replacing else 0
            if points > left:
                raise NotAllowed(_("You have only %(left)d points left to give.") % {"left": left})


def _ranked_renumber(lines: list[BallotLine], k: int) -> None:
    """Ranks 1..n in order, points k, k-1, ... (the first choice scores k, as Kraków counts)."""
    lines.sort(key=lambda line: line.rank or 0)
    for position, line in enumerate(lines, start=1):
        line.rank, line.points = position, max(k - position + 1, 1)


def _ranked_length(budget: Budget, state: BallotState) -> int:
    return budget.ranked_length or max(state.count + 1, 1)


def _points_recount(state: BallotState) -> None:
    state.points_used = sum(line.points for line in state.lines)


@transaction.atomic
def ballot_line_add(*, user: User, heading: Heading, investment_id, points: int = 1) -> BallotState:
    """Put a project on the person's ballot, checking every rule of the budget."""
    state = _ballot_for_edit(user=user, heading=heading)
    investment = _investment_on_ballot(heading, investment_id)
    if any(line.investment_id == investment.pk for line in state.lines):
        raise NotAllowed(_("%(title)s is already on your ballot.") % {"title": investment.title})
    style = heading.group.budget.ballot_style
    if style != BallotStyle.CUMULATIVE:
        points = 1
    _line_check(state, investment, points)
    rank = state.count + 1 if style == BallotStyle.RANKED else None
    length = _ranked_length(heading.group.budget, state)
    state.add(BallotLine(investment=investment, points=points, rank=rank))
    if style == BallotStyle.RANKED:
        _ranked_renumber(state.lines, length)
        _points_recount(state)
    _ballot_save(user=user, heading=heading, state=state)
    return state


def _line_of(state: BallotState, investment_id) -> BallotLine:
    line = next((li for li in state.lines if str(li.investment_id) == str(investment_id)), None)
    if line is None:
        raise NotAllowed(_("This project is not on your ballot."))
    return line


@transaction.atomic
def ballot_line_remove(*, user: User, heading: Heading, investment_id) -> BallotState:
    """Take a project off the ballot; an emptied ballot leaves the roll (the person has not
    voted)."""
    state = _ballot_for_edit(user=user, heading=heading)
    state.remove(_line_of(state, investment_id))
    if heading.group.budget.ballot_style == BallotStyle.RANKED:
        _ranked_renumber(state.lines, _ranked_length(heading.group.budget, state))
        _points_recount(state)
    _ballot_save(user=user, heading=heading, state=state)
    return state


@transaction.atomic
def ballot_line_points_set(
    *, user: User, heading: Heading, investment_id, points: int
) -> BallotState:
    """Change the points a cumulative ballot gives a project (0 removes it)."""
    if points <= 0:
        return ballot_line_remove(user=user, heading=heading, investment_id=investment_id)
    state = _ballot_for_edit(user=user, heading=heading)
    if heading.group.budget.ballot_style != BallotStyle.CUMULATIVE:
        raise NotAllowed(_("This ballot does not use points."))
    if points > MAX_POINTS:
        raise NotAllowed(
            _("You can give at most %(count)d points to one project.") % {"count": MAX_POINTS}
        )
    investment = _investment_on_ballot(heading, investment_id)
    line = next((li for li in state.lines if li.investment_id == investment.pk), None)
    _line_check(state, investment, points, replacing=line)
    if line is None:
        state.add(BallotLine(investment=investment, points=points))
    else:
        line.points = points
        _points_recount(state)
    _ballot_save(user=user, heading=heading, state=state)
    return state


@transaction.atomic
def ballot_line_move(*, user: User, heading: Heading, investment_id, up: bool) -> BallotState:
    """Move a project one place up or down a ranked ballot."""
    state = _ballot_for_edit(user=user, heading=heading)
    if heading.group.budget.ballot_style != BallotStyle.RANKED:
        raise NotAllowed(_("This ballot is not ranked."))
    line = _line_of(state, investment_id)
    lines = state.lines
    index = lines.index(line)
    other = index - 1 if up else index + 1
    if 0 <= other < len(lines):
        lines[index].rank, lines[other].rank = lines[other].rank, lines[index].rank
        _ranked_renumber(lines, heading.group.budget.ranked_length or len(lines))
        _points_recount(state)
        _ballot_save(user=user, heading=heading, state=state)
    return state


# Booths -------------------------------------------------------------------------------------


@transaction.atomic
def booth_roll_mark(
    *, officer: User, booth: Booth, heading: Heading, national_id: str
) -> RollEntry:
    """Mark the person with this national ID on the heading's roll at this booth: they take a
    paper ballot. No choice is recorded here, only that they voted.

    Refused when the person already voted in this heading (online or at a booth), has used up
    the headings of the group, or may not vote in it. Raises
    accounts.national_id.InvalidNationalId for a malformed ID.
    """
    from accounts.selectors import census_record_find

    ensure_allowed(can_mark_roll(officer, booth, heading))
    record = census_record_find(national_id)
    if record is None:
        raise NotAllowed(_("No one with this national ID is in the house register."))
    # The same lock as online voting when the record verified an account, taken first as online
    # voting takes it; then the record itself (NO KEY: a roll entry's foreign key to it must not
    # wait); then the heading, as every ballot write holds it.
    if record.user_id:
        _lock_person(record.user)
    record = (
        CensusRecord.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .get(pk=record.pk)
    )
    share_lock(heading)
    ensure_allowed(can_mark_roll(officer, booth, heading))
    existing = (
        RollEntry.objects.filter(heading=heading)
        .filter(_person_q(record.user if record.user_id else None, record))
        .first()
    )
    if existing is not None:
        raise NotAllowed(
            _("This person already voted online in this heading.")
            if existing.channel == Channel.ONLINE
            else _("This person already voted at a booth in this heading.")
        )
    _group_limit_check(heading=heading, user=record.user, census_record=record)
    budget = heading.group.budget
    if budget.voter_classes and VoterClass.AFFECTED_CITIZEN not in budget.voter_classes:
        raise NotAllowed(_("Citizens in the house register cannot vote in this budget."))
    if heading.community_id and record.community_id != heading.community_id:
        raise NotAllowed(_("This person is not registered in the community of this heading."))
    try:
        with transaction.atomic():
            return RollEntry.objects.create(
                heading=heading,
                user=record.user,
                census_record=record,
                channel=Channel.BOOTH,
                booth=booth,
                officer=officer,
                community_id=record.community_id,
            )
    except IntegrityError:
        raise NotAllowed(_("This person already voted in this heading.")) from None


def booth_progress(booth: Booth, heading: Heading) -> tuple[int, int]:
    """(people marked on the heading's roll at this booth, paper ballots entered for it)."""
    marked = RollEntry.objects.filter(heading=heading, booth=booth).count()
    entered = Ballot.objects.filter(heading=heading, booth=booth).count()
    return marked, entered


@transaction.atomic
def booth_paper_ballot_enter(
    *, officer: User, booth: Booth, heading: Heading, investment_ids: list, points=None
) -> Ballot:
    """Enter one paper ballot of this booth for a heading, without identity, after balloting.

    It goes into the box as it was marked: the budget's rules are checked line by line as on
    the ballot page; one short of the minimums is kept but not counted, like an online one.
    Never more ballots than people marked at the booth for the heading: the booth's row lock
    makes the check and the insert one step. `points` maps investment id to points for a
    cumulative ballot; a ranked ballot takes `investment_ids` in order.
    """
    booth = Booth.objects.select_for_update().get(pk=booth.pk)
    ensure_allowed(can_enter_paper_ballots(officer, booth, heading))
    marked, entered = booth_progress(booth, heading)
    if entered >= marked:
        raise NotAllowed(
            _(
                "All %(count)d people marked on the roll at this booth for this heading have "
                "their paper ballots entered: there can be no more."
            )
            % {"count": marked}
        )
    ids = list(dict.fromkeys(str(pk) for pk in investment_ids))
    if not ids:
        raise NotAllowed(_("Choose at least one project."))
    budget = heading.group.budget
    state = BallotState(heading=heading, lines=[], spent=0, points_used=0)
    for position, investment_id in enumerate(ids, start=1):
        investment = _investment_on_ballot(heading, investment_id)
        line_points = 1
        if budget.ballot_style == BallotStyle.CUMULATIVE:
            line_points = int((points or {}).get(investment_id, 1))
        _line_check(state, investment, line_points)
        rank = position if budget.ballot_style == BallotStyle.RANKED else None
        state.add(BallotLine(investment=investment, points=line_points, rank=rank))
    if budget.ballot_style == BallotStyle.RANKED:
        _ranked_renumber(state.lines, budget.ranked_length or len(ids))
    ballot = Ballot.objects.create(
        heading=heading,
        channel=Channel.BOOTH,
        booth=booth,
        voter_class=VoterClass.AFFECTED_CITIZEN,
        weight=budget.weight_for(VoterClass.AFFECTED_CITIZEN),
    )
    for line in state.lines:
        line.ballot = ballot
    BallotLine.objects.bulk_create(state.lines)
    booth_count_entered(booth=booth, officer=officer)
    return ballot


@transaction.atomic
def booth_count_confirm_by(*, officer: User, booth: Booth) -> Booth:
    """A second officer of the booth, who entered none of its paper ballots, confirms them."""
    booth = Booth.objects.select_for_update().get(pk=booth.pk)
    ensure_allowed(can_confirm_booth_count(officer, booth))
    booth_count_confirm(booth=booth, officer=officer)
    return booth


# Results ------------------------------------------------------------------------------------


def _as_ids(values) -> list[int]:
    out = []
    for value in values or []:
        out.append(int(getattr(value, "pk", value)))
    return out


def _envelopes_open(heading: Heading) -> int:
    """Open every envelope of the heading into the box, in a random order, and destroy them.

    Caller holds the heading's row FOR UPDATE, after balloting ended. The ballots are inserted
    in the shuffled order (so their ids and places in the table say nothing of who voted when),
    then their lines, in one transaction. An envelope that does not open raises EnvelopeBroken
    and stops the count.
    """
    envelopes = list(
        Envelope.objects.filter(roll_entry__heading=heading).values_list("sealed", flat=True)
    )
    if not envelopes:
        return 0
    context = _context(heading)
    payloads = shuffled(unseal(sealed, context=context) for sealed in envelopes)
    ballots = Ballot.objects.bulk_create(
        (
            Ballot(
                heading=heading,
                channel=Channel.ONLINE,
                voter_class=payload["class"],
                community_id=payload["community"],
                weight=Decimal(payload["weight"]),
            )
            for payload in payloads
        ),
        batch_size=OPEN_BATCH,
    )
    BallotLine.objects.bulk_create(
        (
            BallotLine(ballot_id=ballot.pk, investment_id=pk, points=points, rank=rank)
            for ballot, payload in zip(ballots, payloads, strict=True)
            for pk, points, rank in payload["lines"]
        ),
        batch_size=OPEN_BATCH,
    )
    Envelope.objects.filter(roll_entry__heading=heading).delete()
    envelopes_destroy([Envelope])
    return len(payloads)


OPEN_BATCH = 2000
_BALLOT_COLUMNS = ["channel", "booth_id", "voter_class", "community_id", "weight"]


def _paper_ballots_mix(heading: Heading) -> int:
    """Re-insert the heading's paper ballots with new ids in a random order. Caller holds the
    heading's row FOR UPDATE (the count).

    Officers enter paper ballots in the order they take them from the box, which may follow the
    order in which people were marked on the booth's roll; each count mixes them, as it mixes
    the envelopes, and rewrites the tables so that the rows as entered do not stay behind.
    """
    paper = Ballot.objects.filter(heading=heading, channel=Channel.BOOTH)
    ballots = list(paper.values("id", *_BALLOT_COLUMNS))
    if not ballots:
        return 0
    lines: dict = {}
    for line in BallotLine.objects.filter(ballot__in=paper).values(
        "ballot_id", "investment_id", "points", "rank"
    ):
        lines.setdefault(line.pop("ballot_id"), []).append(line)
    BallotLine.objects.filter(ballot__in=paper).delete()
    paper.delete()
    ballots = shuffled(ballots)
    copies = Ballot.objects.bulk_create(
        (Ballot(heading=heading, **{k: b[k] for k in _BALLOT_COLUMNS}) for b in ballots),
        batch_size=OPEN_BATCH,
    )
    BallotLine.objects.bulk_create(
        (
            BallotLine(ballot_id=copy.pk, **line)
            for copy, ballot in zip(copies, ballots, strict=True)
            for line in lines.get(ballot["id"], [])
        ),
        batch_size=OPEN_BATCH,
    )
    envelopes_destroy([Ballot, BallotLine])
    return len(copies)


def _tally_data(heading: Heading, tally) -> dict:
    """What the results page shows of the count (budgets.counting)."""
    return {
        "winners": _as_ids(tally.winners),
        "other_winners": _as_ids(tally.other_winners),
        "votes": {str(k): int(v) for k, v in tally.votes.items()},
        "points": {str(k): int(v) for k, v in tally.points.items()},
        "rule": str(tally.rule),
        "other_rule": str(tally.other_rule),
        "greedy_preferred": bool(tally.greedy_preferred),
        "ballots": int(tally.ballots),
        "ballots_not_counted": int(tally.ballots_not_counted),
        "spent": int(tally.spent),
    }


@transaction.atomic
def heading_results_compute(*, heading: Heading, publish: bool = True) -> HeadingResult:
    """Open the heading's envelopes into the box (once, after balloting ends), count the box,
    and store the outcome with every split its page shows and the box as a Pabulib file
    (replacing an earlier count). Publishes when asked and nothing stands in the way."""
    from budgets.counting import heading_count

    # FOR UPDATE: waits for every ballot write in flight (they hold the row in SHARE mode), and
    # every later one sees balloting closed.
    heading = (
        Heading.objects.select_for_update(of=("self",))
        .select_related("group__budget", "community")
        .get(pk=heading.pk)
    )
    budget = heading.group.budget
    prefetch_related_objects([budget], "phases")
    if phase_of(budget, PhaseKind.BALLOTING) is not None and not balloting_ended(budget):
        raise NotAllowed(_("Balloting has not ended: the ballots stay sealed until it does."))
    _envelopes_open(heading)
    _paper_ballots_mix(heading)
    counted = heading_count(heading)
    data = {**_tally_data(heading, counted.tally), **counted.data}
    now = timezone.now()
    result, _created = HeadingResult.objects.update_or_create(
        heading=heading,
        defaults={
            "rule": budget.rule,
            "data": data,
            "ballots_count": data["ballots"],
            "computed_at": now,
        },
    )
    result.ballot_box_set(counted.box, now)
    result.save(update_fields=["ballot_box", "ballot_box_sha256", "ballot_box_history"])
    if publish and result.published_at is None and not results_publish_refusal(result):
        result.published_at = now
        result.save(update_fields=["published_at"])
    return result


def results_publish_refusal(result: HeadingResult) -> str:
    """Why this result may not be published yet, or "": ballots entered after it was counted,
    or a booth of the heading whose count no second officer has confirmed."""
    heading = result.heading
    if Envelope.objects.filter(roll_entry__heading=heading).exists() or (
        Ballot.objects.filter(heading=heading).count() != result.data.get("box_ballots")
    ):
        return str(
            _("%(heading)s: ballots were entered after the count. Count again, then publish.")
            % {"heading": heading.title}
        )
    unconfirmed = (
        Booth.objects.filter(count_confirmed_at__isnull=True)
        .filter(Q(roll__heading=heading) | Q(ballots__heading=heading))
        .distinct()
        .order_by("name")
    )
    names = [booth.name for booth in unconfirmed]
    if names:
        return str(
            _("%(heading)s: no second officer has confirmed the count of the booth %(booths)s yet.")
            % {"heading": heading.title, "booths": ", ".join(names)}
        )
    return ""


def results_publish(*, queryset) -> tuple[int, list[str]]:
    """Make computed results public; returns how many, and why the others were refused."""
    published, refused = 0, []
    for result in queryset.filter(published_at__isnull=True).select_related("heading"):
        with transaction.atomic():
            if reason := results_publish_refusal(result):
                refused.append(reason)
                continue
            published += HeadingResult.objects.filter(
                pk=result.pk, published_at__isnull=True
            ).update(published_at=timezone.now())
    return published, refused


def budget_results_due(now=None) -> int:
    """Count every heading whose balloting has ended and that has no result yet, and publish
    each whose booths are confirmed (the share lock makes it safe right at the close)."""
    now = now or timezone.now()
    headings = (
        Heading.objects.filter(
            result__isnull=True,
            group__budget__phases__kind="balloting",
            group__budget__phases__ends_at__lte=now,
            group__budget__phases__enabled=True,
        )
        .select_related("group__budget")
        .prefetch_related("group__budget__phases")
        .distinct()
    )
    done = 0
    for heading in headings:
        if balloting_ended(heading.group.budget, now):
            heading_results_compute(heading=heading)
            done += 1
    return done


# Projects from proposals ----------------------------------------------------------------------


@transaction.atomic
def investment_from_proposal(*, proposal, heading: Heading, user: User) -> Investment:
    """Turn a successful proposal into a project of a heading, once; its outcome says so.

    The project carries the proposal's title, description, community, strategic issue and
    author, and then goes through review and valuation like any other project. Everyone who
    took part in the proposal is told.
    """
    from proposals.models import Proposal
    from proposals.notifications import next_stage_announce
    from proposals.permissions import ALREADY_INVESTMENT, can_make_investment

    # The lock makes the check and the write one step: two staff members turning the same
    # proposal at once get one project (the one-to-one column refuses a second in any case).
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_allowed(can_make_investment(user, proposal))
    budget = Budget.objects.prefetch_related("phases").get(groups__headings=heading)
    if not budget_takes_projects(budget):
        raise NotAllowed(
            _("The budget “%(budget)s” no longer takes new projects.") % {"budget": budget}
        )
    investment = Investment(
        heading=heading,
        proposal=proposal,
        title=proposal.title,
        description=sanitise_html(proposal.description),
        author_id=proposal.author_id,
        community_id=proposal.community_id or heading.community_id,
        strategic_issue_id=proposal.strategic_issue_id,
    )
    _validate(investment, exclude=["image", "proposal"])
    investment._history_user = user
    try:
        with transaction.atomic():
            investment.save()
    except IntegrityError:
        raise NotAllowed(str(ALREADY_INVESTMENT)) from None
    proposal.outcome = Proposal.Outcome.INVESTMENT
    proposal._history_user = user
    proposal.save(update_fields=["outcome", "updated_at"])
    # After commit, so nobody hears of a rolled-back project; robust, because the project stands
    # even if telling people fails.
    transaction.on_commit(
        lambda: next_stage_announce(
            proposal=proposal, kind=Notification.Kind.TO_BUDGET, subject=investment
        ),
        robust=True,
    )
    return investment
