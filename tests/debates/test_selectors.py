from datetime import timedelta

import pytest
from django.utils import timezone

from debates.models import Debate
from debates.selectors import debate_detail, debate_list, debate_tag_suggestions
from tests.factories import CommunityFactory, DebateFactory, StrategicIssueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debates():
    """Four debates, each first by one order, and a featured one last by every order."""
    now = timezone.now()
    made = {
        "hot": DebateFactory(hot_score=50),
        "top": DebateFactory(confidence_score=9.5),
        "new": DebateFactory(),
        "comments": DebateFactory(comments_count=40),
        "featured": DebateFactory(is_featured=True, hot_score=-1, confidence_score=0),
    }
    ages = {"hot": 4, "top": 3, "new": 0, "comments": 2, "featured": 10}
    for key, debate in made.items():
        Debate.objects.filter(pk=debate.pk).update(created_at=now - timedelta(days=ages[key]))
    return made


@pytest.mark.parametrize("order", ["hot", "top", "new", "comments"])
def test_each_order_puts_featured_first_then_its_leader(debates, order):
    result = list(debate_list(order=order))
    assert result[0] == debates["featured"]
    assert result[1] == debates[order]
    assert len(result) == 5


def test_an_unknown_order_is_hot(debates):
    assert list(debate_list(order="drop table")) == list(debate_list(order="hot"))


def test_ties_fall_back_to_the_newest_id():
    first, second = DebateFactory(), DebateFactory()
    assert list(debate_list(order="hot")) == [second, first]


def test_filters_by_tag_community_and_strategic_issue():
    community = CommunityFactory()
    issue = StrategicIssueFactory()
    tagged = DebateFactory(tags=["flooding", "market"])
    local = DebateFactory(community=community)
    on_issue = DebateFactory(strategic_issue=issue)
    assert list(debate_list(order="new", tag="flooding")) == [tagged]
    assert list(debate_list(order="new", community=community.code)) == [local]
    assert list(debate_list(order="new", strategic_issue=issue.slug)) == [on_issue]
    assert list(debate_list(order="new", tag="flooding", community=community.code)) == []
    assert list(debate_list(order="new", tag="unknown")) == []
    assert set(debate_list(order="new")) == {tagged, local, on_issue}


def test_hidden_debates_and_those_of_blocked_authors_are_left_out():
    shown = DebateFactory()
    hidden = DebateFactory(hidden_at=timezone.now())
    blocked = DebateFactory(author=UserFactory(blocked_at=timezone.now()))
    assert list(debate_list(order="hot")) == [shown]
    assert debate_detail(shown.pk) == shown
    for debate in (hidden, blocked):
        with pytest.raises(Debate.DoesNotExist):
            debate_detail(debate.pk)


def test_tag_suggestions_are_the_most_used_tags_of_visible_debates():
    DebateFactory(tags=["market", "flooding"])
    DebateFactory(tags=["market", "ตลาด"])
    DebateFactory(tags=["market"])
    DebateFactory(tags=["secret", "flooding"], hidden_at=timezone.now())
    DebateFactory(tags=["secret"], author=UserFactory(blocked_at=timezone.now()))
    assert list(debate_tag_suggestions()) == ["market", "flooding", "ตลาด"]
    assert list(debate_tag_suggestions(limit=1)) == ["market"]
