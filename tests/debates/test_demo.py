import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from taggit.models import Tag, TaggedItem

from accounts.models import InterestDeclaration, Residence, User
from debates.demo import DEMO_DEBATES, RESIDENTS, debates_demo_load
from debates.models import Debate
from debates.selectors import debate_list
from participation.demo import STAFF_EMAIL
from participation.models import Comment, Follow, Vote

pytestmark = pytest.mark.django_db

MODELS = [Debate, Comment, Vote, User, Tag, TaggedItem, InterestDeclaration, Follow]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "debate history": Debate.history.count(),
        "user history": User.history.count(),
    }


def test_loading_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = row_counts()
    call_command("load_demo")
    assert row_counts() == first
    assert first["Debate"] == len(DEMO_DEBATES) >= 8
    assert debates_demo_load() == 0
    out = capsys.readouterr().out
    assert f"Demo debates: {len(DEMO_DEBATES)} added now" in out
    assert f"Demo debates: 0 added now, {len(DEMO_DEBATES)} in all." in out


def test_cached_counters_equal_the_rows():
    call_command("load_demo")
    for model in (Debate, Comment):
        content_type = ContentType.objects.get_for_model(model)
        for item in model.objects.all():
            votes = Vote.objects.filter(content_type=content_type, object_id=item.pk)
            assert item.cached_votes_up == votes.filter(value=1).count()
            assert item.cached_votes_down == votes.filter(value=-1).count()
    debate_type = ContentType.objects.get_for_model(Debate)
    for debate in Debate.objects.all():
        comments = Comment.objects.filter(content_type=debate_type, object_id=debate.pk)
        assert debate.comments_count == comments.count()
        assert 2 <= debate.comments_count <= 6
        assert 1 <= debate.tags.count() <= 3
        assert debate.cached_votes_total > 0


def test_threads_official_answers_and_voter_classes():
    call_command("load_demo")
    official = Comment.objects.filter(is_official=True)
    assert official.exists()
    assert set(official.values_list("author__email", flat=True)) == {STAFF_EMAIL}
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Comment.objects.filter(depth__gte=2).exists()
    for reply in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert reply.root_id == (reply.parent.root_id or reply.parent_id)
        assert reply.created_at > reply.parent.created_at
    emails = [resident.email for resident in RESIDENTS.values()]
    residents = User.objects.filter(email__in=emails)
    assert residents.count() == len(RESIDENTS)
    assert residents.filter(residence=Residence.CITIZEN).exists()
    assert residents.filter(residence="").exists()
    # Every vote carries the class its voter held, declared where not affected.
    assert not Vote.objects.filter(voter_class="").exists()
    assert InterestDeclaration.objects.filter(user__residence="").exists()


def test_featured_issues_and_orders():
    call_command("load_demo")
    assert Debate.objects.filter(is_featured=True).count() == 1
    issues = set(Debate.objects.values_list("strategic_issue__slug", flat=True))
    assert issues == {
        "nong-mon-creative-economy",
        "sustainable-bang-saen-beach",
        "clean-water-less-waste",
    }
    assert Debate.objects.values("community").distinct().count() >= 5
    newest = list(debate_list(order="new").values_list("pk", flat=True))
    hottest = list(debate_list(order="hot").values_list("pk", flat=True))
    assert newest != hottest
