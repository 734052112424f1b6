from django.urls import path

from polls import views

app_name = "polls"
urlpatterns = [
    path("", views.poll_list, name="list"),
    path("booths/", views.booth_list, name="booths"),
    path("booths/<int:pk>/", views.booth, name="booth"),
    path("booths/<int:pk>/ballots/", views.booth_ballots, name="booth_ballots"),
    path("booths/<int:pk>/totals/", views.booth_totals, name="booth_totals"),
    path("booths/<int:pk>/confirm/", views.booth_count_confirm, name="booth_confirm"),
    path("<int:pk>/", views.poll_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/results.json", views.results_json, name="results_json"),
    path("<int:pk>/ballots.csv", views.ballots_csv, name="ballots_csv"),
    path("<int:pk>/ballots.json", views.ballots_json, name="ballots_json"),
]
