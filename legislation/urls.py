from django.urls import path

from legislation import views

app_name = "legislation"
urlpatterns = [
    path("", views.process_list, name="list"),
    path("<int:pk>/", views.process_detail, name="detail"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/proposals/", views.proposal_list, name="proposals"),
    path("<int:pk>/proposals/new/", views.proposal_create, name="proposal_create"),
    path(
        "<int:pk>/proposals/<int:proposal_pk>/support/",
        views.proposal_support,
        name="proposal_support",
    ),
    path("<int:pk>/draft/", views.draft, name="draft"),
    path("<int:pk>/draft/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/draft/<int:number>/annotate/", views.annotate, name="annotate"),
    path("<int:pk>/draft/compare/", views.compare, name="compare"),
    path("<int:pk>/annotations/<int:annotation_pk>/", views.annotation_detail, name="annotation"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/export.csv", views.export, name="export"),
]
