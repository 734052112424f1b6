import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from polls.models import PollResult
from polls.tasks import poll_results_compute, poll_results_due
from tests.polls.factories import PollFactory, close, poll_with_questions

pytestmark = pytest.mark.django_db


def test_beat_runs_the_task_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["poll-results"]
    assert entry["task"] == poll_results_due.name == "polls.tasks.poll_results_due"


def test_due_task_counts_each_closed_poll_once():
    now = timezone.now()
    closed = poll_with_questions(
        opens_at=now - datetime.timedelta(days=2), closes_at=now - datetime.timedelta(hours=1)
    )
    PollFactory()  # open
    PollFactory(opens_at=None, closes_at=None)  # draft
    assert poll_results_due.delay().get() == 1
    assert PollResult.objects.get().poll == closed
    assert poll_results_due.delay().get() == 0


def test_compute_task_on_demand_returns_the_ballots_counted():
    poll = close(poll_with_questions())
    assert poll_results_compute.delay(poll.pk).get() == 0
    assert PollResult.objects.filter(poll=poll).exists()


def test_compute_task_leaves_an_open_poll_uncounted_without_retrying(caplog):
    poll = poll_with_questions()
    assert poll_results_compute.delay(poll.pk).get() is None
    assert not PollResult.objects.exists()
    assert "counted after it closes" in caplog.text
