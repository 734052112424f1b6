"""Writes for participatory budgeting: projects, valuation, supports, ballots, results."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import CensusRecord, User
from accounts.selectors import voter_class_for
from budgets.models import (
    Ballot,
    BallotLine,
    BallotStyle,
    Budget,
    Channel,
    Feasibility,
    Heading,
    HeadingResult,
    Investment,
    InvestmentDocument,
    InvestmentSupport,
)
from budgets.permissions import (
    budget_takes_projects,
    can_ballot,
    can_propose,
    can_record_booth_ballot,
    can_support,
    can_valuate,
    can_withdraw_support,
)
from participation.models import Competence, Notification
from participation.notifications import notices_create
from participation.services import NotAllowed, ensure_allowed
from participation.text import sanitise_html

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
        raise NotAllowed(" ".join(error.messages)) from None


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
    for name, value in fields.items():
        setattr(investment, name, value if value is not None or name == "price" else "")
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
    """Put projects on the ballot (only feasible ones with a price), or take them off."""
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


@dataclass
class BallotState:
    """What a ballot holds and what is left, for the page and for the rules."""

    heading: Heading
    lines: list[BallotLine]
    spent: int
    points_used: int

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


def ballot_state(heading: Heading, ballot: Ballot | None) -> BallotState:
    """The lines of a ballot (none yet if None) with their projects, in one query."""
    lines = list(ballot.lines.select_related("investment").order_by("rank", "id")) if ballot else []
    return BallotState(
        heading=heading,
        lines=lines,
        spent=sum(line.investment.price or 0 for line in lines),
        points_used=sum(line.points for line in lines),
    )


def _group_limit_check(*, heading: Heading, user: User | None, census_record) -> None:
    """A person ballots in at most max_headings_per_voter headings of a group.

    Caller holds the person's lock, so two headings cannot both pass at once.
    """
    group = heading.group
    ballots = Ballot.objects.filter(heading__group=group).exclude(heading=heading)
    if user is not None and census_record is not None:
        ballots = ballots.filter(models_q_person(user, census_record))
    elif user is not None:
        ballots = ballots.filter(user=user)
    else:
        ballots = ballots.filter(census_record=census_record)
    other = list(ballots.select_related("heading").order_by("id"))
    if len(other) >= group.max_headings_per_voter:
        raise NotAllowed(
            _("You already voted in heading %(heading)s: in %(group)s you can vote in only one.")
            % {"heading": other[0].heading.title, "group": group.title}
            if group.max_headings_per_voter == 1
            else _("You already voted in %(count)d headings of %(group)s, the most allowed.")
            % {"count": len(other), "group": group.title}
        )


def models_q_person(user, census_record):
    """Ballots of one person: by their account or by their house-register entry."""
    return Q(user=user) | Q(census_record=census_record)


def _census_record_of(user: User) -> CensusRecord | None:
    return CensusRecord.objects.filter(user=user).first()


def _lock_person(user: User) -> None:
    """Serialise every ballot write of one person (online and at a booth) on their user row."""
    User.objects.select_for_update().filter(pk=user.pk).first()


def _online_ballot_for_edit(*, user: User, heading: Heading) -> Ballot:
    """The person's ballot in this heading, locked, created on the first choice.

    Caller is in a transaction. Refuses when a paper ballot was recorded for the same person.
    """
    _lock_person(user)
    ballot = Ballot.objects.select_for_update().filter(heading=heading, user=user).first()
    if ballot is not None:
        if ballot.channel != Channel.ONLINE:
            raise NotAllowed(_("You voted on paper at a booth in this heading."))
        return ballot
    census_record = _census_record_of(user)
    if (
        census_record is not None
        and Ballot.objects.filter(heading=heading, census_record=census_record).exists()
    ):
        raise NotAllowed(_("You voted on paper at a booth in this heading."))
    _group_limit_check(heading=heading, user=user, census_record=census_record)
    voter_class = voter_class_for(user, heading)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                heading=heading,
                user=user,
                census_record=census_record,
                channel=Channel.ONLINE,
                voter_class=voter_class or "",
                community_id=user.residence_community_id,
                weight=heading.group.budget.weight_for(voter_class or ""),
            )
    except IntegrityError:
        # Someone else's request for the same person won; theirs is the ballot.
        ballot = Ballot.objects.select_for_update().filter(heading=heading, user=user).first()
        if ballot is None:
            raise NotAllowed(_("You voted on paper at a booth in this heading.")) from None
    return ballot


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


def _ranked_renumber(ballot: Ballot, k: int) -> None:
    """Ranks 1..n in order, points k, k-1, ... (the first choice scores k, as Kraków counts)."""
    for position, line in enumerate(ballot.lines.order_by("rank", "id"), start=1):
        points = max(k - position + 1, 1)
        if line.rank != position or line.points != points:
            BallotLine.objects.filter(pk=line.pk).update(rank=position, points=points)


def _ranked_length(budget: Budget, state: BallotState) -> int:
    return budget.ranked_length or max(state.count + 1, 1)


@transaction.atomic
def ballot_line_add(*, user: User, heading: Heading, investment_id, points: int = 1) -> Ballot:
    """Put a project on the person's ballot, checking every rule of the budget."""
    ensure_allowed(can_ballot(user, heading))
    investment = _investment_on_ballot(heading, investment_id)
    ballot = _online_ballot_for_edit(user=user, heading=heading)
    state = ballot_state(heading, ballot)
    if any(line.investment_id == investment.pk for line in state.lines):
        raise NotAllowed(_("%(title)s is already on your ballot.") % {"title": investment.title})
    style = heading.group.budget.ballot_style
    if style != BallotStyle.CUMULATIVE:
        points = 1
    _line_check(state, investment, points)
    rank = None
    if style == BallotStyle.RANKED:
        rank = state.count + 1
    BallotLine.objects.create(ballot=ballot, investment=investment, points=points, rank=rank)
    if style == BallotStyle.RANKED:
        _ranked_renumber(ballot, _ranked_length(heading.group.budget, state))
    Ballot.objects.filter(pk=ballot.pk).update(updated_at=timezone.now())
    return ballot


