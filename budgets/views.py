from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.forms import InterestDeclarationForm
from accounts.models import InterestDeclaration
from accounts.national_id import InvalidNationalId
from accounts.selectors import voter_class_for
from accounts.services import VerificationError, interest_declare
from budgets import selectors
from budgets.exports import planner_export_response
from budgets.forms import (
    BoothRollForm,
    InvestmentFilterForm,
    InvestmentForm,
    PaperBallotForm,
    ValuationForm,
)
from budgets.models import BallotStyle, Booth, Budget, Channel, Heading, Investment, PhaseKind
from budgets.permissions import (
    balloting_ended,
    can_ballot,
    can_confirm_booth_count,
    can_declare,
    can_enter_paper_ballots,
    can_mark_roll,
    can_propose,
    can_see_results,
    can_serve_booth,
    can_support,
    can_valuate,
    can_withdraw_support,
    current_phase,
    is_staff_of_budgets,
    prices_public,
)
from budgets.services import (
    ballot_line_add,
    ballot_line_move,
    ballot_line_points_set,
    ballot_line_remove,
    ballot_state,
    booth_count_confirm_by,
    booth_paper_ballot_enter,
    booth_progress,
    booth_roll_mark,
    investment_create,
    investment_valuate,
    support_add,
    support_withdraw,
)
from participation.disclosure import small_groups_why
from participation.interaction_views import MAX_PK, safe_next, sign_in_required
from participation.models import Milestone
from participation.permissions import Decision
from participation.selectors import milestones_of
from participation.services import NotAllowed

INVESTMENTS_PER_PAGE = 30


