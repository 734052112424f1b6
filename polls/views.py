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
from participation.disclosure import SMALL_GROUPS
from participation.exports import csv_response
from participation.interaction_views import sign_in_required
from participation.services import NotAllowed
from polls import selectors
from polls.forms import BallotForm, BoothTotalsForm, NationalIdForm
from polls.models import Booth, BoothTotal, Poll, PollResult
from polls.permissions import (
    CLASS_NOT_ADMITTED,
    DECLARE_FIRST,
    NOT_VERIFIED,
    ballot_eligibility,
    booth_eligibility,
    can_record_at_booth,
    can_see_results,
)
from polls.services import (
    ballot_cast,
    booth_ballot_enter,
    booth_confirm,
    booth_roll_mark,
    booth_totals_enter,
)


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
        declaration_form = InterestDeclarationForm(matter=poll)
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


def _result_context(poll: Poll, result) -> dict:
    return {
        "poll": poll,
        "result": result,
        "view": selectors.result_view(result),
        "downloads": [
            (reverse("polls:ballots_csv", args=[poll.pk]), _("Ballot box (CSV, the hashed file)")),
            (reverse("polls:ballots_json", args=[poll.pk]), _("The same ballots as JSON")),
        ],
    }


@require_safe
def results(request, pk: int):
    poll, result = _visible_result(request, pk)
    return render(request, "polls/results.html", _result_context(poll, result))


@require_safe
def results_csv(request, pk: int):
    poll, result = _visible_result(request, pk)
    header, rows = selectors.result_table(result)
    return csv_response(filename=f"poll-{poll.pk}-results.csv", header=header, rows=rows)


def _json_download(payload, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
def results_json(request, pk: int):
    poll, result = _visible_result(request, pk)
    view = selectors.result_view(result)
    payload = {
        "poll": {"id": poll.pk, "title": poll.title},
        "opens_at": poll.opens_at.isoformat(),
        "closes_at": poll.closes_at.isoformat(),
        "computed_at": result.computed_at.isoformat(),
        "published_at": result.published_at.isoformat() if result.published_at else None,
        **result.data,
        "small_groups": {
            "key": SMALL_GROUPS,
            "label": view["small_groups_label"],
            "min_group": view["min_group"],
            "why": view["small_groups_why"],
        },
        "reconciliation": [{**row, "label": str(row["label"])} for row in view["reconciliation"]],
        "communities": selectors.community_names(result),
        "ballot_box_sha256": result.ballot_box_sha256,
    }
    return _json_download(payload, f"poll-{poll.pk}-results.json")


def _visible_ballot_box(request, pk: int):
    poll, _result = _visible_result(request, pk)
    # Loaded only here: the pages that show a poll leave the file out (selectors.RESULT_FILE).
    result = PollResult.objects.get(poll=poll)
    if not result.ballot_box_sha256:
        raise Http404
    return poll, result


@require_safe
def ballots_csv(request, pk: int):
    """The ballot box file, byte for byte the text whose SHA-256 the results page prints."""
    poll, result = _visible_ballot_box(request, pk)
    response = HttpResponse(result.ballot_box.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"poll-{poll.pk}-ballots.csv"
    )
    return response


@require_safe
def ballots_json(request, pk: int):
    poll, result = _visible_ballot_box(request, pk)
    return _json_download(selectors.ballot_box_json(result), f"poll-{poll.pk}-ballots.json")


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
    """While the poll is open: the officer types the voter's national ID, sees whether the
    person may vote, and marks them on the roll; the voter's paper ballot goes into the box.

    The ID travels back in a hidden field between the two steps and is never stored: only its
    keyed hash is looked up. Nobody's answers are typed here. After the close the page shows the
    booth's count and leads to the paper ballots, the totals and the confirmation.
    """
    booth = _booth_for(request, pk)
    poll = booth.poll
    context = {
        "booth": booth,
        "poll": poll,
        "id_form": NationalIdForm(),
        "record": None,
        "marked": booth.roll.count(),
        "open": poll.is_open(),
        "closed": poll.is_closed(),
    }
    if context["closed"]:
        context["count"] = selectors.booth_count_state(booth, request.user)
    if request.method == "POST":
        if not context["open"]:
            messages.error(request, _("The roll is marked only while the poll is open."))
            return redirect(booth)
        id_form = NationalIdForm(request.POST)
        context["id_form"] = id_form
        if id_form.is_valid():
            record = census_record_find(id_form.cleaned_data["national_id"])
            if record is None:
                context["refusal"] = _("Nobody with this national ID is in the house register.")
            elif "mark" in request.POST:
                try:
                    booth_roll_mark(officer=request.user, booth=booth, record=record)
                except NotAllowed as error:
                    messages.error(request, error.reason)
                else:
                    messages.success(
                        request,
                        _(
                            "Marked on the roll as voted at this booth. Hand the person a paper "
                            "ballot for the box."
                        ),
                    )
                return redirect(booth)
            else:
                decision = booth_eligibility(record, poll)
                if decision:
                    context["record"] = record
                else:
                    context["refusal"] = decision.reason
    return render(request, "polls/booth.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def booth_ballots(request, pk: int):
    """After the close, an officer enters the booth's paper ballots one at a time, as they come
    out of the box: the same form as online, and no one's name anywhere."""
    booth = _booth_for(request, pk)
    poll = _poll_or_404(booth.poll_id)
    form = BallotForm(request.POST or None, poll=poll)
    if request.method == "POST" and form.is_valid():
        choices, texts = form.answers()
        try:
            booth_ballot_enter(officer=request.user, booth=booth, choices=choices, texts=texts)
        except NotAllowed as error:
            messages.error(request, error.reason)
        else:
            messages.success(request, _("Paper ballot entered. Enter the next one."))
            return redirect("polls:booth_ballots", pk=booth.pk)
    return render(
        request,
        "polls/booth_ballots.html",
        {
            "booth": booth,
            "poll": poll,
            "form": form,
            "closed": poll.is_closed(),
            "count": selectors.booth_tally(booth),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def booth_count_confirm(request, pk: int):
    """A second officer of the booth confirms its count."""
    booth = _booth_for(request, pk)
    try:
        booth_confirm(officer=request.user, booth=booth)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("You have confirmed this booth's count."))
    return redirect(booth)


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
        {
            "booth": booth,
            "poll": booth.poll,
            "form": form,
            "closed": booth.poll.is_closed(),
            "count": selectors.booth_tally(booth),
        },
    )


@require_POST
@sign_in_required
def declare(request, pk: int):
    """A person without an affected class says how the poll's matter concerns them."""
    poll = _poll_or_404(pk)
    form = InterestDeclarationForm(request.POST, matter=poll)
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
