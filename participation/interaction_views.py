"""Votes, comments, flags, follows, interest declarations and notifications on any content.

Content is addressed as `<app_label.model_name>/<pk>`, so every stage shares these views and
its templates include the matching forms from `participation/includes/`.
"""

import re
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.forms import InterestDeclarationForm
from accounts.models import InterestDeclaration
from accounts.selectors import voter_class_for
from accounts.services import VerificationError, interest_declare
from participation.forms import CommentForm
from participation.models import Comment, Moderated, Votable
from participation.notifications import notifications_mark_read
from participation.permissions import can_comment, can_post_official, matter_of
from participation.selectors import notifications_page
from participation.services import (
    NotAllowed,
    comment_create,
    flag_add,
    follow_add,
    follow_remove,
    vote_cast,
)
from participation.services import (
    comment_delete as comment_delete_service,
)

# Primary keys are 64-bit; a longer number in a URL would overflow the database driver.
MAX_PK = 2**63 - 1
VOTE_VALUES = {"1": 1, "-1": -1, "": None}


def target_or_404(label: str, pk: int) -> models.Model:
    """The visible row of a moderated model addressed as "app_label.model_name" and pk."""
    app_label, _dot, model_name = label.partition(".")
    if not app_label or not model_name or not 0 < pk <= MAX_PK:
        raise Http404
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        raise Http404 from None
    model = content_type.model_class()
    # Only moderated content: anything else (users, census rows) must not be reachable here.
    if model is None or not issubclass(model, Moderated):
        raise Http404
    # Each model's visible() says what the public may reach (a draft proposal is not).
    return get_object_or_404(model._default_manager.visible(), pk=pk)


def _is_commentable(target: models.Model) -> bool:
    # comment_create keeps this counter, so only models that have it can take comments.
    return any(field.name == "comments_count" for field in target._meta.concrete_fields)


def _label(obj: models.Model) -> str:
    return obj._meta.label_lower


def safe_next(request) -> str | None:
    """The "next" URL of the request when it stays on this site, else None."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if not candidate or any(ord(char) < 32 or ord(char) == 127 for char in candidate):
        return None
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _url_of(obj) -> str:
    get_absolute_url = getattr(obj, "get_absolute_url", None)
    return get_absolute_url() if get_absolute_url else reverse("home")


def _back_url(request, target: models.Model, anchor: str | None = None) -> str:
    """Where to go after an action: the page the person came from, else where `target` is shown.

    A comment is shown on its commentable's page, so actions on it return to its anchor there.
    """
    if anchor is None and isinstance(target, Comment):
        anchor = f"comment-{target.pk}"
    url = safe_next(request)
    if url is None:
        url = _url_of(target.commentable if isinstance(target, Comment) else target)
    if anchor:
        url = f"{url.split('#', 1)[0]}#{anchor}"
    return url


def _back(request, target: models.Model, anchor: str | None = None) -> HttpResponseRedirect:
    return HttpResponseRedirect(_back_url(request, target, anchor))


def sign_in_required(view):
    """login_required for POST-only actions.

    After signing in the person returns to the page they acted on, not to the action's URL,
    which would answer the browser's GET with 405.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return redirect_to_login(safe_next(request) or reverse("home"))

    return wrapper


def _declare_url(request, matter: models.Model, target: models.Model, raw_value: str) -> str:
    query = {
        "next": _back_url(request, target),
        "vote": raw_value,
        "vote_target": f"{_label(target)}:{target.pk}",
    }
    url = reverse("participation:declare", args=[_label(matter), matter.pk])
    return f"{url}?{urlencode(query)}"


@require_POST
@sign_in_required
def vote(request, label: str, pk: int):
    target = target_or_404(label, pk)
    if not isinstance(target, Votable):
        raise Http404
    raw_value = request.POST.get("value")
    if raw_value not in VOTE_VALUES:
        messages.error(request, _("Choose like or dislike."))
        return _back(request, target)
    matter = matter_of(target)
    if voter_class_for(request.user, matter) is None:
        # Ask once how the matter concerns them, then cast this very vote (see `declare`).
        return HttpResponseRedirect(_declare_url(request, matter, target, raw_value))
    value = VOTE_VALUES[raw_value]
    try:
        vote_cast(user=request.user, target=target, value=value)
    except NotAllowed as e:
        messages.error(request, e.reason)
    else:
        if value is None:
            messages.success(request, _("Your vote has been taken back."))
        else:
            messages.success(request, _("Your vote has been counted."))
    return _back(request, target)


def _pending_vote(request, matter: models.Model) -> tuple[models.Model, int | None] | None:
    """The vote that sent the person to declare, if it is on this matter."""
    raw_value = request.GET.get("vote")
    label, _colon, pk = request.GET.get("vote_target", "").rpartition(":")
    if raw_value not in VOTE_VALUES or not re.fullmatch(r"[0-9]{1,19}", pk):
        return None
    try:
        target = target_or_404(label, int(pk))
    except Http404:
        return None
    # A crafted link must not turn a declaration on one matter into a vote on another.
    vote_matter = matter_of(target) if isinstance(target, Votable) else None
    if type(vote_matter) is not type(matter) or vote_matter.pk != matter.pk:
        return None
    return target, VOTE_VALUES[raw_value]


