import pytest
from django.utils import timezone

from debates.models import Debate
from debates.services import debate_create, debate_update
from participation.models import Follow
from participation.services import NotAllowed
from participation.tags import tags_normalise
from tests.factories import CommunityFactory, DebateFactory, StrategicIssueFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(**overrides) -> Debate:
    fields = {
        "author": UserFactory(),
        "title": "  ถนนคนเดินหนองมน  ",
        "description": "ชวนคุยเรื่องถนนคนเดิน",
        "tags": [],
    }
    return debate_create(**{**fields, **overrides})


def test_create_strips_the_title_sanitises_and_the_author_follows():
    community = CommunityFactory()
    issue = StrategicIssueFactory()
    debate = create(
        description='<p onclick="x()">Hello <script>alert(1)</script><b>town</b></p>',
        community=community,
        strategic_issue=issue,
    )
    debate.refresh_from_db()
    assert debate.title == "ถนนคนเดินหนองมน"
    assert debate.description == "<p>Hello <b>town</b></p>"
    assert (debate.community, debate.strategic_issue) == (community, issue)
    assert Follow.objects.filter(user=debate.author, object_id=debate.pk).exists()


def test_plain_text_keeps_its_paragraphs():
    debate = create(description="แรก\n\nสอง")
    assert debate.description == "<p>แรก</p><p>สอง</p>"


def test_tags_are_normalised_and_deduplicated():
    debate = create(tags=[" Flooding ", "flooding", "ตลาด", "", "Big   Market"])
    assert sorted(debate.tags.names()) == ["big market", "flooding", "ตลาด"]
    assert tags_normalise(["A", "a", " b "]) == ["a", "b"]


def test_seven_tags_are_refused():
    with pytest.raises(NotAllowed, match="at most 6 tags"):
        create(tags=[f"tag{n}" for n in range(7)])
    assert not Debate.objects.exists()


def test_a_tag_longer_than_40_characters_is_refused():
    with pytest.raises(NotAllowed, match="40 characters"):
        create(tags=["x" * 41])


def test_a_description_that_was_only_a_script_is_refused():
    with pytest.raises(NotAllowed, match="empty"):
        create(description="<script>alert(1)</script>")


def test_a_blocked_author_cannot_create():
    author = UserFactory()
    author.blocked_at = timezone.now()
    with pytest.raises(NotAllowed):
        create(author=author)


def test_the_author_updates_under_the_limit(settings):
    settings.DEBATE_EDIT_VOTE_LIMIT = 2
    debate = create(tags=["old"])
    Debate.objects.filter(pk=debate.pk).update(cached_votes_up=1)
    debate_update(
        user=debate.author,
        debate=debate,
        title=" New title ",
        description="<p>ok<script>x</script></p>",
        tags=["New", "ใหม่"],
    )
    debate.refresh_from_db()
    assert debate.title == "New title"
    assert debate.description == "<p>ok</p>"
    assert sorted(debate.tags.names()) == ["new", "ใหม่"]


def test_the_update_is_refused_at_the_limit_even_with_a_stale_copy(settings):
    settings.DEBATE_EDIT_VOTE_LIMIT = 2
    debate = create()
    # Votes arrived after the edit page was loaded: the service reads the row again.
    Debate.objects.filter(pk=debate.pk).update(cached_votes_up=1, cached_votes_down=1)
    with pytest.raises(NotAllowed, match="no longer be edited"):
        debate_update(user=debate.author, debate=debate, title="Changed")
    debate.refresh_from_db()
    assert debate.title == "ถนนคนเดินหนองมน"


def test_others_cannot_update():
    debate = DebateFactory()
    with pytest.raises(NotAllowed, match="Only the author"):
        debate_update(user=UserFactory(), debate=debate, title="Mine now")


def test_update_refuses_fields_it_does_not_own():
    debate = DebateFactory()
    with pytest.raises(TypeError):
        debate_update(user=debate.author, debate=debate, is_featured=True)
