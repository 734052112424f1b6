from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from participation.services import NotAllowed
from polls.forms import PollAdminForm
from polls.models import (
    Answer,
    Booth,
    BoothTotal,
    Option,
    Poll,
    PollResult,
    Question,
    RollEntry,
)
from polls.services import poll_results_publish, poll_results_unpublish, question_check

WEIGHT_FIELDS = [
    "weight_affected_citizen",
    "weight_affected_resident",
    "weight_interested",
    "weight_concerned",
]
# What may not change once the poll has opened: who votes, how they count, and the questions.
FROZEN_FIELDS = ["opens_at", "communities", "voter_classes", "weights"]


def _opened(obj) -> bool:
    return obj is not None and obj.has_opened()


class FrozenInlineMixin:
    """An inline that becomes read-only, without adding or deleting, once the poll opens."""

    def _poll(self, obj):
        return obj if isinstance(obj, Poll) else getattr(obj, "poll", None)

    def get_readonly_fields(self, request, obj=None):
        if _opened(self._poll(obj)):
            return [f for f in self.fields]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return not _opened(self._poll(obj)) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _opened(self._poll(obj)) and super().has_delete_permission(request, obj)


class QuestionInline(FrozenInlineMixin, admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "title", "description", "kind", "max_choices"]
    show_change_link = True


class BoothInline(admin.TabularInline):
    model = Booth
    extra = 0
    fields = ["name", "location", "officers"]
    filter_horizontal = ["officers"]


class OptionInline(FrozenInlineMixin, admin.TabularInline):
    model = Option
    extra = 2
    fields = ["order", "title", "description", "image", "image_alt"]


