from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from legislation import anchoring, permissions, selectors, services
from legislation.forms import AnnotationForm, ProposalForm, SectionAnnotationForm
from legislation.models import (
    Annotation,
    DraftVersion,
    Phase,
    Process,
    ProcessProposal,
    Question,
    QuestionOption,
)
from participation.exports import csv_response
from participation.interaction_views import MAX_PK, sign_in_required
from participation.selectors import comments_page, is_following, user_vote_values
from participation.services import NotAllowed

PROCESSES_PER_PAGE = 20
# The draft page lists annotations compactly, a page at a time: with the draft itself, its
# shading and its most discussed passages it stays light however many there are (see
# tests/legislation/test_views.py). The whole of each, its replies and votes are on its own page.
ANNOTATIONS_PER_PAGE = 20
LEFT_BEHIND_SHOWN = 10


def _number(value: str) -> int | None:
    """A whole number (an id, a version) sent by the browser, or None for anything else."""
    # int() refuses strings over 4300 digits with ValueError; no id or version is that long.
    if value.isdecimal() and len(value) <= len(str(MAX_PK)):
        number = int(value)
        return number if number <= MAX_PK else None
    return None


def _process(pk: int) -> Process:
    if pk > MAX_PK:
        raise Http404
    try:
        return selectors.process_detail(pk)
    except Process.DoesNotExist:
        raise Http404 from None


def _readable_version(process: Process, number: int) -> DraftVersion:
    if not permissions.can_read_draft(process) or number > 32767:
        raise Http404
    try:
        return selectors.version_of(process, number)
    except DraftVersion.DoesNotExist:
        raise Http404 from None


