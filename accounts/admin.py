from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.census import CensusFileError, census_import
from accounts.models import CensusImport, CensusRecord, ResidentClaim, User
from accounts.national_id import InvalidNationalId, id_hash
from accounts.services import VerificationError, resident_claim_decide
from participation.services import author_unblock


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = [
        "email",
        "display_name",
        "residence",
        "residence_community",
        "is_staff",
        "date_joined",
    ]
    list_filter = [
        "residence",
        "residence_community",
        "groups",
        "is_staff",
        "is_active",
        ("blocked_at", admin.EmptyFieldListFilter),
    ]
    actions = ["unblock_selected"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["last_login", "date_joined", "erased_at", "residence", "residence_community"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "community",
                    "language",
                    "notify_on_reply",
                    "email_digest",
                ]
            },
        ),
        (_("Residence"), {"fields": ["residence", "residence_community"]}),
        (_("Roles"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]

    @admin.action(description=_("Unblock the selected people"), permissions=["change"])
    def unblock_selected(self, request, queryset):
        # What blocking hid stays hidden: moderators restore it item by item in the queue.
        blocked = list(queryset.filter(blocked_at__isnull=False))
        for person in blocked:
            author_unblock(moderator=request.user, author=person)
        messages.success(
            request,
            ngettext("%(count)d person unblocked.", "%(count)d people unblocked.", len(blocked))
            % {"count": len(blocked)},
        )


class ResidentClaimDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Confirm as resident")), ("reject", _("Do not confirm"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ResidentClaim
        fields = ["decision_reason"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == "reject"
            and not (cleaned.get("decision_reason") or "").strip()
        ):
            self.add_error(
                "decision_reason",
                _("Give the person a reason when you do not confirm their claim."),
            )
        return cleaned


@admin.register(ResidentClaim)
class ResidentClaimAdmin(SimpleHistoryAdmin):
    """The queue of people who say they live, work or study in Saensuk."""

    list_display = ["user", "community", "basis", "status", "created_at", "decided_by"]
    list_filter = ["status", "community", "basis"]
    search_fields = ["user__email", "user__display_name", "explanation"]
    list_select_related = ["user", "community", "decided_by"]
    readonly_fields = [
        "user",
        "community",
        "basis",
        "explanation",
        "status",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    actions = ["approve_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == ResidentClaim.Status.PENDING:
            kwargs["form"] = ResidentClaimDecisionForm
            kwargs["fields"] = ["decision", "decision_reason"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ResidentClaim.Status.PENDING:
            return [*self.readonly_fields, "decision_reason"]
        return self.readonly_fields

    def changelist_view(self, request, extra_context=None):
        # The queue opens on what still needs a decision.
        if request.method == "GET" and not request.GET:
            return redirect(f"{request.path}?status__exact=pending")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            resident_claim_decide(
                claim=obj,
                decided_by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data.get("decision_reason", ""),
            )
        except VerificationError as error:
            messages.error(request, error.reason)

    @admin.action(description=_("Confirm the selected claims as residents"), permissions=["change"])
    def approve_selected(self, request, queryset):
        decided = 0
        for claim in queryset.filter(status=ResidentClaim.Status.PENDING):
            resident_claim_decide(claim=claim, decided_by=request.user, approve=True)
            decided += 1
        messages.success(
            request,
            ngettext("%(count)d claim confirmed.", "%(count)d claims confirmed.", decided)
            % {"count": decided},
        )


class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Civil-registry extract (CSV)"),
        help_text=_(
            "Columns: national_id, house_code, registered_on, birth_year, community. The file is "
            "read once and not kept; only a keyed hash of each national ID is stored."
        ),
    )


REPORT_FIELDS = [
    "created_at",
    "file_name",
    "uploaded_by",
    "rows_read",
    "rows_created",
    "rows_updated",
    "rows_unchanged",
]


@admin.register(CensusImport)
class CensusImportAdmin(admin.ModelAdmin):
    list_display = [*REPORT_FIELDS, "error_count"]
    readonly_fields = [*REPORT_FIELDS, "error_report"]
    exclude = ["errors"]

    @admin.display(description=_("rejected rows"))
    def error_count(self, obj):
        return len(obj.errors)

    @admin.display(description=_("rejected rows"))
    def error_report(self, obj):
        if not obj.errors:
            return "—"
        return format_html_join(
            "",
            "<div>{} {}: {}</div>",
            ((_("line"), e["line"], e["reason"]) for e in obj.errors),
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """The upload page: run the import and show its report."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = CensusUploadForm(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = census_import(file=upload, file_name=upload.name, uploaded_by=request.user)
            except CensusFileError as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(created)d added, %(updated)d changed, "
                        "%(unchanged)d unchanged, %(errors)d rejected."
                    )
                    % {
                        "created": report.rows_created,
                        "updated": report.rows_updated,
                        "unchanged": report.rows_unchanged,
                        "errors": len(report.errors),
                    },
                )
                return redirect(reverse("admin:accounts_censusimport_change", args=[report.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload the civil-registry extract"),
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/accounts/censusimport/upload.html", context)


@admin.register(CensusRecord)
class CensusRecordAdmin(SimpleHistoryAdmin):
    list_display = ["house_code", "community", "birth_year", "registered_on", "user", "verified_at"]
    list_filter = ["community"]
    list_select_related = ["community", "user"]
    search_fields = ["house_code"]
    search_help_text = _("Search by house code, or type a national ID to find its record.")
    readonly_fields = [
        "id_hash",
        "house_code",
        "registered_on",
        "birth_year",
        "community",
        "user",
        "verified_at",
        "last_import",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        try:
            return queryset.filter(id_hash=id_hash(search_term)), False
        except InvalidNationalId:
            return super().get_search_results(request, queryset, search_term)
