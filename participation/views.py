from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from participation.selectors import strategic_issue_list
from participation.stages import STAGES


def home(request):
    return render(
        request,
        "participation/home.html",
        {"issues": strategic_issue_list(), "stages": STAGES},
    )


def healthz(request):
    """For load balancers and docker-compose: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
