"""CONSUL's moderation in the Django admin: the flag queue, hide/restore/ignore/block, the log.

Every write goes through `participation.services`; the admin only chooses the rows.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from participation.models import Comment, Flag, ModerationAction
from participation.services import (
    NotAllowed,
    author_block,
    content_hide,
    content_restore,
    flags_ignore,
)

PENDING = "pending"


def person_link(user: User | None):
    """A person as staff know them, by e-mail, linked to their account page."""
    if user is None:
        return "—"
    url = reverse("admin:accounts_user_change", args=[user.pk])
    return format_html('<a href="{}">{}</a>', url, user.email)


def content_link(content_type: ContentType | None, object_id: int | None, text: str = ""):
    """Some content as "debate 12", linked to its admin page when it has one."""
    if content_type is None:
        return "—"
    label = f"{content_type.name} {object_id}"
    if text:
        label = f"{label}: {Truncator(text).chars(60)}"
    try:
        url = reverse(
            f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id]
        )
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


class ModerationFilter(admin.SimpleListFilter):
    """The moderation queue: what was flagged since someone last looked, and the rest."""

    title = _("moderation")
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [
            (PENDING, _("Pending")),
            ("all", _("All")),
            ("hidden", _("Hidden")),
            ("ignored", _("Ignored")),
        ]

    def choices(self, changelist):
        # Django's own "All" removes the parameter, and the changelist then opens on Pending;
        # our "all" choice is an explicit value instead.
        choices = list(super().choices(changelist))
        return choices[1:]

    def queryset(self, request, queryset):
        value = self.value()
        if value == PENDING:
            flagged_since_review = Flag.objects.filter(
                content_type=ContentType.objects.get_for_model(queryset.model),
                object_id=OuterRef("pk"),
                created_at__gt=OuterRef("flags_ignored_at"),
            )
            return queryset.filter(
                Q(flags_ignored_at__isnull=True) | Exists(flagged_since_review),
                flags_count__gt=0,
                hidden_at__isnull=True,
            )
        if value == "hidden":
            return queryset.filter(hidden_at__isnull=False)
        if value == "ignored":
            return queryset.filter(flags_ignored_at__isnull=False, hidden_at__isnull=True)
        return queryset


class ModeratedAdmin(admin.ModelAdmin):
    """The admin of a `Moderated` model with an `author` and a `created_at`.

    Lists everything, hidden content included and marked, most-flagged first, and opens on the
    pending queue. Subclasses write their own `list_display` and fieldsets from the columns here.
    """

    list_display = [
        "content_summary",
        "author_link",
        "flags_link",
        "moderation_state",
        "created_at",
    ]
    list_filter = [ModerationFilter]
    list_select_related = ["author"]
    ordering = ["-flags_count", "-created_at"]
    moderation_fields = ["moderation_state", "flags_count", "hidden_at", "flags_ignored_at"]
    readonly_fields = [
        "author_link",
        "moderation_state",
        "flags_count",
        "hidden_at",
        "flags_ignored_at",
    ]
    actions = [
        "hide_selected",
        "restore_selected",
        "ignore_flags_selected",
        "block_authors_selected",
    ]
    change_form_template = "admin/participation/moderated_change_form.html"

    # Content is written by people through the services (sanitising, counters, eligibility)
    # and never deleted: moderators hide it.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # The queue opens on what still needs a look.
        if request.method == "GET" and not request.GET:
            return redirect(f"{request.path}?{ModerationFilter.parameter_name}={PENDING}")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # Write back only what the form changed: counters move under concurrent F() updates and
        # the hidden state belongs to the services, so a form loaded a moment ago must not
        # overwrite them with what it read.
        if not change:
            return super().save_model(request, obj, form, change)
        concrete = {f.name for f in obj._meta.concrete_fields}
        obj.save(update_fields=[name for name in form.changed_data if name in concrete])

    @admin.display(description=_("content"))
    def content_summary(self, obj):
        return Truncator(str(obj)).chars(80)

    @admin.display(description=_("author"), ordering="author__email")
    def author_link(self, obj):
        return person_link(obj.author)

    @admin.display(description=_("flags"), ordering="flags_count")
    def flags_link(self, obj):
        if not obj.flags_count:
            return 0
        content_type = ContentType.objects.get_for_model(obj)
        url = reverse("admin:participation_flag_changelist")
        return format_html(
            '<a href="{}?content_type__id__exact={}&amp;object_id={}">{}</a>',
            url,
            content_type.pk,
            obj.pk,
            obj.flags_count,
        )

    @admin.display(description=_("moderation"))
    def moderation_state(self, obj):
        if obj.hidden_at:
            when = formats.date_format(timezone.localtime(obj.hidden_at), "SHORT_DATETIME_FORMAT")
            return format_html(
                '<strong style="color: var(--error-fg, #ba2121)">{} {}</strong>',
                _("Hidden since"),
                when,
            )
        if obj.flags_ignored_at:
            return _("Flags ignored")
        return "—"

    @admin.action(description=_("Hide selected"), permissions=["change"])
    def hide_selected(self, request, queryset):
        count = content_hide(moderator=request.user, targets=queryset)
        self.message_user(
            request,
            ngettext("%(count)d item hidden.", "%(count)d items hidden.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Restore selected"), permissions=["change"])
    def restore_selected(self, request, queryset):
        count = content_restore(moderator=request.user, targets=queryset)
        self.message_user(
            request,
            ngettext("%(count)d item restored.", "%(count)d items restored.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Ignore flags of selected"), permissions=["change"])
    def ignore_flags_selected(self, request, queryset):
        count = flags_ignore(moderator=request.user, targets=queryset)
        self.message_user(
            request,
            ngettext("Flags ignored on %(count)d item.", "Flags ignored on %(count)d items.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Block the authors of selected"), permissions=["change"])
    def block_authors_selected(self, request, queryset):
        author_ids = set(queryset.values_list("author_id", flat=True))
        blocked = hidden = 0
        for author in User.objects.filter(pk__in=author_ids).order_by("pk"):
            if author.pk == request.user.pk or author.is_superuser:
                self.message_user(
                    request,
                    _("%(email)s was not blocked: you cannot block yourself or a superuser.")
                    % {"email": author.email},
                    messages.WARNING,
                )
                continue
            try:
                hidden += author_block(moderator=request.user, author=author)
            except NotAllowed as error:
                self.message_user(request, f"{author.email}: {error.reason}", messages.WARNING)
                continue
            blocked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d author blocked; %(hidden)d items of theirs hidden.",
                "%(count)d authors blocked; %(hidden)d items of theirs hidden.",
                blocked,
            )
            % {"count": blocked, "hidden": hidden},
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(ModeratedAdmin):
    list_display = [
        "content_summary",
        "commented_object",
        "author_link",
        "flags_link",
        "moderation_state",
        "depth",
        "is_official",
        "is_deleted",
        "created_at",
    ]
    list_filter = [ModerationFilter, "is_official"]
    list_select_related = ["author", "content_type"]
    search_fields = ["body", "author__email"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "body",
                    "commented_object",
                    "author_link",
                    "parent",
                    "depth",
                    "is_official",
                    "deleted_at",
                    "created_at",
                ]
            },
        ),
        (_("Moderation"), {"fields": ModeratedAdmin.moderation_fields}),
    ]
    # A moderator hides or restores a comment; its words stay the author's.
    readonly_fields = [
        *ModeratedAdmin.readonly_fields,
        "body",
        "commented_object",
        "parent",
        "depth",
        "is_official",
        "deleted_at",
        "created_at",
    ]

    @admin.display(description=_("comment"))
    def content_summary(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("on"))
    def commented_object(self, obj):
        return content_link(obj.content_type, obj.object_id)

    @admin.display(description=_("deleted"), boolean=True)
    def is_deleted(self, obj):
        return obj.deleted_at is not None


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The log of what moderators did; it is written only by the services."""

    list_display = ["created_at", "moderator_link", "kind", "summary", "content", "target_link"]
    list_filter = ["kind", ("moderator", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["moderator", "target_user", "content_type"]
    search_fields = ["summary", "moderator__email", "target_user__email"]
    date_hierarchy = "created_at"
    fields = ["created_at", "moderator_link", "kind", "summary", "content", "target_link"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("moderator"), ordering="moderator__email")
    def moderator_link(self, obj):
        return person_link(obj.moderator)

    @admin.display(description=_("person"), ordering="target_user__email")
    def target_link(self, obj):
        return person_link(obj.target_user)

    @admin.display(description=_("content"))
    def content(self, obj):
        return content_link(obj.content_type, obj.object_id)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Who reported what, and when."""

    list_display = ["created_at", "user_link", "content"]
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "content_type"]
    search_fields = ["user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    fields = ["created_at", "user_link", "content"]
    readonly_fields = fields

    def get_queryset(self, request):
        # One query per kind of content, whatever the page size.
        return super().get_queryset(request).prefetch_related("content_object")

    # Flags are rows behind each content's flags count: only flag_add writes them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reported by"), ordering="user__email")
    def user_link(self, obj):
        return person_link(obj.user)

    @admin.display(description=_("content"))
    def content(self, obj):
        target = obj.content_object
        return content_link(obj.content_type, obj.object_id, str(target) if target else "")
