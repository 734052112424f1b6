from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import VALUATOR
from budgets.models import (
    BUDGET_FROZEN_FIELDS,
    INVESTMENT_FROZEN_ON_BALLOT,
    Ballot,
    BallotLine,
    Booth,
    Budget,
    BudgetGroup,
    BudgetPhase,
    Feasibility,
    Heading,
    HeadingResult,
    Investment,
    InvestmentDocument,
    InvestmentPhoto,
    InvestmentSupport,
    PhaseKind,
    RollEntry,
    budget_frozen_reason,
)
from budgets.permissions import current_phase, is_staff_of_budgets
from budgets.services import (
    VALUATION_FIELDS,
    heading_results_compute,
    investment_valuate,
    investments_select_for_ballot,
    results_publish,
)
from participation.models import Milestone
from participation.moderation_admin import ModeratedAdmin
from participation.services import NotAllowed


def _budget_id(obj) -> int | None:
    """The budget of a budget, group, heading or project being edited (None when adding)."""
    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, Budget):
        return obj.pk
    if isinstance(obj, BudgetGroup):
        return obj.budget_id
    if isinstance(obj, Heading):
        return obj.group.budget_id
    if isinstance(obj, Investment):
        return obj.heading.group.budget_id
    return None


def _frozen(obj) -> str:
    """Why this row's budget is frozen ("" when it is not): the admin then shows its rules
    read-only, and the models' clean() refuses a forged change."""
    cache = "_budget_frozen_reason"
    if obj is not None and hasattr(obj, cache):
        return getattr(obj, cache)
    reason = budget_frozen_reason(_budget_id(obj))
    if obj is not None:
        setattr(obj, cache, reason)
    return reason


class FrozenDisplay:
    """A read-only line that says why the rules can no longer change."""

    @admin.display(description=_("rules"))
    def frozen_reason(self, obj):
        return _frozen(obj) or _("Not frozen: balloting has not opened.")


class BudgetPhaseInline(admin.TabularInline):
    """Every phase while the rules may change; once frozen, every phase but balloting (see
    BudgetAdmin.get_formset_kwargs), which BallotingPhaseInline shows read-only."""

    model = BudgetPhase
    extra = 0
    fields = ["kind", "starts_at", "ends_at", "enabled"]


