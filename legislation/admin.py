from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from legislation.models import (
    Annotation,
    Document,
    DraftVersion,
    Process,
    ProcessProposal,
    Question,
    QuestionOption,
)
from legislation.services import response_set, version_publish, version_render
from participation.moderation_admin import ModeratedAdmin, ModerationFilter
from participation.services import NotAllowed
from participation.text import sanitise_html

PHASES = ["debate", "proposals", "draft", "comments"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "description",
            "strategic_issue",
            "is_published",
            *(
                f"{phase}_{part}"
                for phase in PHASES
                for part in ("enabled", "starts_on", "ends_on")
            ),
            "result_enabled",
            "result_starts_on",
            "result_summary",
        ]

    def clean_description(self):
        return sanitise_html(self.cleaned_data["description"])


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    """Staff write processes, their phases, questions and documents."""

    form = ProcessForm
    list_display = ["title", "is_published", "strategic_issue", "created_at"]
    list_filter = ["is_published", "strategic_issue"]
    search_fields = ["title"]
    inlines = [DocumentInline, QuestionInline]
    fieldsets = [
        (None, {"fields": ["title", "description", "strategic_issue", "is_published"]}),
        (_("Debate"), {"fields": ["debate_enabled", "debate_starts_on", "debate_ends_on"]}),
        (
            _("Proposals"),
            {"fields": ["proposals_enabled", "proposals_starts_on", "proposals_ends_on"]},
        ),
        (_("Draft publication"), {"fields": ["draft_enabled", "draft_starts_on", "draft_ends_on"]}),
        (
            _("Comments on the draft"),
            {"fields": ["comments_enabled", "comments_starts_on", "comments_ends_on"]},
        ),
        (_("Final result"), {"fields": ["result_enabled", "result_starts_on", "result_summary"]}),
    ]


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    extra = 2


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "process", "order"]
    list_select_related = ["process"]
    inlines = [QuestionOptionInline]


@admin.register(DraftVersion)
class DraftVersionAdmin(admin.ModelAdmin):
    """Versions are written in Markdown and published with the action, which moves annotations."""

    list_display = ["__str__", "process", "number", "published_at", "is_final"]
    list_filter = ["process"]
    list_select_related = ["process"]
    readonly_fields = ["published_at"]
    fields = ["process", "number", "title", "body", "changelog", "is_final", "published_at"]
    actions = ["publish_selected"]

    def get_readonly_fields(self, request, obj=None):
        # A published text is what people commented on: it is never edited, only superseded.
        if obj is not None and obj.is_published:
            return [*self.readonly_fields, "process", "number", "title", "body"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not obj.is_published:
            version_render(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected versions (annotations move to them)"))
    def publish_selected(self, request, queryset):
        for version in queryset.order_by("process_id", "number"):
            try:
                moved, stayed = version_publish(version=version)
            except NotAllowed as e:
                self.message_user(request, f"{version}: {e.reason}", messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "%(version)s is published; %(moved)d annotation moved to it, %(stayed)d "
                    "stayed on the earlier version.",
                    "%(version)s is published; %(moved)d annotations moved to it, %(stayed)d "
                    "stayed on the earlier version.",
                    moved,
                )
                % {"version": version, "moved": moved, "stayed": stayed},
                messages.SUCCESS,
            )


class RespondedAdmin(ModeratedAdmin):
    """Moderation like any comment, plus the municipality's response."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "response" in form.changed_data:
            # The service dates the answer (or clears the date when the answer is taken back).
            response_set(target=obj, response=obj.response, reason=obj.response_reason)


class ResponseFilter(admin.SimpleListFilter):
    title = _("response")
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return [("none", _("Not yet answered")), ("done", _("Answered"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(response="")
        if self.value() == "done":
            return queryset.exclude(response="")
        return queryset


@admin.register(Annotation)
class AnnotationAdmin(RespondedAdmin):
    list_display = [
        "content_summary",
        "author_link",
        "process",
        "version",
        "response",
        "flags_link",
        "moderation_state",
        "created_at",
    ]
    list_filter = [ModerationFilter, ResponseFilter, "process"]
    list_select_related = ["author", "process", "version"]
    search_fields = ["body", "quote"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "process",
                    "version",
                    "quote",
                    "body",
                    "author_link",
                    "voter_class",
                    "created_at",
                ]
            },
        ),
        (_("Response"), {"fields": ["response", "response_reason", "responded_at"]}),
        (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
    ]
    readonly_fields = [
        *ModeratedAdmin.readonly_fields,
        "process",
        "version",
        "quote",
        "body",
        "voter_class",
        "created_at",
        "responded_at",
    ]


@admin.register(ProcessProposal)
class ProcessProposalAdmin(RespondedAdmin):
    list_display = [
        "title",
        "author_link",
        "process",
        "supports_count",
        "is_selected",
        "response",
        "flags_link",
        "moderation_state",
        "created_at",
    ]
    list_editable = ["is_selected"]
    list_filter = [ModerationFilter, ResponseFilter, "is_selected", "process"]
    list_select_related = ["author", "process"]
    search_fields = ["title", "body"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "process",
                    "title",
                    "body",
                    "author_link",
                    "voter_class",
                    "supports_count",
                    "is_selected",
                    "created_at",
                ]
            },
        ),
        (_("Response"), {"fields": ["response", "response_reason", "responded_at"]}),
        (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
    ]
    readonly_fields = [
        *ModeratedAdmin.readonly_fields,
        "process",
        "title",
        "body",
        "voter_class",
        "supports_count",
        "created_at",
        "responded_at",
    ]
