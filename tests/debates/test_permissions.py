import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from debates.permissions import can_edit_debate, can_start_debate
from tests.factories import DebateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anyone_signed_in_and_active_may_start_a_debate():
    assert can_start_debate(UserFactory())
    refused = can_start_debate(AnonymousUser())
    assert not refused and "Sign in" in str(refused.reason)


def test_a_blocked_or_inactive_account_may_not_start_a_debate():
    assert not can_start_debate(UserFactory(is_active=False))
    blocked = UserFactory()
    blocked.blocked_at = timezone.now()
    assert not can_start_debate(blocked)


@pytest.fixture
def vote_limit(settings):
    settings.DEBATE_EDIT_VOTE_LIMIT = 2
    return 2


def test_the_author_may_edit_under_the_vote_limit(vote_limit):
    debate = DebateFactory(cached_votes_up=1)
    assert can_edit_debate(debate.author, debate)


def test_the_author_may_not_edit_at_the_vote_limit(vote_limit):
    debate = DebateFactory(cached_votes_up=1, cached_votes_down=1)
    refused = can_edit_debate(debate.author, debate)
    assert not refused
    assert "no longer be edited" in str(refused.reason)


def test_nobody_else_may_edit(vote_limit):
    debate = DebateFactory()
    staff = UserFactory(is_staff=True)
    for user in (UserFactory(), staff, AnonymousUser()):
        refused = can_edit_debate(user, debate)
        assert not refused and "Only the author" in str(refused.reason)