@login_required
def declare(request, label: str, pk: int):
    matter = target_or_404(label, pk)
    current = voter_class_for(request.user, matter)
    initial = {"voter_class": current} if current in InterestDeclaration.DECLARABLE else {}
    form = InterestDeclarationForm(request.POST or None, initial=initial, matter=matter)
    if request.method == "POST" and form.is_valid():
        try:
            interest_declare(
                user=request.user, matter=matter, voter_class=form.cleaned_data["voter_class"]
            )
        except VerificationError as e:
            messages.error(request, e.reason)
        else:
            messages.success(request, _("Thank you. We have noted how this matter concerns you."))
            pending = _pending_vote(request, matter)
            if pending is not None:
                target, value = pending
                try:
                    vote_cast(user=request.user, target=target, value=value)
                except NotAllowed as e:
                    messages.error(request, e.reason)
                else:
                    if value is not None:
                        messages.success(request, _("Your vote has been counted."))
                return _back(request, target)
            return _back(request, matter)
    return render(
        request,
        "participation/declare.html",
        {
            "matter": matter,
            "declaration_form": form,
            # The query string carries next and the pending vote through the POST.
            "declaration_action": request.get_full_path(),
            "back_url": _back_url(request, matter),
            "pending_vote": _pending_vote(request, matter) is not None,
        },
    )


@require_POST
@sign_in_required
def comment(request, label: str, pk: int):
    commentable = target_or_404(label, pk)
    if not _is_commentable(commentable):
        raise Http404
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        parent_id = request.POST.get("parent", "")
        anchor = f"comment-{parent_id}" if parent_id.isdecimal() else "comments"
        return _back(request, commentable, anchor)
    parent = None
    parent_id = form.cleaned_data["parent"]
    if parent_id:
        parent = (
            Comment.objects.visible()
            .filter(
                pk=parent_id,
                content_type=ContentType.objects.get_for_model(commentable),
                object_id=commentable.pk,
            )
            .first()
        )
        if parent is None:
            messages.error(request, _("The comment you are replying to is not on this page."))
            return _back(request, commentable, "comments")
    try:
        new_comment = comment_create(
            author=request.user,
            commentable=commentable,
            body=form.cleaned_data["body"],
            parent=parent,
            official=form.cleaned_data["official"],
        )
    except NotAllowed as e:
        messages.error(request, e.reason)
        return _back(request, commentable, "comments")
    messages.success(request, _("Your comment has been published."))
    return _back(request, commentable, f"comment-{new_comment.pk}")


@require_safe
@login_required
def comment_reply(request, pk: int):
    """The reply form for one comment, on a page of its own.

    The thread links here instead of carrying a form per comment; comments.js fetches the
    form alone (?part=form) and shows it in place. It posts to `comment` like the thread's form.
    """
    if pk > MAX_PK:
        raise Http404
    parent = get_object_or_404(
        Comment.objects.visible().filter(deleted_at__isnull=True).select_related("author"), pk=pk
    )
    # Through target_or_404, so a reply page never shows a comment on hidden content.
    content_type = ContentType.objects.get_for_id(parent.content_type_id)
    commentable = target_or_404(f"{content_type.app_label}.{content_type.model}", parent.object_id)
    decision = can_comment(request.user, commentable)
    # The thread's page (with its order and page of comments), where the new reply will show.
    next_url = safe_next(request) or _url_of(commentable)
    context = {
        "parent": parent,
        "commentable": commentable,
        "closed_reason": "" if decision else decision.reason,
        "can_post_official": can_post_official(request.user),
        "next_url": next_url,
        "back_url": f"{next_url.split('#', 1)[0]}#comment-{parent.pk}",
    }
    if request.GET.get("part") == "form":
        return render(request, "participation/includes/comment_reply_form.html", context)
    return render(request, "participation/comment_reply.html", context)


@require_POST
@sign_in_required
def comment_delete(request, pk: int):
    if pk > MAX_PK:
        raise Http404
    target = get_object_or_404(Comment.objects.visible(), pk=pk)
    try:
        comment_delete_service(user=request.user, comment=target)
    except NotAllowed as e:
        messages.error(request, e.reason)
    else:
        messages.success(request, _("Your comment has been deleted."))
    return _back(request, target)


@require_POST
@sign_in_required
def flag(request, label: str, pk: int):
    target = target_or_404(label, pk)
    try:
        added = flag_add(user=request.user, target=target)
    except NotAllowed as e:
        messages.error(request, e.reason)
    else:
        if added:
            messages.success(request, _("Thank you. Moderators will review it."))
        else:
            messages.info(request, _("You have already reported this."))
    return _back(request, target)


@require_POST
@sign_in_required
def follow(request, label: str, pk: int):
    target = target_or_404(label, pk)
    # Following means hearing of new comments, so only content that takes comments.
    if not _is_commentable(target):
        raise Http404
    follow_add(user=request.user, target=target)
    messages.success(request, _("You follow this now. We will tell you about new comments."))
    return _back(request, target)


@require_POST
@sign_in_required
def unfollow(request, label: str, pk: int):
    target = target_or_404(label, pk)
    follow_remove(user=request.user, target=target)
    messages.success(request, _("You no longer follow this."))
    return _back(request, target)


@login_required
def notifications(request):
    return render(
        request,
        "participation/notifications.html",
        {"page_obj": notifications_page(user=request.user, page=request.GET.get("page"))},
    )


@require_POST
@sign_in_required
def notifications_read(request):
    notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return HttpResponseRedirect(reverse("participation:notifications"))
