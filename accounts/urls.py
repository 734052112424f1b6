from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("verify/", views.verify, name="verify"),
    path("verify/resident/", views.resident_claim, name="resident_claim"),
    path("delete/", views.account_delete, name="delete"),
]