@admin.register(Poll)
class PollAdmin(SimpleHistoryAdmin):
    """Staff write polls here; questions freeze when the poll opens; results are published here."""

    form = PollAdminForm
    inlines = [QuestionInline, BoothInline]
    list_display = ["title", "opens_at", "closes_at", "voters", "result_state"]
    list_filter = ["strategic_issue", "communities"]
    search_fields = ["title"]
    filter_horizontal = ["communities"]
    actions = ["compute_results", "publish_results", "unpublish_results"]
    readonly_fields = ["results_link"]

    def get_queryset(self, request):
        # The voters column counts in the same query; distinct, as the communities filter joins.
        # The ballot box file can weigh megabytes: the list does not load it.
        return (
            super()
            .get_queryset(request)
            .select_related("result")
            .defer("result__ballot_box")
            .annotate(voter_count=Count("roll", distinct=True))
        )

    def get_fieldsets(self, request, obj=None):
        who = ["communities", "voter_classes", *WEIGHT_FIELDS]
        if _opened(obj):
            who = ["communities", "voter_classes", "weights"]
        return [
            (None, {"fields": ["title", "description", "image", "image_alt"]}),
            (_("When"), {"fields": ["opens_at", "closes_at"]}),
            (_("Who may vote"), {"fields": who}),
            (_("Where it came from"), {"fields": ["strategic_issue", "proposal"]}),
            (_("Results"), {"fields": ["results_link"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed():
            # Reopening a counted poll would add ballots to a published box one by one, and
            # the difference between the two files would show each new voter's ballot.
            return [*self.readonly_fields, *FROZEN_FIELDS, "closes_at"]
        if _opened(obj):
            return [*self.readonly_fields, *FROZEN_FIELDS]
        return self.readonly_fields

    @admin.display(description=_("voters"), ordering="voter_count")
    def voters(self, obj):
        return obj.voter_count

    @admin.display(description=_("results"))
    def result_state(self, obj):
        result = getattr(obj, "result", None)
        if result is None:
            return _("Not counted")
        if result.published_at:
            return _("Published")
        return _("Counted, not published")

    @admin.display(description=_("results"))
    def results_link(self, obj):
        if obj is None or getattr(obj, "result", None) is None:
            return _("Not counted yet.")
        return format_html(
            '<a href="{}">{}</a>', reverse("polls:results", args=[obj.pk]), _("See the results")
        )

    def save_related(self, request, form, formsets, change):
        # Second line behind the read-only inlines: a forged POST cannot change the questions.
        if change and any(fs.has_changed() for fs in formsets if fs.model is Question):
            try:
                question_check(form.instance)
            except NotAllowed as error:
                self.message_user(request, error.reason, messages.ERROR)
                formsets = [fs for fs in formsets if fs.model is not Question]
        super().save_related(request, form, formsets, change)

    @admin.action(description=_("Count the results now"), permissions=["publish"])
    def compute_results(self, request, queryset):
        from polls.tasks import poll_results_compute

        count = 0
        for poll in queryset:
            if not poll.is_closed():
                self.message_user(
                    request,
                    _("%(poll)s: a poll is counted after it closes: no ballot is opened before.")
                    % {"poll": poll},
                    messages.ERROR,
                )
                continue
            poll_results_compute.delay(poll.pk)
            count += 1
        if count:
            self.message_user(
                request,
                ngettext(
                    "Counting the results of %(count)d poll.",
                    "Counting the results of %(count)d polls.",
                    count,
                )
                % {"count": count},
            )

    @admin.action(description=_("Publish the results"), permissions=["publish"])
    def publish_results(self, request, queryset):
        done = 0
        for poll in queryset:
            try:
                poll_results_publish(poll=poll)
            except NotAllowed as error:
                self.message_user(request, f"{poll}: {error.reason}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Published the results of %(count)d poll.",
                    "Published the results of %(count)d polls.",
                    done,
                )
                % {"count": done},
            )

    @admin.action(description=_("Take the results back from the public"), permissions=["publish"])
    def unpublish_results(self, request, queryset):
        for poll in queryset:
            poll_results_unpublish(poll=poll)
        self.message_user(request, _("The results are no longer public."))

    def has_publish_permission(self, request):
        return request.user.has_perm("polls.publish_pollresult")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """A question and its options, in order; frozen once its poll has opened."""

    inlines = [OptionInline]
    list_display = ["title", "poll", "kind", "order"]
    list_select_related = ["poll"]
    fields = ["poll", "order", "title", "description", "kind", "max_choices"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and _opened(obj.poll):
            return self.fields
        return []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _opened(obj.poll):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin):
    """Booths and their officers; the count is entered and confirmed on the booth pages."""

    list_display = ["name", "poll", "location", "paper_ballots", "count_confirmed_at"]
    list_select_related = ["poll"]
    list_filter = ["poll"]
    filter_horizontal = ["officers"]
    fields = [
        "poll",
        "name",
        "location",
        "officers",
        "paper_ballots",
        "count_confirmed_by",
        "count_confirmed_at",
    ]
    readonly_fields = ["paper_ballots", "count_confirmed_by", "count_confirmed_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and _opened(obj.poll):
            # Its roll entries and ballots belong to this poll: the booth cannot move.
            return ["poll", *self.readonly_fields]
        return self.readonly_fields


@admin.register(BoothTotal)
class BoothTotalAdmin(SimpleHistoryAdmin):
    """Entered by poll officers on the booth pages; read here."""

    list_display = ["booth", "option", "count", "officer", "entered_at"]
    list_select_related = ["booth__poll", "option", "officer"]
    list_filter = ["booth__poll"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollEntry)
class RollEntryAdmin(admin.ModelAdmin):
    """The voter roll, read-only: who voted, never what they answered."""

    list_display = ["poll", "channel", "community", "voted_at", "booth"]
    list_filter = ["poll", "channel"]
    list_select_related = ["poll", "community", "booth"]
    fields = [
        "poll",
        "user",
        "census_record",
        "channel",
        "community",
        "voted_at",
        "booth",
        "officer",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PollResult)
class PollResultAdmin(admin.ModelAdmin):
    list_display = ["poll", "computed_at", "published_at", "ballot_box_sha256"]
    list_select_related = ["poll"]
    fields = [
        "poll",
        "computed_at",
        "published_at",
        "ballot_box_sha256",
        "ballot_box_history",
        "data",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("ballot_box")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TextAnswerFilter(admin.SimpleListFilter):
    title = _("poll")
    parameter_name = "poll"

    def lookups(self, request, model_admin):
        return [(poll.pk, poll.title) for poll in Poll.objects.order_by("-closes_at")[:50]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(question__poll_id=self.value())
        return queryset


@admin.register(Answer)
class TextAnswerAdmin(admin.ModelAdmin):
    """What people wrote in their own words, to read; answers carry no person, so none shows."""

    list_display = ["question", "text"]
    list_select_related = ["question"]
    list_filter = [TextAnswerFilter]
    search_fields = ["text"]
    fields = ["question", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(option__isnull=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
