from django.urls import path

from debates import views

app_name = "debates"
urlpatterns = [
    path("", views.debate_list, name="list"),
    path("new/", views.debate_create_view, name="create"),
    path("<int:pk>/", views.debate_detail, name="detail"),
    path("<int:pk>/edit/", views.debate_edit, name="edit"),
]
