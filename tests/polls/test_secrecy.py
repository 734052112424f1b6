"""The attacker of the secret ballot, after the close, with the whole database (tests.secrecy).

Forty-two people of one class and one community vote online through the real page, each a
different ballot. The poll closes and is counted as the beat task would. Then every link the
database keeps (transaction ids, physical order, key order, the time on the roll) is tried: none
pairs people with their ballots better than chance. Runs on PostgreSQL and on SQLite.
"""

from itertools import combinations

import pytest
from django.db import connection, models
from django.urls import reverse

from polls.models import Answer, Ballot, Envelope, Question, RollEntry
from polls.services import poll_results_due
from tests.factories import CensusRecordFactory, CitizenFactory, CommunityFactory
from tests.polls.factories import OptionFactory, PollFactory, QuestionFactory, close
from tests.secrecy import SCORE_LIMIT, attack, positions

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 42


def distinct_ballots(poll, count):
    """`count` different ballots: a yes/no answer and a different set of six options each."""
    yes_no = QuestionFactory(poll=poll, order=1)
    yes, no = OptionFactory(question=yes_no), OptionFactory(question=yes_no)
    pick = QuestionFactory(poll=poll, order=2, kind=Question.Kind.MULTIPLE)
    options = [OptionFactory(question=pick) for _ in range(6)]
    subsets = [s for size in (1, 2, 3) for s in combinations(options, size)]
    ballots = []
    for n in range(count):
        chosen = subsets[n % len(subsets)]
        answer = (yes, no)[n // len(subsets)]
        ballots.append(
            {
                f"question_{yes_no.pk}": str(answer.pk),
                f"question_{pick.pk}": [str(o.pk) for o in chosen],
            }
        )
    return ballots


def content_of(data) -> frozenset:
    """The options a ballot form's POST chooses."""
    return frozenset(
        int(v) for value in data.values() for v in (value if isinstance(value, list) else [value])
    )


def test_nothing_the_database_keeps_links_a_voter_to_their_ballot(client):
    home = CommunityFactory()
    poll = PollFactory(communities=[home])
    ballots = distinct_ballots(poll, VOTERS)
    assert len({content_of(b) for b in ballots}) == VOTERS
    url = reverse("polls:vote", args=[poll.pk])
    voted = {}
    for data in ballots:
        voter = CitizenFactory(residence_community=home)
        CensusRecordFactory(user=voter, community=home)
        client.force_login(voter)
        assert client.post(url, data).status_code == 302
        voted[voter.pk] = content_of(data)
    close(poll)
    assert poll_results_due() == 1

    # What the attacker holds: the roll, and the box without a single envelope left.
    assert not Envelope.objects.exists()
    if connection.vendor == "postgresql":
        # Rewritten after the count: not even dead row versions of the envelopes remain.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('polls_envelope')")
            assert cursor.fetchone()[0] == 0
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
    roll = RollEntry.objects.filter(poll=poll)
    assert roll.count() == VOTERS
    # Same class and community for everyone: those columns cannot help.
    assert set(Ballot.objects.filter(poll=poll).values_list("voter_class", "community")) == {
        ("affected_citizen", home.pk)
    }
    contents: dict = {}
    for ballot_id, option_id in Answer.objects.filter(ballot__poll=poll).values_list(
        "ballot_id", "option_id"
    ):
        contents.setdefault(ballot_id, set()).add(option_id)
    ballot_of = {frozenset(c): ballot_id for ballot_id, c in contents.items()}
    truth = {entry.pk: ballot_of[voted[entry.user_id]] for entry in roll}
    voted_at = dict(roll.values_list("pk", "voted_at"))
    roll_positions = positions(roll)

    scores = attack(
        roll=roll_positions,
        ballots=positions(Ballot.objects.filter(poll=poll)),
        truth=truth,
        roll_order={"time of voting": lambda k: (voted_at[k], k)},
    )
    # The answers too: one per ballot (its yes/no), keyed by the ballot it belongs to.
    first_answers = Answer.objects.filter(ballot__poll=poll, question__order=1)
    answer_positions = positions(first_answers)
    answer_ballot = dict(first_answers.values_list("pk", "ballot_id"))
    answer_of = {answer_ballot[k]: k for k in answer_positions}
    answer_scores = attack(
        roll=roll_positions,
        ballots={answer_of[b]: answer_positions[answer_of[b]] for b in answer_of},
        truth={person: answer_of[ballot] for person, ballot in truth.items()},
        roll_order={"time of voting": lambda k: (voted_at[k], k)},
    )
    assert len(scores) >= 6 and len(answer_scores) >= 6
    for name, score in {**scores, **{f"answers: {k}": v for k, v in answer_scores.items()}}.items():
        assert score < SCORE_LIMIT, f"{name} pairs {score} of {VOTERS} voters with their ballot"


def test_the_box_has_no_column_that_leads_to_a_person_or_a_time():
    personal = {"User", "RollEntry", "CensusRecord", "Envelope"}
    for model in (Ballot, Answer, Envelope):
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None and field.concrete:
                assert field.related_model.__name__ not in personal or (
                    model is Answer and field.related_model is Ballot
                ), f"{model.__name__}.{field.name} points at {field.related_model.__name__}"
            assert not isinstance(field, (models.DateField, models.TimeField)), (
                f"{model.__name__}.{field.name} is a time"
            )
        assert isinstance(model._meta.pk, models.UUIDField)
    # The envelope holds the poll and the sealed bytes, nothing else.
    assert {f.name for f in Envelope._meta.concrete_fields} == {"id", "poll", "sealed"}
    # Nothing else in the database points at the box's rows but the box itself.
    for model in (Ballot, Answer, Envelope):
        for relation in model._meta.related_objects:
            assert relation.related_model in (Ballot, Answer), relation


def test_paper_ballots_entered_in_the_order_of_the_roll_are_mixed_by_the_count():
    """The worst box: officers take the paper ballots out in exactly the order people were
    marked at the booth. The count re-inserts them in a random order under fresh keys."""
    from polls.services import booth_ballot_enter, booth_confirm
    from tests.polls.factories import BoothFactory, mark_at_booth, officer

    home = CommunityFactory()
    poll = PollFactory(communities=[home])
    ballots = distinct_ballots(poll, VOTERS)
    first, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[first, second])
    marked = mark_at_booth(booth, VOTERS, community=home)
    close(poll)
    entered = []
    for data in ballots:
        choices: dict = {}
        for key, value in data.items():
            question = int(key.removeprefix("question_"))
            choices[question] = [int(v) for v in (value if isinstance(value, list) else [value])]
        entered.append(booth_ballot_enter(officer=first, booth=booth, choices=choices).pk)
        # What the attacker would pair them by, were they not mixed: the order of entry.
    booth_confirm(officer=second, booth=booth)
    assert poll_results_due() == 1

    assert not Ballot.objects.filter(pk__in=entered).exists(), "entered rows kept their keys"
    contents: dict = {}
    for ballot_id, option_id in Answer.objects.filter(ballot__poll=poll).values_list(
        "ballot_id", "option_id"
    ):
        contents.setdefault(ballot_id, set()).add(option_id)
    ballot_of = {frozenset(c): ballot_id for ballot_id, c in contents.items()}
    truth = {
        entry.pk: ballot_of[content_of(data)] for entry, data in zip(marked, ballots, strict=True)
    }
    roll = RollEntry.objects.filter(poll=poll)
    voted_at = dict(roll.values_list("pk", "voted_at"))
    scores = attack(
        roll=positions(roll),
        ballots=positions(Ballot.objects.filter(poll=poll)),
        truth=truth,
        roll_order={"time of voting": lambda k: (voted_at[k], k)},
    )
    for name, score in scores.items():
        assert score < SCORE_LIMIT, f"{name} pairs {score} of {VOTERS} paper ballots"
