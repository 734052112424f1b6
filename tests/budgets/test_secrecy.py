"""The attacker of the budget's secret ballot: after the close and the count, with the whole
database, they try to pair the people on the roll with their ballots in the box. Every voter's
ballot is different and all share one class and community, so those columns cannot help; the
ballots are cast through the real pages. Runs on PostgreSQL (xmin, ctid) and on SQLite (rowid).
"""

import itertools

import pytest
from django.db import models
from django.urls import reverse

from accounts.models import CensusRecord, User
from budgets.models import Ballot, BallotLine, Envelope, RollEntry
from budgets.services import heading_results_compute
from tests.budgets.factories import InvestmentFactory, close, heading_in
from tests.factories import CitizenFactory, CommunityFactory
from tests.secrecy import SCORE_LIMIT, attack, positions

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 48
PROJECTS = 8


def _subsets(items, count):
    """`count` different non-empty subsets, small ones first (as real ballots mostly are)."""
    found = []
    for size in range(1, len(items) + 1):
        for subset in itertools.combinations(items, size):
            found.append(list(subset))
            if len(found) == count:
                return found
    raise AssertionError("not enough subsets")


def test_nobody_can_pair_the_roll_with_the_box(client):
    heading = heading_in("balloting", ballot_style="approval")
    projects = [InvestmentFactory(heading=heading, price=10) for _ in range(PROJECTS)]
    community = CommunityFactory()
    voters = [CitizenFactory(residence_community=community) for _ in range(VOTERS)]
    choices = _subsets([p.pk for p in projects], VOTERS)
    add = reverse("budgets:ballot_add", args=[heading.pk])
    remove = reverse("budgets:ballot_remove", args=[heading.pk])
    for voter, chosen in zip(voters, choices, strict=True):
        client.force_login(voter)
        for pk in chosen:
            assert client.post(add, {"investment": pk}).status_code == 302
        # Some change their mind: their envelope is rewritten, their place on the roll stays.
        if voter.pk % 3 == 0:
            client.post(add, {"investment": next(p.pk for p in projects if p.pk not in chosen)})
            client.post(remove, {"investment": next(p.pk for p in projects if p.pk not in chosen)})
    heading = close(heading)
    heading_results_compute(heading=heading)

    assert not Envelope.objects.exists()
    roll = {entry.pk: entry for entry in RollEntry.objects.filter(heading=heading)}
    assert len(roll) == VOTERS
    box = list(Ballot.objects.filter(heading=heading).prefetch_related("lines"))
    assert len(box) == VOTERS
    assert {(b.voter_class, b.community_id, b.channel) for b in box} == {
        ("affected_citizen", community.pk, "online")
    }
    by_content = {frozenset(line.investment_id for line in b.lines.all()): b.pk for b in box}
    chosen_by = {v.pk: frozenset(c) for v, c in zip(voters, choices, strict=True)}
    truth = {pk: by_content[chosen_by[entry.user_id]] for pk, entry in roll.items()}
    assert len(set(truth.values())) == VOTERS

    roll_positions = positions(RollEntry.objects.filter(heading=heading))
    roll_order = {
        "time of voting": lambda k: roll[k].voted_at,
        "account": lambda k: roll[k].user_id,
    }
    scores = attack(
        roll=roll_positions,
        ballots=positions(Ballot.objects.filter(heading=heading)),
        truth=truth,
        roll_order=roll_order,
    )
    assert scores and max(scores.values()) < SCORE_LIMIT, scores
    # The lines too: each ballot placed where its first line lies.
    line_positions = positions(BallotLine.objects.filter(ballot__heading=heading))
    first_line = {}
    for line in BallotLine.objects.filter(ballot__heading=heading).order_by("pk"):
        first_line.setdefault(line.ballot_id, line_positions[line.pk])
    scores = attack(roll=roll_positions, ballots=first_line, truth=truth, roll_order=roll_order)
    assert max(scores.values()) < SCORE_LIMIT, scores


@pytest.mark.parametrize("model", [Ballot, BallotLine])
def test_no_column_of_the_box_leads_to_a_person_or_a_time(model):
    people = {User, CensusRecord, RollEntry, Envelope}
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            assert field.related_model not in people, field
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField), (
            field
        )


def test_paper_ballots_entered_in_the_order_of_the_roll_are_mixed_by_the_count():
    """The worst box: officers take the paper ballots out in exactly the order people were
    marked at the booth. The count re-inserts them in a random order with new ids."""
    from budgets.services import booth_count_confirm_by, booth_paper_ballot_enter, booth_roll_mark
    from tests.budgets.factories import booth_of, poll_officer
    from tests.factories import CensusRecordFactory, national_id

    heading = heading_in("balloting", ballot_style="approval")
    projects = [InvestmentFactory(heading=heading, price=10) for _ in range(PROJECTS)]
    first, second = poll_officer(), poll_officer()
    booth = booth_of(heading.group.budget, first, second)
    community = CommunityFactory()
    marked = []
    for n in range(VOTERS):
        CensusRecordFactory(national_id=national_id(70_000 + n), community=community)
        marked.append(
            booth_roll_mark(
                officer=first, booth=booth, heading=heading, national_id=national_id(70_000 + n)
            )
        )
    heading = close(heading)
    choices = _subsets([p.pk for p in projects], VOTERS)
    entered = [
        booth_paper_ballot_enter(officer=first, booth=booth, heading=heading, investment_ids=c).pk
        for c in choices
    ]
    booth_count_confirm_by(officer=second, booth=booth)
    heading_results_compute(heading=heading)

    box = list(Ballot.objects.filter(heading=heading).prefetch_related("lines"))
    assert len(box) == VOTERS
    assert not {b.pk for b in box} & set(entered), "entered rows kept their ids"
    by_content = {frozenset(line.investment_id for line in b.lines.all()): b.pk for b in box}
    truth = {
        entry.pk: by_content[frozenset(chosen)]
        for entry, chosen in zip(marked, choices, strict=True)
    }
    voted_at = {entry.pk: entry.voted_at for entry in marked}
    scores = attack(
        roll=positions(RollEntry.objects.filter(heading=heading)),
        ballots=positions(Ballot.objects.filter(heading=heading)),
        truth=truth,
        roll_order={"time of voting": lambda k: (voted_at[k], k)},
    )
    assert scores and max(scores.values()) < SCORE_LIMIT, scores
