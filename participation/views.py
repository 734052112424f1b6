from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from participation.selectors import strategic_issue_list


def home(request):
    return render(request, "participation/home.html", {"issues": strategic_issue_list()})


def healthz(request):
    """For load balancers and docker-compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