@transaction.atomic
def ballot_line_remove(*, user: User, heading: Heading, investment_id) -> Ballot | None:
    """Take a project off the ballot; an emptied ballot is removed (the person has not voted)."""
    ensure_allowed(can_ballot(user, heading))
    _lock_person(user)
    ballot = Ballot.objects.select_for_update().filter(heading=heading, user=user).first()
    if ballot is None or ballot.channel != Channel.ONLINE:
        raise NotAllowed(_("This project is not on your ballot."))
    deleted, _rows = ballot.lines.filter(investment_id=investment_id).delete()
    if not deleted:
        raise NotAllowed(_("This project is not on your ballot."))
    if not ballot.lines.exists():
        ballot.delete()
        return None
    if heading.group.budget.ballot_style == BallotStyle.RANKED:
        state = ballot_state(heading, ballot)
        _ranked_renumber(ballot, _ranked_length(heading.group.budget, state))
    Ballot.objects.filter(pk=ballot.pk).update(updated_at=timezone.now())
    return ballot


@transaction.atomic
def ballot_line_points_set(*, user: User, heading: Heading, investment_id, points: int) -> Ballot:
    """Change the points a cumulative ballot gives a project (0 removes it)."""
    if points <= 0:
        return ballot_line_remove(user=user, heading=heading, investment_id=investment_id)
    ensure_allowed(can_ballot(user, heading))
    if heading.group.budget.ballot_style != BallotStyle.CUMULATIVE:
        raise NotAllowed(_("This ballot does not use points."))
    investment = _investment_on_ballot(heading, investment_id)
    ballot = _online_ballot_for_edit(user=user, heading=heading)
    state = ballot_state(heading, ballot)
    line = next((li for li in state.lines if li.investment_id == investment.pk), None)
    _line_check(state, investment, points, replacing=line)
    if line is None:
        BallotLine.objects.create(ballot=ballot, investment=investment, points=points)
    else:
        BallotLine.objects.filter(pk=line.pk).update(points=points)
    Ballot.objects.filter(pk=ballot.pk).update(updated_at=timezone.now())
    return ballot


@transaction.atomic
def ballot_line_move(*, user: User, heading: Heading, investment_id, up: bool) -> Ballot:
    """Move a project one place up or down a ranked ballot."""
    ensure_allowed(can_ballot(user, heading))
    if heading.group.budget.ballot_style != BallotStyle.RANKED:
        raise NotAllowed(_("This ballot is not ranked."))
    _lock_person(user)
    ballot = Ballot.objects.select_for_update().filter(heading=heading, user=user).first()
    if ballot is None or ballot.channel != Channel.ONLINE:
        raise NotAllowed(_("This project is not on your ballot."))
    lines = list(ballot.lines.order_by("rank", "id"))
    index = next(
        (i for i, li in enumerate(lines) if str(li.investment_id) == str(investment_id)), None
    )
    if index is None:
        raise NotAllowed(_("This project is not on your ballot."))
    other = index - 1 if up else index + 1
    if 0 <= other < len(lines):
        lines[index], lines[other] = lines[other], lines[index]
        k = heading.group.budget.ranked_length or len(lines)
        for position, line in enumerate(lines, start=1):
            BallotLine.objects.filter(pk=line.pk).update(
                rank=position, points=max(k - position + 1, 1)
            )
        Ballot.objects.filter(pk=ballot.pk).update(updated_at=timezone.now())
    return ballot


