from django.urls import path

from proposals import planner_views

app_name = "proposals_planner"

urlpatterns = [
    path("", planner_views.export, name="export"),
]