class BallotingPhaseInline(admin.TabularInline):
    """The balloting phase of a frozen budget: its start and being enabled stay (moving them
    would reopen the rules); its end may move until it has passed."""

    model = BudgetPhase
    extra = 0
    can_delete = False
    fields = ["kind", "starts_at", "ends_at", "enabled"]
    verbose_name = _("balloting phase (frozen)")
    verbose_name_plural = _("balloting phase (frozen)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=PhaseKind.BALLOTING)

    def get_readonly_fields(self, request, obj=None):
        phase = obj.phases.filter(kind=PhaseKind.BALLOTING).first() if obj else None
        if phase is not None and phase.ends_at <= timezone.now():
            return self.fields
        return ["kind", "starts_at", "enabled"]

    def has_add_permission(self, request, obj=None):
        return False


class BudgetGroupInline(admin.TabularInline):
    model = BudgetGroup
    extra = 0
    fields = ["title", "max_headings_per_voter"]
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return ["max_headings_per_voter"] if _frozen(obj) else []

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 0
    fields = ["title", "amount", "community", "population"]
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return ["amount", "community"] if _frozen(obj) else []

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class BoothInline(admin.TabularInline):
    """A budget's booths and their officers (poll officers mark the roll and enter the paper
    ballots there; a second officer confirms the count)."""

    model = Booth
    extra = 0
    fields = ["name", "location", "officers", "count_confirmed_by", "count_confirmed_at"]
    readonly_fields = ["count_confirmed_by", "count_confirmed_at"]
    filter_horizontal = ["officers"]


class BudgetAdminForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = [
            "title",
            "description",
            "fiscal_year",
            "currency",
            "source",
            *BUDGET_FROZEN_FIELDS,
        ]

    def clean_voter_classes(self):
        from accounts.models import VoterClass

        value = self.cleaned_data.get("voter_classes") or []
        if not isinstance(value, list) or any(v not in VoterClass.values for v in value):
            raise forms.ValidationError(
                _('A list of voter classes, e.g. ["affected_citizen", "affected_resident"].')
            )
        return value

    def clean_class_weights(self):
        from accounts.models import VoterClass

        value = self.cleaned_data.get("class_weights") or {}
        if not isinstance(value, dict) or any(
            k not in VoterClass.values or not isinstance(v, int | float) or v < 0
            for k, v in value.items()
        ):
            raise forms.ValidationError(
                _('A mapping of voter class to a weight of 0 or more, e.g. {"interested": 0.5}.')
            )
        return value


@admin.register(Budget)
class BudgetAdmin(FrozenDisplay, SimpleHistoryAdmin):
    """Staff set up budgets; from the moment balloting opens the ballot's rules are read-only
    (and Budget.clean refuses a forged change)."""

    form = BudgetAdminForm
    inlines = [BudgetPhaseInline, BudgetGroupInline, BoothInline]
    list_display = ["title", "fiscal_year_be_display", "ballot_style", "rule", "phase_display"]
    list_filter = ["ballot_style", "rule"]
    search_fields = ["title"]
    fieldsets = [
        (None, {"fields": ["title", "description", "fiscal_year", "currency", "source"]}),
        (
            _("Ballot"),
            {
                "fields": [
                    "ballot_style",
                    "approval_max_projects",
                    "points_total",
                    "points_max_per_project",
                    "ranked_length",
                    "min_projects",
                    "max_projects",
                    "min_spent_share",
                ]
            },
        ),
        (_("Counting"), {"fields": ["rule", "greedy_comparison"]}),
        (_("Who takes part"), {"fields": ["voter_classes", "class_weights"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if _frozen(obj):
            return [(_("Frozen"), {"fields": ["frozen_reason"]}), *fieldsets]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if _frozen(obj):
            return ["frozen_reason", *BUDGET_FROZEN_FIELDS]
        return []

    def get_inlines(self, request, obj):
        if _frozen(obj):
            return [BudgetPhaseInline, BallotingPhaseInline, BudgetGroupInline, BoothInline]
        return self.inlines

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if type(inline) is BudgetPhaseInline and _frozen(obj):
            kwargs["queryset"] = kwargs["queryset"].exclude(kind=PhaseKind.BALLOTING)
        return kwargs

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phases")

    @admin.display(description=_("fiscal year (BE)"), ordering="fiscal_year")
    def fiscal_year_be_display(self, obj):
        return obj.fiscal_year_be

    @admin.display(description=_("phase now"))
    def phase_display(self, obj):
        from budgets.models import PhaseKind

        phase = current_phase(obj)
        return PhaseKind(phase).label if phase else "—"


@admin.register(BudgetGroup)
class BudgetGroupAdmin(FrozenDisplay, admin.ModelAdmin):
    inlines = [HeadingInline]
    list_display = ["title", "budget", "max_headings_per_voter"]
    list_select_related = ["budget"]

    def get_readonly_fields(self, request, obj=None):
        return ["frozen_reason", "budget", "max_headings_per_voter"] if _frozen(obj) else []

    def get_fields(self, request, obj=None):
        fields = ["budget", "title", "max_headings_per_voter"]
        return ["frozen_reason", *fields] if _frozen(obj) else fields

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Heading)
class HeadingAdmin(FrozenDisplay, admin.ModelAdmin):
    list_display = ["title", "group", "amount", "community", "has_result"]
    list_select_related = ["group__budget", "community", "result"]
    list_filter = ["group__budget"]
    actions = ["compute_results", "publish_results"]

    def get_fields(self, request, obj=None):
        fields = ["group", "title", "amount", "community", "population"]
        return ["frozen_reason", *fields] if _frozen(obj) else fields

    def get_readonly_fields(self, request, obj=None):
        return ["frozen_reason", "group", "amount", "community"] if _frozen(obj) else []

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)

    @admin.display(description=_("result computed"), boolean=True)
    def has_result(self, obj):
        return hasattr(obj, "result")

    @admin.action(
        description=_("Compute results of the selected headings now"), permissions=["change"]
    )
    def compute_results(self, request, queryset):
        done = 0
        for heading in queryset:
            try:
                heading_results_compute(heading=heading, publish=False)
            except NotAllowed as error:
                self.message_user(request, f"{heading}: {error.reason}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Results computed for %(count)d heading. Publish them when checked.",
                    "Results computed for %(count)d headings. Publish them when checked.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Publish the results of the selected headings"), permissions=["change"]
    )
    def publish_results(self, request, queryset):
        count, refused = results_publish(
            queryset=HeadingResult.objects.filter(heading__in=queryset)
        )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d result published.", "%(count)d results published.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(HeadingResult)
class HeadingResultAdmin(admin.ModelAdmin):
    """Results, read-only: counted and published through the heading's actions, which refuse
    to publish while a booth's count is unconfirmed."""

    list_display = ["heading", "rule", "ballots_count", "computed_at", "published_at"]
    list_select_related = ["heading"]
    fields = [
        "heading",
        "rule",
        "ballots_count",
        "computed_at",
        "published_at",
        "ballot_box_sha256",
        "data",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MilestoneInline(GenericTabularInline):
    model = Milestone
    extra = 0
    fields = ["date", "title", "status", "progress", "description"]


class InvestmentPhotoInline(admin.TabularInline):
    model = InvestmentPhoto
    extra = 0
    fields = ["image", "caption", "taken_on", "milestone"]
    raw_id_fields = ["milestone"]


class InvestmentDocumentInline(admin.TabularInline):
    model = InvestmentDocument
    extra = 0
    fields = ["title", "file", "size"]
    readonly_fields = ["size"]

    def has_add_permission(self, request, obj=None):
        return False


class InvestmentAdminForm(forms.ModelForm):
    """Refuses here what the valuation service and the ballot action would refuse, so that a
    refused change shows on the form instead of half-saving the rest of it."""

    class Meta:
        model = Investment
        # The admin's fieldsets (less its read-only fields) decide the fields the form has.
        fields = ["selected_for_ballot", *sorted(VALUATION_FIELDS)]

    def _value(self, name):
        # A read-only field (a valuator's view) is not in the form: the row's value holds.
        return self.cleaned_data[name] if name in self.fields else getattr(self.instance, name)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        feasibility, price = self._value("feasibility"), self._value("price")
        if feasibility == Feasibility.FEASIBLE and price is None and "price" in self.fields:
            self.add_error("price", _("A feasible project needs its price."))
        elif (
            "selected_for_ballot" in self.fields
            and self.cleaned_data["selected_for_ballot"]
            and (feasibility != Feasibility.FEASIBLE or price is None)
            # Left ticked on a project now found unfeasible: the service takes it off.
            and (
                "selected_for_ballot" in self.changed_data or feasibility != Feasibility.UNFEASIBLE
            )
        ):
            self.add_error(
                "selected_for_ballot",
                _("Only feasible projects with a price can go on the ballot."),
            )
        return data


class ValuatorFilter(admin.SimpleListFilter):
    title = _("valuation")
    parameter_name = "valuation"

    def lookups(self, request, model_admin):
        return [("mine", _("Assigned to me")), ("undecided", _("Not yet valuated"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(valuators=request.user)
        if self.value() == "undecided":
            return queryset.filter(feasibility="undecided")
        return queryset


@admin.register(Investment)
class InvestmentAdmin(SimpleHistoryAdmin, ModeratedAdmin):
    """Projects: staff file, assign valuators, valuate and pick what goes to the ballot.

    A valuator sees only the projects assigned to them and changes only their valuation.
    """

    form = InvestmentAdminForm
    inlines = [InvestmentDocumentInline, MilestoneInline, InvestmentPhotoInline]
    list_display = [
        "title",
        "heading",
        "feasibility",
        "price",
        "selected_for_ballot",
        "supports_count",
        "moderation_state",
    ]
    list_filter = [ValuatorFilter, "feasibility", "selected_for_ballot", "heading__group__budget"]
    list_select_related = ["heading", "author"]
    search_fields = ["title", "external_id"]
    ordering = ["heading", "id"]
    filter_horizontal = ["valuators"]
    actions = [*ModeratedAdmin.actions, "select_for_ballot", "unselect_for_ballot"]
    staff_fields = [
        "heading",
        "title",
        "description",
        "location",
        "community",
        "strategic_issue",
        "image",
        "image_alt",
        "estimated_cost",
        "valuators",
        "selected_for_ballot",
        "objective",
        "target",
        "responsible_division",
        "external_id",
    ]
    valuation_fields = [
        "feasibility",
        "unfeasibility_reason",
        "price",
        "duration",
        "valuation_explanation",
        "competence",
        "responsible_agency",
        "competence_explanation",
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["author_link", *self.staff_fields, "proposal", "supports_count"]}),
            (_("Valuation"), {"fields": [*self.valuation_fields, "valuated_at"]}),
            (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
        ]
        if _frozen(obj):
            fieldsets.insert(0, (_("Frozen"), {"fields": ["frozen_reason"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # The proposal link is made once, by investment_from_proposal.
        readonly = [*ModeratedAdmin.readonly_fields, "proposal", "supports_count", "valuated_at"]
        if not is_staff_of_budgets(request.user):
            readonly += self.staff_fields
        if _frozen(obj):
            # The set of projects on the ballot, and the price of each, stay as they are.
            readonly += ["frozen_reason", "heading", "selected_for_ballot"]
            if obj.selected_for_ballot:
                readonly += INVESTMENT_FROZEN_ON_BALLOT
        return list(dict.fromkeys(readonly))

    @admin.display(description=_("rules"))
    def frozen_reason(self, obj):
        return _frozen(obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.selected_for_ballot and _frozen(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_staff_of_budgets(request.user) or request.user.has_perm("budgets.view_budget"):
            return qs
        return qs.filter(valuators=request.user)

    def _is_valuator_of(self, request, obj) -> bool:
        return (
            obj is not None
            and request.user.groups.filter(name=VALUATOR).exists()
            and obj.valuators.filter(pk=request.user.pk).exists()
        )

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        return request.user.groups.filter(name=VALUATOR).exists() and (
            obj is None or self._is_valuator_of(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        if is_staff_of_budgets(request.user):
            return True
        return request.user.groups.filter(name=VALUATOR).exists() and (
            obj is None or self._is_valuator_of(request, obj)
        )

    def has_add_permission(self, request):
        return request.user.has_perm("budgets.add_investment")

    def has_module_permission(self, request):
        return (
            super().has_module_permission(request)
            or request.user.groups.filter(name=VALUATOR).exists()
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_staff_of_budgets(request.user):
            # A valuator records valuations; moderation and the ballot are staff's.
            return {}
        return actions

    def changelist_view(self, request, extra_context=None):
        # Not the moderation queue's redirect: this list is mostly for valuation.
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            return admin.ModelAdmin.save_model(self, request, obj, form, change)
        valuated = [name for name in VALUATION_FIELDS if name in form.changed_data]
        concrete = {f.name for f in obj._meta.concrete_fields}
        others = [n for n in form.changed_data if n in concrete and n not in VALUATION_FIELDS]
        if others:
            obj.save(update_fields=others)
        if valuated:
            try:
                investment_valuate(
                    user=request.user,
                    investment=obj,
                    # Only what the form holds: a frozen price is read-only, hence absent.
                    **{n: form.cleaned_data[n] for n in VALUATION_FIELDS if n in form.cleaned_data},
                )
            except NotAllowed as error:
                self.message_user(request, error.reason, messages.ERROR)

    @admin.action(description=_("Put selected on the ballot"), permissions=["change"])
    def select_for_ballot(self, request, queryset):
        if not is_staff_of_budgets(request.user):
            raise PermissionDenied
        try:
            count = investments_select_for_ballot(queryset=queryset, selected=True)
        except NotAllowed as error:
            self.message_user(request, error.reason, messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)d projects put on the ballot (only feasible projects with a price).")
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Take selected off the ballot"), permissions=["change"])
    def unselect_for_ballot(self, request, queryset):
        if not is_staff_of_budgets(request.user):
            raise PermissionDenied
        try:
            count = investments_select_for_ballot(queryset=queryset, selected=False)
        except NotAllowed as error:
            self.message_user(request, error.reason, messages.ERROR)
            return
        self.message_user(request, _("%(count)d projects taken off the ballot.") % {"count": count})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BallotLineInline(admin.TabularInline):
    model = BallotLine
    fields = ["investment", "points", "rank"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """The ballot box, read-only: anonymous ballots inserted only at the close (online), by a
    booth's officers (paper) or by the import."""

    inlines = [BallotLineInline]
    list_display = ["pk", "heading", "channel", "booth", "voter_class", "community", "weight"]
    list_filter = ["channel", "voter_class", "heading__group__budget"]
    list_select_related = ["heading", "community"]
    fields = ["heading", "channel", "booth", "voter_class", "community", "weight"]
    readonly_fields = fields


@admin.register(InvestmentSupport)
class InvestmentSupportAdmin(ReadOnlyAdmin):
    list_display = ["investment", "voter_class", "community", "created_at"]
    list_filter = ["voter_class", "community"]
    list_select_related = ["investment", "community"]
    fields = ["investment", "voter_class", "community", "created_at"]
    readonly_fields = fields


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    """The voter roll, read-only: who voted in which heading, where and when; never what."""

    list_display = ["heading", "channel", "booth", "voted_at"]
    list_filter = ["channel", "heading__group__budget"]
    list_select_related = ["heading", "booth"]
    fields = ["heading", "user", "census_record", "channel", "booth", "officer", "voted_at"]
    readonly_fields = fields
