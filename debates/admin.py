from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from debates.models import Debate
from participation.moderation_admin import ModeratedAdmin, ModerationFilter


@admin.register(Debate)
class DebateAdmin(SimpleHistoryAdmin, ModeratedAdmin):
    """Debates in the moderation queue; staff also feature them and file them under a matter."""

    list_display = [
        "title",
        "author_link",
        "flags_link",
        "moderation_state",
        "created_at",
        "community",
        "strategic_issue",
        "tag_list",
        "is_featured",
    ]
    list_editable = ["is_featured"]
    list_filter = [ModerationFilter, "is_featured", "community", "strategic_issue"]
    list_select_related = ["author", "community", "strategic_issue"]
    search_fields = ["title"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "description",
                    "author_link",
                    "community",
                    "strategic_issue",
                    "tags",
                    "is_featured",
                    "comments_count",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
    ]
    # The text is the author's, sanitised by the service that wrote it; staff file and feature.
    readonly_fields = [
        *ModeratedAdmin.readonly_fields,
        "title",
        "description",
        "comments_count",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))

    # A revert writes a whole old version back: its hidden state, its text, and zero for the
    # counters the history does not keep. History is for reading here.
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
