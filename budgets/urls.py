from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_list, name="list"),
    path("valuation/", views.valuation_queue, name="valuation_queue"),
    path("<int:pk>/", views.budget_detail, name="detail"),
    path("<int:pk>/execution/", views.execution, name="execution"),
    path("<int:pk>/stats/", views.stats, name="stats"),
    path("<int:pk>/export.csv", views.planner_export, name="export"),
    path("headings/<int:pk>/", views.heading_detail, name="heading"),
    path("headings/<int:pk>/propose/", views.investment_create_view, name="propose"),
    path("headings/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("headings/<int:pk>/ballot/add/", views.ballot_add, name="ballot_add"),
    path("headings/<int:pk>/ballot/remove/", views.ballot_remove, name="ballot_remove"),
    path("headings/<int:pk>/ballot/points/", views.ballot_points, name="ballot_points"),
    path("headings/<int:pk>/ballot/move/", views.ballot_move, name="ballot_move"),
    path("booths/<int:pk>/", views.booth, name="booth"),
    path("booths/<int:pk>/confirm/", views.booth_confirm, name="booth_confirm"),
    path("booths/<int:pk>/headings/<int:heading_pk>/roll/", views.booth_roll, name="booth_roll"),
    path("booths/<int:pk>/headings/<int:heading_pk>/paper/", views.booth_paper, name="booth_paper"),
    path("headings/<int:pk>/declare/", views.declare, name="declare"),
    path("headings/<int:pk>/results/", views.results, name="results"),
    path("headings/<int:pk>/pabulib.pb", views.pabulib_download, name="pabulib"),
    path("projects/<int:pk>/", views.investment_detail, name="investment"),
    path("projects/<int:pk>/valuate/", views.investment_valuate_view, name="valuate"),
    path("projects/<int:pk>/support/", views.support, name="support"),
    path("projects/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
