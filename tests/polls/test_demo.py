import pytest
from django.utils import translation

from participation.demo import ROLE_ACCOUNTS, demo_load
from polls.demo import CLOSED_TITLE, OPEN_TITLE, polls_demo_load
from polls.models import Ballot, Booth, BoothTotal, Poll, PollResult, RollEntry

pytestmark = pytest.mark.django_db

MODELS = [Poll, Booth, RollEntry, Ballot, BoothTotal, PollResult]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_polls_load_once_with_an_open_poll_published_results_and_booths(client):
    demo_load()
    assert polls_demo_load() == 2
    first = counts()
    demo_load()
    assert polls_demo_load() == 0
    assert counts() == first

    open_poll = Poll.objects.get(title=OPEN_TITLE)
    closed = Poll.objects.get(title=CLOSED_TITLE)
    assert open_poll.is_open() and closed.is_closed()
    assert open_poll.roll.exists()
    assert closed.roll.filter(channel="booth").count() == 6
    assert closed.result.published_at is not None
    assert closed.result.data["by_channel"]["booth_count"] == 12
    officer = Booth.objects.filter(poll=open_poll).get().officers.get()
    assert officer.email == ROLE_ACCOUNTS["poll officer"]
    with translation.override("th"):
        assert client.get(f"/th/polls/{closed.pk}/results/").status_code == 200
        assert client.get("/th/polls/").status_code == 200
