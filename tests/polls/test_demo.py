import pytest
from django.utils import translation

from participation.demo import ROLE_ACCOUNTS, demo_load
from polls.demo import CLOSED_TITLE, OPEN_TITLE, PAPER_BALLOTS, polls_demo_load
from polls.models import Ballot, Booth, BoothTotal, Envelope, Poll, PollResult, RollEntry

pytestmark = pytest.mark.django_db

MODELS = [Poll, Booth, RollEntry, Envelope, Ballot, BoothTotal, PollResult]


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
    # The open poll's ballots wait sealed; the closed poll's were opened into the box.
    online = open_poll.roll.filter(channel="online").count()
    assert online and Envelope.objects.filter(poll=open_poll).count() == online
    assert not Ballot.objects.filter(poll=open_poll).exists()
    assert not Envelope.objects.filter(poll=closed).exists()
    assert closed.roll.filter(channel="booth").count() == len(PAPER_BALLOTS) == 6

    result = closed.result
    assert result.published_at is not None and len(result.ballot_box_sha256) == 64
    online_row, booth_row = result.data["reconciliation"]
    assert (
        online_row["on_roll"]
        == online_row["counted"]
        == closed.roll.filter(channel="online").count()
    )
    assert (booth_row["on_roll"], booth_row["counted"], booth_row["confirmed"]) == (6, 6, True)
    booth = Booth.objects.get(poll=closed)
    assert booth.count_confirmed_by not in booth.counted_by.all()
    officer = Booth.objects.filter(poll=open_poll).get().officers.get()
    assert officer.email == ROLE_ACCOUNTS["poll officer"]
    with translation.override("th"):
        page = client.get(f"/th/polls/{closed.pk}/results/")
        assert page.status_code == 200
        body = page.content.decode()
        assert result.ballot_box_sha256 in body
        assert f"/th/polls/{closed.pk}/ballots.csv" in body
        assert booth.name in body  # the reconciliation table
        assert client.get(f"/th/polls/{closed.pk}/ballots.csv").status_code == 200
        assert client.get("/th/polls/").status_code == 200
