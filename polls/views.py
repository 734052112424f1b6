import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.forms import InterestDeclarationForm
from accounts.models import InterestDeclaration
from accounts.selectors import census_record_find
from accounts.services import VerificationError, interest_declare
from participation.exports import csv_response
from participation.interaction_views import sign_in_required
from participation.services import NotAllowed
from polls import selectors
from polls.forms import BallotForm, BoothTotalsForm, NationalIdForm
from polls.models import Booth, BoothTotal, Poll
from polls.permissions import (
    CLASS_NOT_ADMITTED,
    DECLARE_FIRST,
    NOT_VERIFIED,
    ballot_eligibility,
    booth_eligibility,
    can_record_at_booth,
    can_see_results,
)
from polls.services import ballot_cast, booth_ballot_cast, booth_totals_enter


def _poll_or_404(pk: int) -> Poll:
    try:
        return selectors.poll_detail(pk)
    except Poll.DoesNotExist:
        raise Http404 from None


@require_safe
def poll_list(request):
    groups = selectors.poll_list(user=request.user)
    return render(request, "polls/list.html", {"groups": groups})


def _detail(
    request,
    poll: Poll,
    form: BallotForm | None = None,
    status: int = 200,
    declaration_form: InterestDeclarationForm | None = None,
):
    decision = ballot_eligibility(request.user, poll)
    if form is None and decision:
        form = BallotForm(poll=poll)
    if declaration_form is None:
        declaration_form = InterestDeclarationForm()
    return render(
        request,
        "polls/detail.html",
        {
            "poll": poll,
            "decision": decision,
            "form": form if decision else None,
            "needs_verification": decision.reason == NOT_VERIFIED,
            "needs_declaration": decision.reason == DECLARE_FIRST,
            "results_visible": can_see_results(request.user, poll),
            "declaration_form": declaration_form,
            "declaration_action": reverse("polls:declare", args=[poll.pk]),
        },
        status=status,
    )


@require_safe
def poll_detail(request, pk: int):
    return _detail(request, _poll_or_404(pk))


@require_POST
@sign_in_required
def vote(request, pk: int):
    poll = _poll_or_404(pk)
    form = BallotForm(request.POST, poll=poll)
    if not form.is_valid():
        return _detail(request, poll, form, status=400)
    choices, texts = form.answers()
    try:
        ballot_cast(user=request.user, poll=poll, choices=choices, texts=texts)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Thank you. Your secret ballot has been counted."))
    return redirect(poll)


def _visible_result(request, pk: int):
    poll = _poll_or_404(pk)
    result = getattr(poll, "result", None)
    if result is None or not can_see_results(request.user, poll):
        raise Http404
    return poll, result


@require_safe
def results(request, pk: int):
    poll, result = _visible_result(request, pk)
    return render(
        request,
        "polls/results.html",
        {"poll": poll, "result": result, "view": selectors.result_view(result)},
    )


@require_safe
def results_csv(request, pk: int):
    poll, result = _visible_result(request, pk)
    header, rows = selectors.result_table(result)
    return csv_response(filename=f"poll-{poll.pk}-results.csv", header=header, rows=rows)


@require_safe
def results_json(request, pk: int):
    poll, result = _visible_result(request, pk)
    payload = {
        "poll": {"id": poll.pk, "title": poll.title},
        "opens_at": poll.opens_at.isoformat(),
        "closes_at": poll.closes_at.isoformat(),
        "computed_at": result.computed_at.isoformat(),
        "published_at": result.published_at.isoformat() if result.published_at else None,
        **result.data,
        "communities": selectors.community_names(result),
    }
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"poll-{poll.pk}-results.json"
    )
    return response


# --- Booths -----------------------------------------------------------------------------------


def _booth_for(request, pk: int) -> Booth:
    booth = get_object_or_404(Booth.objects.select_related("poll"), pk=pk)
    decision = can_record_at_booth(request.user, booth)
    if not decision:
        raise PermissionDenied(decision.reason)
    return booth


@login_required
@require_safe
def booth_list(request):
    if not request.user.has_perm("polls.record_booth_vote"):
        raise PermissionDenied
    return render(request, "polls/booth_list.html", {"booths": selectors.booths_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def booth(request, pk: int):
    """The officer types the voter's national ID, then the paper ballot's answers.

    The ID travels back in a hidden field between the two steps and is never stored: only its
    keyed hash is looked up.
    """
    booth = _booth_for(request, pk)
    poll = _poll_or_404(booth.poll_id)
    context = {
        "booth": booth,
        "poll": poll,
        "id_form": NationalIdForm(),
        "record": None,
        "recorded": booth.roll.count(),
        "open": poll.is_open(),
    }
    if request.method == "POST":
        id_form = NationalIdForm(request.POST)
        context["id_form"] = id_form
        if id_form.is_valid():
            record = census_record_find(id_form.cleaned_data["national_id"])
            if record is None:
                context["refusal"] = _("Nobody with this national ID is in the house register.")
            else:
                decision = booth_eligibility(record, poll)
                if not decision:
                    context["refusal"] = decision.reason
                else:
                    context["record"] = record
                    ballot_form = BallotForm(
                        request.POST if "cast" in request.POST else None, poll=poll
                    )
                    context["form"] = ballot_form
                    if "cast" in request.POST and ballot_form.is_valid():
                        choices, texts = ballot_form.answers()
                        try:
                            booth_ballot_cast(
                                officer=request.user,
                                booth=booth,
                                record=record,
                                choices=choices,
                                texts=texts,
                            )
                        except NotAllowed as error:
                            messages.error(request, error.reason)
                        else:
                            messages.success(request, _("The paper ballot has been recorded."))
                        return redirect("polls:booth", pk=booth.pk)
    return render(request, "polls/booth.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def booth_totals(request, pk: int):
    booth = _booth_for(request, pk)
    # The form has a field per option of every question.
    prefetch_related_objects([booth.poll], "questions__options")
    existing = dict(BoothTotal.objects.filter(booth=booth).values_list("option_id", "count"))
    form = BoothTotalsForm(request.POST or None, booth=booth, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            booth_totals_enter(
                officer=request.user,
                booth=booth,
                paper_ballots=form.cleaned_data["paper_ballots"],
                counts=form.counts(),
            )
        except NotAllowed as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, _("The booth totals have been saved."))
            return redirect("polls:booth_totals", pk=booth.pk)
    return render(
        request,
        "polls/booth_totals.html",
        {"booth": booth, "poll": booth.poll, "form": form, "closed": booth.poll.is_closed()},
    )


@require_POST
@sign_in_required
def declare(request, pk: int):
    """A person without an affected class says how the poll's matter concerns them."""
    poll = _poll_or_404(pk)
    form = InterestDeclarationForm(request.POST)
    if not poll.is_open():
        messages.error(request, _("This poll is not open."))
    elif not set(InterestDeclaration.DECLARABLE) & set(poll.admitted_classes):
        # Only affected people vote in this poll: a declaration would count for nothing.
        messages.error(request, CLASS_NOT_ADMITTED)
    elif not form.is_valid():
        # Shown again with the field's error: a redirect would drop it without a word.
        return _detail(request, poll, status=400, declaration_form=form)
    else:
        try:
            interest_declare(
                user=request.user, matter=poll, voter_class=form.cleaned_data["voter_class"]
            )
        except VerificationError as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, _("Thank you. We have noted how this matter concerns you."))
    return redirect(poll)
