import pytest
from django.db import IntegrityError

from participation.models import Vote
from participation.services import vote_cast
from tests.factories import CitizenFactory, DebateFactory

pytestmark = pytest.mark.django_db


def test_a_vote_whose_rival_insert_was_taken_back_meanwhile_is_still_recorded(monkeypatch):
    """Seen in CI on PostgreSQL: a double click's insert loses to a simultaneous one, which a
    third request takes back before the loser reads it. The loser must try again, not fail."""
    debate, voter = DebateFactory(), CitizenFactory()
    original_create = Vote.objects.create
    calls = []

    def lose_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return original_create(**kwargs)

    monkeypatch.setattr(Vote.objects, "create", lose_once)
    vote = vote_cast(user=voter, target=debate, value=1)
    debate.refresh_from_db()
    assert vote.value == 1 and len(calls) == 2
    assert (debate.cached_votes_up, debate.cached_votes_down) == (1, 0)