@transaction.atomic
def booth_ballot_record(
    *, officer: User, heading: Heading, national_id: str, investment_ids: list, points=None
) -> Ballot:
    """Record a paper ballot for the person with this national ID.

    Refused when the person already voted in this heading, online or at a booth. Raises
    accounts.national_id.InvalidNationalId for a malformed ID. `points` maps investment id to
    points for a cumulative ballot; a ranked ballot takes `investment_ids` in order.
    """
    from accounts.selectors import census_record_find

    ensure_allowed(can_record_booth_ballot(officer, heading))
    record = census_record_find(national_id)
    if record is None:
        raise NotAllowed(_("No one with this national ID is in the house register."))
    # The same lock as online voting when the record verified an account, taken first as online
    # voting takes it; then the record itself (NO KEY: a ballot's foreign key to it must not wait).
    if record.user_id:
        _lock_person(record.user)
    record = CensusRecord.objects.select_for_update(no_key=True).get(pk=record.pk)
    same_person = Ballot.objects.filter(heading=heading, census_record=record)
    if record.user_id:
        same_person = Ballot.objects.filter(heading=heading).filter(
            models_q_person(record.user_id, record)
        )
    existing = same_person.first()
    if existing is not None:
        raise NotAllowed(
            _("This person already voted online in this heading.")
            if existing.channel == Channel.ONLINE
            else _("This person already voted at a booth in this heading.")
        )
    _group_limit_check(heading=heading, user=record.user, census_record=record)
    budget = heading.group.budget
    if budget.voter_classes and "affected_citizen" not in budget.voter_classes:
        raise NotAllowed(_("Citizens in the house register cannot vote in this budget."))
    if heading.community_id and record.community_id != heading.community_id:
        raise NotAllowed(_("This person is not registered in the community of this heading."))
    ids = list(dict.fromkeys(str(pk) for pk in investment_ids))
    if not ids:
        raise NotAllowed(_("Choose at least one project."))
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                heading=heading,
                user=record.user,
                census_record=record,
                channel=Channel.BOOTH,
                voter_class="affected_citizen",
                community_id=record.community_id,
                weight=budget.weight_for("affected_citizen"),
                recorded_by=officer,
            )
    except IntegrityError:
        raise NotAllowed(_("This person already voted in this heading.")) from None
    state = ballot_state(heading, None)
    for position, investment_id in enumerate(ids, start=1):
        investment = _investment_on_ballot(heading, investment_id)
        line_points = 1
        if budget.ballot_style == BallotStyle.CUMULATIVE:
            line_points = int((points or {}).get(investment_id, 1))
        _line_check(state, investment, line_points)
        line = BallotLine.objects.create(
            ballot=ballot,
            investment=investment,
            points=line_points,
            rank=position if budget.ballot_style == BallotStyle.RANKED else None,
        )
        line.investment = investment
        state.lines.append(line)
        state.spent += investment.price or 0
        state.points_used += line_points
    if budget.ballot_style == BallotStyle.RANKED:
        _ranked_renumber(ballot, budget.ranked_length or len(ids))
    problems = state.problems()
    if problems:
        raise NotAllowed(" ".join(problems))
    return ballot


# Results ------------------------------------------------------------------------------------


def _as_ids(values) -> list[int]:
    out = []
    for value in values or []:
        out.append(int(getattr(value, "pk", value)))
    return out


def _tally_data(heading: Heading) -> dict:
    """Run the counting engine (budgets.counting) and keep what the results page shows."""
    from budgets.counting import heading_tally

    tally = heading_tally(heading)
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
    """Count a heading's ballots and store the outcome (replacing an earlier count)."""
    heading = Heading.objects.select_related("group__budget").get(pk=heading.pk)
    data = _tally_data(heading)
    now = timezone.now()
    result, _created = HeadingResult.objects.update_or_create(
        heading=heading,
        defaults={
            "rule": heading.group.budget.rule,
            "data": data,
            "ballots_count": data["ballots"],
            "computed_at": now,
        },
    )
    if publish and result.published_at is None:
        result.published_at = now
        result.save(update_fields=["published_at"])
    return result


# A ballot line checked just before balloting ends may commit just after; the count waits this
# long so that it never misses one (staff can recount at any time).
COUNT_AFTER_BALLOTING = timedelta(minutes=2)


def budget_results_due(now=None) -> int:
    """Compute and publish the results of every heading whose balloting ended a little while
    ago without them."""
    from budgets.permissions import balloting_ended

    now = (now or timezone.now()) - COUNT_AFTER_BALLOTING
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


def results_publish(*, queryset) -> int:
    """Make computed results public."""
    return queryset.filter(published_at__isnull=True).update(published_at=timezone.now())


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
