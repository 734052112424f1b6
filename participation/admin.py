from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from participation.models import Community, StrategicIssue

admin.site.site_header = _("Ruamkit · Saensuk municipal staff")
admin.site.site_title = _("Ruamkit staff")
admin.site.index_title = _("Moderation and administration")


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    list_display = ["name_th", "name_en", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name_th", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(StrategicIssue)
class StrategicIssueAdmin(SimpleHistoryAdmin):
    list_display = ["title_th", "title_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["title_th", "title_en"]
    prepopulated_fields = {"slug": ["title_en"]}


from participation import moderation_admin  # noqa: E402,F401
