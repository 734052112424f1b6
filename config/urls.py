from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from participation import views as participation_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", participation_views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", participation_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("debates/", include("debates.urls")),
    path("planner/proposals/", include("proposals.planner_urls")),
    path("proposals/", include("proposals.urls")),
    path("polls/", include("polls.urls")),
    path("legislation/", include("legislation.urls")),
    path("budgets/", include("budgets.urls")),
    path("", include("participation.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
