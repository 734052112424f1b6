from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from participation.interaction_views import sign_in_required
from participation.selectors import comments_page, is_following, milestones_of
from participation.services import NotAllowed
from proposals import selectors
from proposals.forms import ProposalFilterForm, ProposalForm, ProposalUpdateForm, RetireForm
from proposals.models import Proposal
from proposals.permissions import (
    can_edit_proposal,
    can_retire_proposal,
    can_send_update,
    can_start_proposal,
    can_support,
    can_withdraw_support,
    is_archived,
)
from proposals.services import (
    proposal_create,
    proposal_publish,
    proposal_retire,
    proposal_update,
    proposal_update_send,
    support_add,
    support_threshold,
    support_withdraw,
)

PROPOSALS_PER_PAGE = 20
ORDER_TABS = [
    ("hot", gettext_lazy("Most active")),
    ("supported", gettext_lazy("Most supported")),
    ("new", gettext_lazy("Newest")),
    ("archived", gettext_lazy("Archived")),
]


def _proposal_or_404(request, key: str) -> Proposal:
    try:
        return selectors.proposal_by_reference_or_pk(key, user=request.user)
    except Proposal.DoesNotExist:
        raise Http404 from None


def _service_error(error: Exception) -> str:
    # The services raise NotAllowed for rules and ValidationError from full_clean for fields.
    if isinstance(error, NotAllowed):
        return error.reason
    return " ".join(error.messages)


@require_safe
def proposal_list(request):
    order = request.GET.get("order")
    if order not in selectors.ORDERS:
        order = selectors.DEFAULT_ORDER
    filters = ProposalFilterForm(request.GET)
    proposals = selectors.proposal_list(order=order, **filters.filters())
    # get_page turns junk into page 1 and too-high numbers into the last page: never a 404.
    page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    supported = selectors.user_supported_ids(request.user, page.object_list)
    for proposal in page.object_list:
        proposal.user_supports = proposal.pk in supported
    return render(
        request,
        "proposals/list.html",
        {
            "page": page,
            "order": order,
            "order_tabs": ORDER_TABS,
            "filters": filters,
            # Once per request: with a share of the census it is a count over the census.
            "threshold": support_threshold(),
            "can_start": can_start_proposal(request.user),
        },
    )


def _detail_context(request, proposal: Proposal) -> dict:
    published = proposal.status != Proposal.Status.DRAFT
    supported = proposal.pk in selectors.user_supported_ids(request.user, [proposal])
    support_decision = can_support(request.user, proposal, supported=supported)
    return {
        "proposal": proposal,
        "threshold": support_threshold(),
        "archived": is_archived(proposal),
        "supported": supported,
        "support_decision": support_decision,
        # The refusals that verifying one's residence would lift.
        "needs_verification": (
            request.user.is_authenticated
            and not request.user.is_verified
            and not support_decision
            and not supported
            and proposal.status == Proposal.Status.PUBLISHED
            and not is_archived(proposal)
        ),
        "can_withdraw": can_withdraw_support(request.user, proposal, supported=supported),
        "can_edit": can_edit_proposal(request.user, proposal),
        "can_retire": can_retire_proposal(request.user, proposal),
        "can_send_update": can_send_update(request.user, proposal),
        "updates": list(proposal.updates.all()) if published else [],
        "milestones": milestones_of(proposal) if proposal.successful_at else [],
        # The poll or budget project it went on to, linked from its page.
        "next_stages": selectors.proposal_next_stages(proposal),
        "split": selectors.support_split(proposal) if published else None,
        "following": is_following(request.user, proposal) if published else False,
        "comments": (
            comments_page(
                commentable=proposal,
                user=request.user,
                order=request.GET.get("order"),
                page=request.GET.get("page"),
            )
            if published
            else None
        ),
    }


@require_safe
def proposal_detail(request, key: str):
    proposal = _proposal_or_404(request, key)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


@login_required
@require_safe
def proposal_preview(request, key: str):
    proposal = _proposal_or_404(request, key)
    decision = can_edit_proposal(request.user, proposal)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(proposal)
    context = _detail_context(request, proposal)
    context["preview"] = True
    return render(request, "proposals/preview.html", context)


@require_POST
@sign_in_required
def proposal_publish_view(request, key: str):
    proposal = _proposal_or_404(request, key)
    try:
        proposal = proposal_publish(user=request.user, proposal=proposal)
    except NotAllowed as error:
        messages.error(request, error.reason)
        return redirect(proposal)
    messages.success(
        request,
        _("Your proposal is published with the reference %(reference)s.")
        % {"reference": proposal.reference},
    )
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create_view(request):
    decision = can_start_proposal(request.user)
    if not decision:
        return render(request, "proposals/refused.html", {"decision": decision}, status=403)
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_create(author=request.user, **form.service_fields())
        except (NotAllowed, ValidationError) as error:
            form.add_error(None, _service_error(error))
        else:
            messages.success(
                request,
                _("Your draft is saved. Check it, then publish it when it is ready."),
            )
            return redirect("proposals:preview", proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "proposal": None})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, key: str):
    proposal = _proposal_or_404(request, key)
    decision = can_edit_proposal(request.user, proposal)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(proposal)
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        proposal=proposal,
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_update(
                user=request.user, proposal=proposal, **form.service_fields()
            )
        except (NotAllowed, ValidationError) as error:
            form.add_error(None, _service_error(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("proposals:preview", proposal.pk)
    return render(request, "proposals/form.html", {"form": form, "proposal": proposal})


@require_POST
@sign_in_required
def support(request, key: str):
    proposal = _proposal_or_404(request, key)
    try:
        support_add(user=request.user, proposal=proposal)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect(proposal)


@require_POST
@sign_in_required
def withdraw(request, key: str):
    proposal = _proposal_or_404(request, key)
    try:
        support_withdraw(user=request.user, proposal=proposal)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Your support is withdrawn."))
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def retire(request, key: str):
    proposal = _proposal_or_404(request, key)
    decision = can_retire_proposal(request.user, proposal)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(proposal)
    form = RetireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal_retire(user=request.user, proposal=proposal, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Your proposal is retired. It stays readable."))
            return redirect(proposal)
    return render(request, "proposals/retire.html", {"form": form, "proposal": proposal})


@login_required
@require_safe
def mine(request):
    return render(
        request,
        "proposals/mine.html",
        {
            "proposals": selectors.proposal_mine(request.user),
            "can_start": can_start_proposal(request.user),
        },
    )


@require_POST
@sign_in_required
def update_send(request, key: str):
    proposal = _proposal_or_404(request, key)
    form = ProposalUpdateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(proposal)
    try:
        proposal_update_send(user=request.user, proposal=proposal, **form.cleaned_data)
    except NotAllowed as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Your update is on its way to the supporters."))
    return redirect(proposal)
