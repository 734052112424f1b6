from django.urls import path

from participation import interaction_views as views

app_name = "participation"

# Content is addressed as <app_label.model_name>/<pk> (e.g. debates.debate/7), so one set of
# views serves every stage; see interaction_views.target_or_404 for what may be addressed.
urlpatterns = [
    path("vote/<str:label>/<int:pk>/", views.vote, name="vote"),
    path("declare/<str:label>/<int:pk>/", views.declare, name="declare"),
    path("comment/<str:label>/<int:pk>/", views.comment, name="comment"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("flag/<str:label>/<int:pk>/", views.flag, name="flag"),
    path("follow/<str:label>/<int:pk>/", views.follow, name="follow"),
    path("unfollow/<str:label>/<int:pk>/", views.unfollow, name="unfollow"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