def _get_or_404(get, pk):
    """What the selector `get` returns for pk, or 404 (a pk past 64 bits included)."""
    if pk > MAX_PK:
        raise Http404
    try:
        return get(pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _budget_or_404(pk) -> Budget:
    return _get_or_404(selectors.budget_get, pk)


def _heading_or_404(pk) -> Heading:
    return _get_or_404(selectors.heading_get, pk)


def _declare_url(request, heading: Heading) -> str | None:
    """Where a person without a class for the heading says how it concerns them, coming back
    to this page; None when they have a class or the budget admits only affected people."""
    if not can_declare(request.user, heading):
        return None
    return (
        reverse("budgets:declare", args=[heading.pk])
        + "?"
        + urlencode({"next": request.get_full_path()})
    )


def _investment_or_404(request, pk) -> Investment:
    investment = _get_or_404(selectors.investment_get, pk)
    if investment.is_hidden and not (
        is_staff_of_budgets(request.user) or investment.author_id == request.user.pk
    ):
        raise Http404
    return investment


@require_safe
def budget_list(request):
    budgets = list(selectors.budget_list())
    for budget in budgets:
        budget.phase = current_phase(budget)
    user = request.user
    return render(
        request,
        "budgets/list.html",
        {
            "budgets": budgets,
            "valuates": user.is_authenticated
            and (is_staff_of_budgets(user) or user.valuated_investments.exists()),
        },
    )


@require_safe
def budget_detail(request, pk: int):
    budget = _budget_or_404(pk)
    phase = current_phase(budget)
    phases = [p for p in budget.phases.all() if p.enabled]
    return render(
        request,
        "budgets/detail.html",
        {
            "budget": budget,
            "phase": phase,
            "phases": phases,
            "groups": budget.groups.all(),
            "finished": phase == PhaseKind.FINISHED,
            "can_export": request.user.has_perm("budgets.export_budget"),
            "booths": selectors.booths_served(request.user, budget),
        },
    )


@require_safe
def heading_detail(request, pk: int):
    heading = _heading_or_404(pk)
    budget = heading.group.budget
    filters = InvestmentFilterForm(request.GET)
    investments = selectors.investment_list(heading=heading, **filters.filters())
    page = Paginator(investments, INVESTMENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    supported = selectors.user_supported_ids(request.user, page.object_list)
    for investment in page.object_list:
        investment.user_supports = investment.pk in supported
    phase = current_phase(budget)
    return render(
        request,
        "budgets/heading.html",
        {
            "heading": heading,
            "budget": budget,
            "phase": phase,
            "page": page,
            "filters": filters,
            "can_propose": can_propose(request.user, heading),
            "prices_public": prices_public(budget),
            "balloting": phase == PhaseKind.BALLOTING,
            "has_results": can_see_results(request.user, heading),
            "booths": selectors.booths_served(request.user, budget),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investment_create_view(request, pk: int):
    heading = _heading_or_404(pk)
    decision = can_propose(request.user, heading)
    if not decision:
        return render(
            request, "budgets/refused.html", {"decision": decision, "heading": heading}, status=403
        )
    form = InvestmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"community": heading.community_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            investment = investment_create(
                author=request.user, heading=heading, **form.service_fields()
            )
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Your project is submitted. Staff will valuate it."))
            return redirect(investment)
    return render(request, "budgets/investment_form.html", {"form": form, "heading": heading})


@require_safe
def investment_detail(request, pk: int):
    investment = _investment_or_404(request, pk)
    budget = investment.heading.group.budget
    supported = investment.pk in selectors.user_supported_ids(request.user, [investment])
    result = selectors.heading_result(investment.heading)
    won = bool(result and result.published_at and investment.pk in result.winner_ids)
    phase = current_phase(budget)
    valuates = can_valuate(request.user, investment)
    return render(
        request,
        "budgets/investment.html",
        {
            "investment": investment,
            "heading": investment.heading,
            "budget": budget,
            "phase": phase,
            "prices_public": prices_public(budget)
            or investment.author_id == request.user.pk
            or bool(valuates),
            "supported": supported,
            "support_decision": can_support(request.user, investment, supported=supported),
            "declare_url": _declare_url(request, investment.heading)
            if phase == PhaseKind.SELECTING
            else None,
            "can_withdraw": can_withdraw_support(request.user, investment, supported=supported),
            "can_valuate": valuates,
            "won": won,
            "milestones": milestones_of(investment) if won else [],
            "photos": list(investment.photos.all()) if won else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def investment_valuate_view(request, pk: int):
    investment = _investment_or_404(request, pk)
    decision = can_valuate(request.user, investment)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(investment)
    initial = {
        "feasibility": investment.feasibility,
        "unfeasibility_reason": investment.unfeasibility_reason,
        "competence": investment.competence,
        "responsible_agency": investment.responsible_agency,
        "price": investment.price,
        "duration": investment.duration,
        "valuation_explanation": investment.valuation_explanation,
    }
    form = ValuationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            investment_valuate(user=request.user, investment=investment, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("The valuation is saved."))
            return redirect(investment)
    return render(request, "budgets/valuate.html", {"form": form, "investment": investment})


@login_required
@require_safe
def valuation_queue(request):
    return render(
        request,
        "budgets/valuation_queue.html",
        {"investments": selectors.valuation_queue(request.user)[:200]},
    )


@require_POST
@sign_in_required
def support(request, pk: int):
    investment = _investment_or_404(request, pk)
    try:
        support_add(user=request.user, investment=investment)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect(investment)


@require_POST
@sign_in_required
def withdraw(request, pk: int):
    investment = _investment_or_404(request, pk)
    try:
        support_withdraw(user=request.user, investment=investment)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Your support is withdrawn."))
    return redirect(investment)


# Ballot -------------------------------------------------------------------------------------


@require_safe
def ballot(request, pk: int):
    heading = _heading_or_404(pk)
    budget = heading.group.budget
    entry = selectors.roll_entry_of(request.user, heading)
    # Once balloting has ended the ballot is in the box (or about to be): nobody, its voter
    # included, sees it again.
    in_box = entry is not None and balloting_ended(budget)
    state = ballot_state(heading, None if in_box else entry)
    chosen = {line.investment_id: line for line in state.lines}
    investments = list(
        Investment.objects.on_ballot()
        .filter(heading=heading)
        .select_related("community")
        .order_by("price", "id")
    )
    for investment in investments:
        line = chosen.get(investment.pk)
        investment.on_my_ballot = line is not None
        investment.my_points = line.points if line else 0
        investment.fits = investment.price is not None and investment.price <= state.money_left
    decision = can_ballot(request.user, heading)
    paper = entry is not None and entry.channel == Channel.BOOTH
    return render(
        request,
        "budgets/ballot.html",
        {
            "heading": heading,
            "budget": budget,
            "entry": entry,
            "in_box": in_box,
            "paper": paper,
            "state": state,
            "problems": state.problems() if state.lines else [],
            "investments": investments,
            "decision": decision,
            "declare_url": _declare_url(request, heading) if not decision else None,
            "editable": bool(decision) and not paper,
            "other_ballots": selectors.roll_entries_in_group(request.user, heading),
            "style": budget.ballot_style,
            "styles": BallotStyle,
        },
    )


def _ballot_redirect(heading: Heading):
    # To the top of the page, where the message and what is left are, not to the project.
    return redirect(reverse("budgets:ballot", args=[heading.pk]))


def _investment_id(request) -> int | None:
    try:
        value = int(request.POST.get("investment", ""))
    except ValueError:
        return None
    return value if 0 < value <= MAX_PK else None


def _ballot_action(request, pk: int, action):
    heading = _heading_or_404(pk)
    investment_id = _investment_id(request)
    if investment_id is None:
        messages.error(request, _("This project is not on the ballot."))
        return _ballot_redirect(heading)
    try:
        message = action(heading, investment_id)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        if message:
            messages.success(request, message)
    return _ballot_redirect(heading)


@require_POST
@sign_in_required
def ballot_add(request, pk: int):
    def action(heading, investment_id):
        points = _points(request)
        ballot_line_add(
            user=request.user, heading=heading, investment_id=investment_id, points=points or 1
        )
        return _("Added to your ballot. Your ballot is saved.")

    return _ballot_action(request, pk, action)


@require_POST
@sign_in_required
def ballot_remove(request, pk: int):
    def action(heading, investment_id):
        ballot_line_remove(user=request.user, heading=heading, investment_id=investment_id)
        return _("Removed from your ballot. Your ballot is saved.")

    return _ballot_action(request, pk, action)


def _points(request) -> int | None:
    try:
        return max(0, min(int(request.POST.get("points", "")), 10**6))
    except ValueError:
        return None


@require_POST
@sign_in_required
def ballot_points(request, pk: int):
    def action(heading, investment_id):
        points = _points(request)
        if points is None:
            raise NotAllowed(_("Enter the number of points as a whole number."))
        ballot_line_points_set(
            user=request.user, heading=heading, investment_id=investment_id, points=points
        )
        return _("Your points are saved.")

    return _ballot_action(request, pk, action)


@require_POST
@sign_in_required
def ballot_move(request, pk: int):
    def action(heading, investment_id):
        ballot_line_move(
            user=request.user,
            heading=heading,
            investment_id=investment_id,
            up=request.POST.get("direction") != "down",
        )
        return _("Your ranking is saved.")

    return _ballot_action(request, pk, action)


# Booths -------------------------------------------------------------------------------------


def _booth_or_404(pk) -> Booth:
    return _get_or_404(selectors.booth_get, pk)


def _booth_heading_or_404(booth: Booth, heading_pk) -> Heading:
    heading = _heading_or_404(heading_pk)
    if heading.group.budget_id != booth.budget_id:
        raise Http404
    return heading


def _refused(request, decision, heading=None, booth=None):
    return render(
        request,
        "budgets/refused.html",
        {"decision": decision, "heading": heading, "booth": booth},
        status=403,
    )


@login_required
@require_safe
def booth(request, pk: int):
    """The booth's page for its officers: its headings, how many people were marked and how
    many paper ballots entered in each, and the second officer's confirmation."""
    booth = _booth_or_404(pk)
    decision = can_serve_booth(request.user, booth)
    if not decision:
        return _refused(request, decision, booth=booth)
    budget = booth.budget
    phase = current_phase(budget)
    return render(
        request,
        "budgets/booth.html",
        {
            "booth": booth,
            "budget": budget,
            "headings": selectors.booth_headings(booth),
            "balloting": phase == PhaseKind.BALLOTING,
            "after": balloting_ended(budget),
            "confirm": can_confirm_booth_count(request.user, booth),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booth_roll(request, pk: int, heading_pk: int):
    """Mark a person on a heading's roll by national ID: they take a paper ballot."""
    booth = _booth_or_404(pk)
    heading = _booth_heading_or_404(booth, heading_pk)
    decision = can_mark_roll(request.user, booth, heading)
    if not decision:
        return _refused(request, decision, heading=heading, booth=booth)
    form = BoothRollForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booth_roll_mark(
                officer=request.user,
                booth=booth,
                heading=heading,
                national_id=form.cleaned_data["national_id"],
            )
        except InvalidNationalId:
            form.add_error("national_id", _("This is not a valid Thai national ID."))
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("Marked on the roll. Give the voter a paper ballot of %(heading)s.")
                % {"heading": heading.title},
            )
            return redirect("budgets:booth_roll", booth.pk, heading.pk)
    marked, _entered = booth_progress(booth, heading)
    return render(
        request,
        "budgets/booth_roll.html",
        {"form": form, "booth": booth, "heading": heading, "marked": marked},
    )


@login_required
@require_http_methods(["GET", "POST"])
def booth_paper(request, pk: int, heading_pk: int):
    """Enter the booth's paper ballots of a heading one by one, without identity."""
    booth = _booth_or_404(pk)
    heading = _booth_heading_or_404(booth, heading_pk)
    decision = can_enter_paper_ballots(request.user, booth, heading)
    if not decision:
        return _refused(request, decision, heading=heading, booth=booth)
    budget = heading.group.budget
    investments = list(Investment.objects.on_ballot().filter(heading=heading).order_by("id"))
    form = PaperBallotForm(
        request.POST if request.method == "POST" else None,
        investments=investments,
        cumulative=budget.ballot_style == BallotStyle.CUMULATIVE,
        ranked=budget.ballot_style == BallotStyle.RANKED,
    )
    if request.method == "POST" and form.is_valid():
        chosen, points = form.choices()
        try:
            booth_paper_ballot_enter(
                officer=request.user,
                booth=booth,
                heading=heading,
                investment_ids=chosen,
                points=points,
            )
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            marked, entered = booth_progress(booth, heading)
            messages.success(
                request,
                _("The paper ballot is entered: %(entered)d of %(marked)d.")
                % {"entered": entered, "marked": marked},
            )
            return redirect("budgets:booth_paper", booth.pk, heading.pk)
    marked, entered = booth_progress(booth, heading)
    return render(
        request,
        "budgets/booth_paper.html",
        {
            "form": form,
            "booth": booth,
            "heading": heading,
            "budget": budget,
            "marked": marked,
            "entered": entered,
        },
    )


@require_POST
@login_required
def booth_confirm(request, pk: int):
    """A second officer confirms the booth's paper ballots."""
    booth = _booth_or_404(pk)
    try:
        booth_count_confirm_by(officer=request.user, booth=booth)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("You confirmed the count of this booth."))
    return redirect(booth)


# Results, execution, stats ------------------------------------------------------------------


@require_safe
def results(request, pk: int):
    heading = _heading_or_404(pk)
    if not can_see_results(request.user, heading):
        return render(request, "budgets/no_results.html", {"heading": heading}, status=404)
    result = heading.result
    rows = selectors.result_rows(heading, result)
    budget = heading.group.budget
    participation = result.data.get("participation", {})
    people = participation.get("people", 0)
    population = participation.get("population")
    return render(
        request,
        "budgets/results.html",
        {
            "heading": heading,
            "budget": budget,
            "result": result,
            "rows": rows,
            "tables": selectors.result_tables(result, rows),
            "reconciliation": selectors.reconciliation_rows(result),
            "small_groups_why": small_groups_why(result.data.get("splits", {}).get("minimum")),
            "people": people,
            "turnout": people / population * 100 if population and people else None,
            "downloads": [
                (
                    reverse("budgets:pabulib", args=[heading.pk]),
                    _("The ballot box as a Pabulib file (.pb), to recount the result"),
                )
            ],
            "spent": sum(row["cost"] or 0 for row in rows if row["won"]),
            "other_rule": "equal_shares" if result.rule == "greedy" else "greedy",
        },
    )


@require_safe
def pabulib_download(request, pk: int):
    """The ballot box of a counted heading, exactly the file whose SHA-256 the results page
    prints (stored at the count)."""
    heading = _heading_or_404(pk)
    if not can_see_results(request.user, heading) or not heading.result.ballot_box:
        raise Http404
    response = HttpResponse(heading.result.ballot_box, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ruamkit-heading-{heading.pk}.pb"'
    return response


@require_safe
def execution(request, pk: int):
    budget = _budget_or_404(pk)
    status = request.GET.get("status")
    if status not in Milestone.Status.values:
        status = None
    return render(
        request,
        "budgets/execution.html",
        {
            "budget": budget,
            "groups": selectors.winners_by_community(budget, status),
            "status": status,
            "statuses": Milestone.Status.choices,
        },
    )


@require_safe
def stats(request, pk: int):
    budget = _budget_or_404(pk)
    headings = [h for group in budget.groups.all() for h in group.headings.all()]
    return render(
        request,
        "budgets/stats.html",
        {
            "budget": budget,
            "headings": selectors.heading_stats(headings),
            "communities": selectors.community_stats(budget),
            "voters": selectors.budget_voters(budget),
        },
    )


@permission_required("budgets.export_budget", raise_exception=True)
@require_safe
def planner_export(request, pk: int):
    budget = _budget_or_404(pk)
    return planner_export_response(budget)


@login_required
@require_http_methods(["GET", "POST"])
def declare(request, pk: int):
    """Say how a heading concerns one (interested or concerned), to support and ballot in it."""
    heading = _heading_or_404(pk)
    back_url = safe_next(request) or heading.get_absolute_url()
    current = voter_class_for(request.user, heading)
    if current is not None and current not in InterestDeclaration.DECLARABLE:
        messages.info(request, _("You already take part as %(class)s.") % {"class": current.label})
        return redirect(back_url)
    if current is None and not can_declare(request.user, heading):
        return render(
            request,
            "budgets/refused.html",
            {
                "decision": Decision(
                    False,
                    _("Only people verified as citizens or residents of Saensuk can take part."),
                ),
                "heading": heading,
            },
            status=403,
        )
    initial = {"voter_class": current} if current else {}
    form = InterestDeclarationForm(request.POST or None, initial=initial, matter=heading)
    if request.method == "POST" and form.is_valid():
        try:
            interest_declare(
                user=request.user, matter=heading, voter_class=form.cleaned_data["voter_class"]
            )
        except VerificationError as e:
            messages.error(request, e.reason)
        else:
            messages.success(request, _("Thank you. We have noted how this matter concerns you."))
            return redirect(back_url)
    return render(
        request,
        "participation/declare.html",
        {
            "matter": heading,
            "declaration_form": form,
            "declaration_action": request.get_full_path(),
            "back_url": back_url,
            "pending_vote": False,
        },
    )
