from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from participation.models import Competence, Milestone
from participation.moderation_admin import ModeratedAdmin, ModerationFilter, person_link
from participation.services import NotAllowed
from proposals.exports import proposal_export_response
from proposals.models import Proposal, Support
from proposals.permissions import can_make_investment, may_make_investments
from proposals.selectors import investment_headings
from proposals.services import competence_screen

COMPETENCE_FIELDS = ["competence", "responsible_agency", "competence_explanation"]
SCREENING = "screening"
AWAITING_OUTCOME = "outcome"
UNSCREENED = "unscreened"
PENDING_OUTCOME = "pending"


class QueueFilter(admin.SimpleListFilter):
    """The two staff queues: proposals to screen, and successful ones waiting for an outcome."""

    title = _("staff queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            (SCREENING, _("Screening queue: published, not yet screened")),
            (AWAITING_OUTCOME, _("Successful proposals waiting for an outcome")),
        ]

    def queryset(self, request, queryset):
        if self.value() == SCREENING:
            return queryset.filter(
                status=Proposal.Status.PUBLISHED, competence=Competence.UNSCREENED
            )
        if self.value() == AWAITING_OUTCOME:
            return queryset.filter(successful_at__isnull=False, outcome=Proposal.Outcome.PENDING)
        return queryset


class BlankChoiceFilter(admin.SimpleListFilter):
    """A filter on a choice field whose blank choice means something ("not yet screened").

    Django's own choice filter cannot tell the blank value from "no filter".
    """

    field_name: str
    choices_class: type
    blank_value: str

    def lookups(self, request, model_admin):
        return [(value or self.blank_value, label) for value, label in self.choices_class.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.blank_value:
            value = ""
        return queryset.filter(**{self.field_name: value})


class CompetenceFilter(BlankChoiceFilter):
    title = _("municipal authority")
    parameter_name = "competence"
    field_name = "competence"
    choices_class = Competence
    blank_value = UNSCREENED


class OutcomeFilter(BlankChoiceFilter):
    title = _("what the municipality did")
    parameter_name = "outcome"
    field_name = "outcome"
    choices_class = Proposal.Outcome
    blank_value = PENDING_OUTCOME


class SuccessfulFilter(admin.SimpleListFilter):
    title = _("successful")
    parameter_name = "successful"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(successful_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(successful_at__isnull=True)
        return queryset


class ProposalAdminForm(forms.ModelForm):
    class Meta:
        model = Proposal
        # What staff may change; the author's words and the life cycle are read-only. Staff may
        # describe an image its author left undescribed, for people who cannot see it.
        fields = [
            "image_alt",
            "community",
            "strategic_issue",
            "tags",
            *COMPETENCE_FIELDS,
            "outcome",
            "outcome_note",
        ]

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.changed_data for name in COMPETENCE_FIELDS):
            return cleaned
        # The same rules as competence_screen, said here so they land on the right field
        # instead of as an exception after the form was accepted.
        competence = cleaned.get("competence")
        if self.instance.status == Proposal.Status.DRAFT:
            self.add_error("competence", _("Only a published proposal can be screened."))
        elif competence == Competence.UNSCREENED:
            self.add_error("competence", _("Choose whether the municipality has authority."))
        elif (
            competence != Competence.WITHIN
            and not (cleaned.get("responsible_agency") or "").strip()
        ):
            self.add_error(
                "responsible_agency",
                _("Name the agency responsible when the municipality is not."),
            )
        return cleaned


class HeadingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, heading):
        return f"{heading.group.budget} · {heading.group} · {heading}"