@require_safe
def process_list(request):
    page = Paginator(selectors.process_list(), PROCESSES_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for process in page.object_list:
        process.phase_now = permissions.current_phase(process, today)
    return render(request, "legislation/list.html", {"page": page})


@require_safe
def process_detail(request, pk: int):
    process = _process(pk)
    today = timezone.localdate()
    with_totals = permissions.can_see_answer_totals(process, today)
    debate_started = permissions.has_started(process, Phase.DEBATE, today)
    questions = (
        selectors.questions_with_totals(process, with_totals=with_totals) if debate_started else []
    )
    answers = selectors.user_answers(request.user, process)
    for question in questions:
        question.user_option = answers.get(question.pk)
    comments = None
    if debate_started:
        comments = comments_page(
            commentable=process,
            user=request.user,
            order=request.GET.get("order"),
            page=request.GET.get("page"),
        )
    return render(
        request,
        "legislation/detail.html",
        {
            "process": process,
            "timeline": permissions.timeline(process, today),
            "current_phase": permissions.current_phase(process, today),
            "questions": questions,
            "with_totals": with_totals,
            "debate_open": permissions.is_open(process, Phase.DEBATE, today),
            "proposals_started": permissions.has_started(process, Phase.PROPOSALS, today),
            "draft_readable": permissions.can_read_draft(process, today)
            and selectors.current_version(process) is not None,
            "result_out": permissions.has_started(process, Phase.RESULT, today),
            "can_export": permissions.can_export(request.user),
            "following": is_following(request.user, process),
            "comments": comments,
        },
    )


@require_POST
@sign_in_required
def answer(request, pk: int, question_pk: int):
    process = _process(pk)
    if question_pk > MAX_PK:
        raise Http404
    question = get_object_or_404(
        Question.objects.select_related("process"), pk=question_pk, process=process
    )
    option_id = _number(request.POST.get("option", ""))
    option = (
        QuestionOption.objects.filter(pk=option_id, question=question).first()
        if option_id is not None
        else None
    )
    if option is None:
        messages.error(request, _("Choose one of the options."))
    else:
        try:
            services.answer_cast(user=request.user, question=question, option=option)
        except NotAllowed as e:
            messages.error(request, e.reason)
        else:
            messages.success(request, _("Your answer has been recorded."))
    return redirect(f"{process.get_absolute_url()}#question-{question.pk}")


@require_safe
def proposal_list(request, pk: int):
    process = _process(pk)
    if not permissions.has_started(process, Phase.PROPOSALS):
        raise Http404
    return _render_proposals(request, process, ProposalForm())


def _render_proposals(request, process, form, *, status=200):
    proposals = selectors.proposals_of(process)
    supported = selectors.user_supported(request.user, proposals)
    for proposal in proposals:
        proposal.supported = proposal.pk in supported
    return render(
        request,
        "legislation/proposals.html",
        {
            "process": process,
            "proposals": proposals,
            "form": form,
            "can_propose": permissions.can_propose(request.user, process),
            "proposals_open": permissions.is_open(process, Phase.PROPOSALS),
        },
        status=status,
    )


@require_POST
@sign_in_required
def proposal_create(request, pk: int):
    process = _process(pk)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            proposal = services.proposal_create(
                author=request.user, process=process, **form.cleaned_data
            )
        except NotAllowed as e:
            form.add_error(None, e.reason)
        else:
            messages.success(request, _("Your proposal has been published."))
            return redirect(proposal)
    if not permissions.has_started(process, Phase.PROPOSALS):
        raise Http404
    return _render_proposals(request, process, form, status=400)


@require_POST
@sign_in_required
def proposal_support(request, pk: int, proposal_pk: int):
    process = _process(pk)
    if proposal_pk > MAX_PK:
        raise Http404
    proposal = get_object_or_404(
        ProcessProposal.objects.visible().select_related("process"),
        pk=proposal_pk,
        process=process,
    )
    try:
        added = services.proposal_support(user=request.user, proposal=proposal)
    except NotAllowed as e:
        messages.error(request, e.reason)
    else:
        if added:
            messages.success(request, _("Your support has been counted."))
        else:
            messages.info(request, _("You already support this proposal."))
    return redirect(proposal)


@require_safe
def draft(request, pk: int):
    process = _process(pk)
    if not permissions.can_read_draft(process):
        raise Http404
    version = selectors.current_version(process)
    if version is None:
        raise Http404
    return redirect(version)


@require_safe
def version_detail(request, pk: int, number: int):
    process = _process(pk)
    version = _readable_version(process, number)
    return _render_version(request, process, version)


def _render_version(request, process, version, *, form=None, section_form=None, status=200):
    anchors = selectors.anchors_of(version)
    page = Paginator(selectors.annotations_of(version), ANNOTATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    most_discussed = selectors.most_discussed(anchors)
    # Only the passages this page links to get an anchor: one per annotation would weigh more
    # than the draft.
    linked = {a.start for a in page.object_list} | {p.start for p in most_discussed}
    versions = selectors.published_versions(process)
    latest = versions[-1] if versions else None
    is_latest = latest is not None and latest.pk == version.pk
    can_annotate = permissions.can_annotate(request.user, version) if is_latest else None
    left_behind, left_behind_counts = (
        selectors.annotations_left_behind(process, version, limit=LEFT_BEHIND_SHOWN)
        if is_latest
        else ([], {})
    )
    # Past the first few, the page of each earlier version lists the rest of its own.
    left_behind_more = (
        [
            (other, left_behind_counts[other.number])
            for other in versions[:-1]
            if other.number in left_behind_counts
        ]
        if sum(left_behind_counts.values()) > len(left_behind)
        else []
    )
    return render(
        request,
        "legislation/version.html",
        {
            "process": process,
            "version": version,
            "versions": versions,
            "is_latest": is_latest,
            "shaded_html": selectors.shaded_html(version, anchors, linked),
            "annotations_page": page,
            "annotations_count": len(anchors),
            "most_discussed": most_discussed,
            "left_behind": left_behind,
            "left_behind_more": left_behind_more,
            "can_annotate": can_annotate,
            "comments_open": permissions.is_open(process, Phase.COMMENTS),
            "form": form or AnnotationForm(),
            "section_form": section_form,
        },
        status=status,
    )


def _draft_url(annotation: Annotation) -> str:
    """The draft page at the page of its list that shows this annotation (and anchors its
    passage)."""
    url = annotation.version.get_absolute_url()
    number = selectors.annotation_page_number(annotation, ANNOTATIONS_PER_PAGE)
    return f"{url}?page={number}" if number > 1 else url


def _annotation_url(annotation: Annotation) -> str:
    """The draft page, at the page of the list and the place that show this annotation."""
    return f"{_draft_url(annotation)}#annotation-{annotation.pk}"


@require_POST
@sign_in_required
def annotate(request, pk: int, number: int):
    process = _process(pk)
    version = _readable_version(process, number)
    if "section" in request.POST:
        form = SectionAnnotationForm(request.POST)
        if form.is_valid():
            try:
                annotation = services.annotation_create_for_section(
                    author=request.user, version=version, **form.cleaned_data
                )
            except NotAllowed as e:
                form.add_error(None, e.reason)
            else:
                messages.success(request, _("Your comment has been published."))
                return redirect(_annotation_url(annotation))
        return _render_version(request, process, version, section_form=form, status=400)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        try:
            annotation = services.annotation_create(
                author=request.user, version=version, **form.cleaned_data
            )
        except NotAllowed as e:
            form.add_error(None, e.reason)
        else:
            messages.success(request, _("Your comment has been published."))
            return redirect(_annotation_url(annotation))
    return _render_version(request, process, version, form=form, status=400)


@require_safe
def annotation_detail(request, pk: int, annotation_pk: int):
    process = _process(pk)
    if annotation_pk > MAX_PK:
        raise Http404
    annotation = get_object_or_404(
        selectors.annotations_visible().select_related("author", "version", "process"),
        pk=annotation_pk,
        process=process,
    )
    comments = comments_page(
        commentable=annotation,
        user=request.user,
        order=request.GET.get("order"),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "legislation/annotation.html",
        {
            "process": process,
            "annotation": annotation,
            "draft_url": _draft_url(annotation),
            "user_vote": user_vote_values(request.user, [annotation]).get(annotation.pk),
            "comments": comments,
        },
    )


@require_safe
def compare(request, pk: int):
    process = _process(pk)
    if not permissions.can_read_draft(process):
        raise Http404
    versions = selectors.published_versions(process)
    numbers = [v.number for v in versions]
    if len(numbers) < 2:
        raise Http404

    def chosen(name, default):
        number = _number(request.GET.get(name, ""))
        return number if number in numbers else default

    old_number = chosen("from", numbers[-2])
    new_number = chosen("to", numbers[-1])
    old = DraftVersion.objects.get(process=process, number=old_number)
    new = DraftVersion.objects.get(process=process, number=new_number)
    return render(
        request,
        "legislation/compare.html",
        {
            "process": process,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": anchoring.compare(old.body, new.body),
        },
    )


@require_safe
def result(request, pk: int):
    process = _process(pk)
    if not permissions.has_started(process, Phase.RESULT):
        raise Http404
    summary = selectors.result_summary(process)
    return render(request, "legislation/result.html", {"process": process, **summary})


@require_safe
@login_required
def export(request, pk: int):
    if not permissions.can_export(request.user):
        raise PermissionDenied
    process = _process(pk)
    return csv_response(
        filename=f"legislation-{process.pk}-annotations.csv",
        header=[
            _("Version"),
            _("Section"),
            _("Passage"),
            _("Comment"),
            _("Author's class"),
            _("Likes"),
            _("Dislikes"),
            _("Replies"),
            _("Response"),
            _("Reason"),
            _("Hidden by a moderator"),
            _("Written on"),
        ],
        rows=selectors.export_rows(process),
    )
