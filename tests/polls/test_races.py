"""Requests at the same instant against PostgreSQL: one vote per person, none lost at the close,
never more paper ballots than the booth's roll."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from polls.models import Answer, Ballot, Envelope, RollEntry
from polls.selectors import poll_tally
from polls.services import poll_envelopes_open, poll_results_compute
from tests.factories import CensusRecordFactory, CitizenFactory, national_id
from tests.polls.factories import (
    BoothFactory,
    close,
    mark_at_booth,
    officer,
    poll_with_questions,
    post_data,
)
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_ballots_and_repeated_submissions_count_exactly():
    poll = poll_with_questions()
    voters = CitizenFactory.create_batch(200)
    # Half stand on a census record, so the roll's second constraint is raced too.
    for voter in voters[::2]:
        CensusRecordFactory(user=voter, community=voter.residence_community)
    url = reverse("polls:vote", args=[poll.pk])
    data = {voter.pk: post_data(poll, pick=index % 2) for index, voter in enumerate(voters)}
    statuses = []
    # Waves of at most 80, because each request holds its own connection and this PostgreSQL
    # allows 100: 60 people, and 20 of those same people sending again at the same instant.
    for start in range(0, len(voters), 60):
        wave = voters[start : start + 60]
        requests = [(voter, url, data[voter.pk]) for voter in wave]
        requests += [(voter, url, data[voter.pk]) for voter in wave[:20]]
        statuses += race(requests)
    assert len(statuses) == 200 + 20 * 4
    assert all(status == 302 for status in statuses), statuses

    assert RollEntry.objects.filter(poll=poll).count() == 200
    assert RollEntry.objects.filter(poll=poll).values("user").distinct().count() == 200
    assert Envelope.objects.filter(poll=poll).count() == 200
    close(poll)
    assert poll_envelopes_open(poll=poll) == 200
    assert Ballot.objects.filter(poll=poll).count() == 200
    # Each ballot: one single choice and two multiple choices; the empty text is not stored.
    assert Answer.objects.filter(ballot__poll=poll).count() == 600
    per_ballot = Ballot.objects.filter(poll=poll).annotate(n=Count("answers"))
    assert set(per_ballot.values_list("n", flat=True)) == {3}
    single = poll.questions.first()
    first, second = single.options.all()
    assert Answer.objects.filter(option=first).count() == 100
    assert Answer.objects.filter(option=second).count() == 100
    tally = poll_tally(poll)
    assert tally["ballots"] == tally["voters"] == 200
    assert [o["votes"] for o in tally["questions"][0]["options"]] == [100, 100]


def test_same_person_online_and_at_the_booth_at_once_is_counted_once():
    poll = poll_with_questions()
    pairs = []
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    for serial in range(30):
        voter = CitizenFactory()
        CensusRecordFactory(
            user=voter, community=voter.residence_community, national_id=national_id(9000 + serial)
        )
        pairs.append((voter, reverse("polls:vote", args=[poll.pk]), post_data(poll)))
        pairs.append(
            (
                person,
                reverse("polls:booth", args=[booth.pk]),
                {"national_id": national_id(9000 + serial), "mark": "1"},
            )
        )
    statuses = race(pairs)
    assert all(status in (200, 302) for status in statuses), statuses
    assert RollEntry.objects.filter(poll=poll).count() == 30
    online = RollEntry.objects.filter(poll=poll, channel="online").count()
    assert Envelope.objects.filter(poll=poll).count() == online


def test_voters_casting_while_the_count_opens_the_box_are_counted_or_refused_none_lost(
    monkeypatch,
):
    """The close and the count happen while 60 people send their ballot. Each is either on the
    roll with their ballot in the box, or told the poll has closed with nothing written."""
    poll = poll_with_questions()
    # The clock passes the close when the count thread says so, as it would at the hour.
    clock = {"closed": False}
    real_now = timezone.now
    monkeypatch.setattr(
        timezone,
        "now",
        lambda: poll.closes_at + datetime.timedelta(seconds=1) if clock["closed"] else real_now(),
    )
    voters = CitizenFactory.create_batch(60)
    url = reverse("polls:vote", args=[poll.pk])
    barrier = threading.Barrier(len(voters) + 1)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def vote(voter, index):
        client = Client()
        client.force_login(voter)
        barrier.wait()
        try:
            body = client.post(url, post_data(poll, pick=index % 2), follow=True).content.decode()
            if "Your secret ballot has been counted" in body:
                outcomes[voter.pk] = "counted"
            elif "This poll has closed." in body:
                outcomes[voter.pk] = "refused"
            else:
                outcomes[voter.pk] = "unclear"
        except BaseException as error:  # a 500 for that person
            errors.append(error)
        finally:
            connection.close()

    def close_and_count():
        barrier.wait()
        try:
            # The close comes once a third are in, while the others are still on their way.
            for _ in range(2000):
                if RollEntry.objects.filter(poll=poll).count() >= 20:
                    break
                time.sleep(0.01)
            clock["closed"] = True
            poll_results_compute(poll=poll)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(v, n)) for n, v in enumerate(voters)]
    threads.append(threading.Thread(target=close_and_count))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert len(outcomes) == 60 and "unclear" not in outcomes.values()
    counted = {pk for pk, outcome in outcomes.items() if outcome == "counted"}
    assert len(counted) >= 20
    on_roll = set(RollEntry.objects.filter(poll=poll).values_list("user_id", flat=True))
    assert on_roll == counted
    # Every envelope was opened by the count: a ballot cast before it is in the box.
    assert not Envelope.objects.filter(poll=poll).exists()
    assert Ballot.objects.filter(poll=poll).count() == len(counted)
    result = poll.result
    assert result.data["ballots"] == result.data["voters"] == len(counted)
    assert result.data["reconciliation"][0]["difference"] == 0


def test_two_officers_entering_paper_ballots_at_once_never_exceed_the_roll():
    poll = poll_with_questions()
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second])
    mark_at_booth(booth, 5)
    close(poll)
    url = reverse("polls:booth_ballots", args=[booth.pk])
    requests = [(first, url, post_data(poll, pick=0))] * 8
    requests += [(second, url, post_data(poll, pick=1))] * 8
    statuses = race(requests)
    assert 500 not in statuses, statuses
    assert Ballot.objects.filter(booth=booth).count() == 5
    assert poll_envelopes_open(poll=poll) == 0
    assert poll_tally(poll)["reconciliation"][1]["difference"] == 0


def test_a_double_click_on_mark_marks_the_person_once():
    poll = poll_with_questions()
    person = officer()
    booth = BoothFactory(poll=poll, officers=[person])
    CensusRecordFactory(national_id=national_id(4321))
    url = reverse("polls:booth", args=[booth.pk])
    statuses = race([(person, url, {"national_id": national_id(4321), "mark": "1"})] * 8)
    assert 500 not in statuses, statuses
    assert RollEntry.objects.filter(poll=poll, booth=booth).count() == 1
