from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from debates import selectors
from debates.forms import DebateFilterForm, DebateForm
from debates.models import Debate
from debates.permissions import can_edit_debate, can_start_debate
from debates.services import debate_create, debate_update
from participation.selectors import comments_page, is_following, user_vote_values, vote_split
from participation.services import NotAllowed

DEBATES_PER_PAGE = 20
ORDER_TABS = [
    ("hot", gettext_lazy("Hottest")),
    ("top", gettext_lazy("Highest rated")),
    ("new", gettext_lazy("Newest")),
    ("comments", gettext_lazy("Most commented")),
]


def _visible_debate(pk: int) -> Debate:
    try:
        return selectors.debate_detail(pk)
    except Debate.DoesNotExist:
        raise Http404 from None


@require_safe
def debate_list(request):
    order = request.GET.get("order")
    if order not in selectors.ORDERS:
        order = selectors.DEFAULT_ORDER
    filters = DebateFilterForm(request.GET)
    debates = selectors.debate_list(order=order, **filters.filters())
    # get_page turns junk into page 1 and too-high numbers into the last page: never a 404.
    page = Paginator(debates, DEBATES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    user_votes = user_vote_values(request.user, page.object_list)
    for debate in page.object_list:
        debate.user_vote = user_votes.get(debate.pk)
    return render(
        request,
        "debates/list.html",
        {
            "page": page,
            "order": order,
            "order_tabs": ORDER_TABS,
            "filters": filters,
            "can_start": can_start_debate(request.user),
        },
    )


@require_safe
def debate_detail(request, pk: int):
    debate = _visible_debate(pk)
    comments = comments_page(
        commentable=debate,
        user=request.user,
        order=request.GET.get("order"),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "debates/detail.html",
        {
            "debate": debate,
            "user_vote": user_vote_values(request.user, [debate]).get(debate.pk),
            "split": vote_split(debate),
            "following": is_following(request.user, debate),
            "can_edit": can_edit_debate(request.user, debate),
            "comments": comments,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def debate_create_view(request):
    decision = can_start_debate(request.user)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("debates:list")
    form = DebateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            debate = debate_create(author=request.user, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Your debate has started."))
            return redirect(debate)
    return render(request, "debates/form.html", {"form": form, "debate": None})


@login_required
@require_http_methods(["GET", "POST"])
def debate_edit(request, pk: int):
    debate = _visible_debate(pk)
    decision = can_edit_debate(request.user, debate)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(debate)
    form = DebateForm(request.POST if request.method == "POST" else None, debate=debate)
    if request.method == "POST" and form.is_valid():
        try:
            debate = debate_update(user=request.user, debate=debate, **form.cleaned_data)
        except NotAllowed as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(debate)
    return render(request, "debates/form.html", {"form": form, "debate": debate})
