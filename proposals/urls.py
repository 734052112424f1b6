from django.urls import path

from proposals import views

app_name = "proposals"
# The literal paths come before <str:key>/, which would otherwise take "new" and "mine" as keys.
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create_view, name="create"),
    path("mine/", views.mine, name="mine"),
    path("<str:key>/", views.proposal_detail, name="detail"),
    path("<str:key>/edit/", views.proposal_edit, name="edit"),
    path("<str:key>/preview/", views.proposal_preview, name="preview"),
    path("<str:key>/publish/", views.proposal_publish_view, name="publish"),
    path("<str:key>/support/", views.support, name="support"),
    path("<str:key>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:key>/retire/", views.retire, name="retire"),
    path("<str:key>/updates/", views.update_send, name="update_send"),
]