class InvestmentHeadingForm(forms.Form):
    """The intermediate page of "turn into budget projects": which heading they go to."""

    heading = HeadingChoiceField(
        label=_("heading"),
        queryset=None,
        help_text=_("Headings of budgets that accept projects now or have not reached that phase."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = investment_headings()


class MilestoneInline(GenericTabularInline):
    model = Milestone
    extra = 0
    fields = ["date", "title", "status", "progress", "description"]


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin, ModeratedAdmin):
    """Proposals in the moderation queue; staff screen their competence and record the outcome."""

    inlines = [MilestoneInline]

    form = ProposalAdminForm
    list_display = [
        "reference",
        "title",
        "status",
        "supports_count",
        "is_successful",
        "competence",
        "outcome",
        "flags_link",
        "moderation_state",
    ]
    list_filter = [
        ModerationFilter,
        QueueFilter,
        "status",
        CompetenceFilter,
        SuccessfulFilter,
        OutcomeFilter,
        "community",
        "strategic_issue",
    ]
    list_select_related = ["author"]
    search_fields = ["reference", "title"]
    ordering = ["-flags_count", "-published_at", "-id"]
    actions = [*ModeratedAdmin.actions, "export_csv", "turn_into_poll", "turn_into_investment"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "title",
                    "summary",
                    "description",
                    "video_url",
                    "image",
                    "image_alt",
                    "author_link",
                    "community",
                    "strategic_issue",
                    "tags",
                    "status",
                    "published_at",
                    "supports_count",
                    "comments_count",
                    "successful_at",
                    "retired_reason",
                    "retired_explanation",
                    "retired_at",
                ]
            },
        ),
        (_("Municipal authority"), {"fields": COMPETENCE_FIELDS + ["competence_screened_at"]}),
        (_("Outcome"), {"fields": ["outcome", "outcome_note"]}),
        (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
    ]
    # The words are the author's and the life cycle belongs to the services; staff file,
    # screen and answer.
    readonly_fields = [
        *ModeratedAdmin.readonly_fields,
        "reference",
        "title",
        "summary",
        "description",
        "video_url",
        "image",
        "status",
        "published_at",
        "supports_count",
        "comments_count",
        "successful_at",
        "retired_reason",
        "retired_explanation",
        "retired_at",
        "competence_screened_at",
    ]

    @admin.display(description=_("successful"), boolean=True, ordering="successful_at")
    def is_successful(self, obj):
        return obj.successful_at is not None

    @admin.display(description=_("proposal"))
    def content_summary(self, obj):
        return str(obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        # The queues are filters; a line under the title leads staff straight to them.
        extra_context.setdefault(
            "subtitle",
            format_html(
                '<a href="?{}=all&amp;{}={}">{}</a> · <a href="?{}=all&amp;{}={}">{}</a>',
                ModerationFilter.parameter_name,
                QueueFilter.parameter_name,
                SCREENING,
                _("Screening queue"),
                ModerationFilter.parameter_name,
                QueueFilter.parameter_name,
                AWAITING_OUTCOME,
                _("Successful proposals waiting for an outcome"),
            ),
        )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        screened = [name for name in COMPETENCE_FIELDS if name in form.changed_data]
        if not change or not screened:
            return super().save_model(request, obj, form, change)
        # Everything else first: competence_screen reloads the row into obj.
        concrete = {f.name for f in obj._meta.concrete_fields}
        others = [n for n in form.changed_data if n in concrete and n not in COMPETENCE_FIELDS]
        if others:
            obj.save(update_fields=others)
        try:
            competence_screen(
                proposal=obj,
                competence=form.cleaned_data["competence"],
                responsible_agency=form.cleaned_data.get("responsible_agency") or "",
                explanation=form.cleaned_data.get("competence_explanation") or "",
            )
        except NotAllowed as error:
            # The form's clean says the same first; this is only a second line.
            self.message_user(request, error.reason, messages.ERROR)

    @admin.action(description=_("Export selected to CSV (development plan)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return proposal_export_response(queryset.order_by("reference", "pk"))

    @admin.action(
        description=_("Turn successful proposals into polls (drafts to finish)"),
        permissions=["make_poll"],
    )
    def turn_into_poll(self, request, queryset):
        # The poll is written by polls.services, which also records the outcome "poll".
        from polls.services import poll_from_proposal

        made = []
        for proposal in queryset:
            try:
                made.append(poll_from_proposal(proposal=proposal))
            except NotAllowed as error:
                self.message_user(request, f"{proposal}: {error.reason}", messages.ERROR)
        if made:
            self.message_user(
                request,
                _("%(count)d draft polls made. Give them dates in the poll admin to open them.")
                % {"count": len(made)},
                messages.SUCCESS,
            )

    def has_make_poll_permission(self, request):
        return request.user.has_perms(["proposals.change_proposal", "polls.add_poll"])

    @admin.action(
        description=_("Turn successful proposals into budget projects (choose the heading)"),
        permissions=["make_investment"],
    )
    def turn_into_investment(self, request, queryset):
        # The changelist sends the selection here twice: first to show the page that asks for
        # the heading, then with the heading and "apply" to make the projects.
        from budgets.services import investment_from_proposal

        form = InvestmentHeadingForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            heading = form.cleaned_data["heading"]
            made = []
            for proposal in queryset:
                try:
                    made.append(
                        investment_from_proposal(
                            proposal=proposal, heading=heading, user=request.user
                        )
                    )
                except NotAllowed as error:
                    self.message_user(request, f"{proposal}: {error.reason}", messages.ERROR)
            if made:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d budget project made in %(heading)s. It goes through review "
                        "and valuation like any other project.",
                        "%(count)d budget projects made in %(heading)s. They go through review "
                        "and valuation like any other project.",
                        len(made),
                    )
                    % {"count": len(made), "heading": heading},
                    messages.SUCCESS,
                )
            return None
        if not form.is_bound and not form.fields["heading"].queryset.exists():
            self.message_user(
                request,
                _(
                    "No budget takes projects now. Add one, or give a budget its phases, "
                    "before turning proposals into projects."
                ),
                messages.ERROR,
            )
            return None
        proposals = list(queryset.select_related("investment").order_by("reference", "pk"))
        for proposal in proposals:
            proposal.decision = can_make_investment(request.user, proposal)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Turn proposals into budget projects"),
            "opts": self.model._meta,
            "form": form,
            "proposals": proposals,
            "action_name": "turn_into_investment",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/proposals/proposal/turn_into_investment.html", context
        )

    def has_make_investment_permission(self, request):
        return may_make_investments(request.user)

    # As for debates: a revert would write a whole old version back. History is for reading.
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    """Who supported what, read-only: supports are written only by support_add."""

    list_display = ["proposal", "voter_class", "community", "created_at"]
    list_filter = ["voter_class", "community"]
    list_select_related = ["proposal", "community"]
    # Who supported is personal data: only superusers see the person (get_fields).
    search_fields = ["proposal__reference", "proposal__title"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    def get_fields(self, request, obj=None):
        fields = ["proposal", "voter_class", "community", "created_at"]
        # Who supported is personal data: only superusers see the person.
        if request.user.is_superuser:
            fields.insert(0, "person")
        return fields

    @admin.display(description=_("person"))
    def person(self, obj):
        return person_link(obj.user)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_fields(self, request):
        if request.user.is_superuser:
            return [*self.search_fields, "user__email"]
        return self.search_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
