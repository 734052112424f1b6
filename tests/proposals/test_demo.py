import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from taggit.models import TaggedItem

from participation.models import Comment, Competence, Follow
from participation.thai_dates import BE_OFFSET
from proposals.demo import DEMO_PROPOSALS, proposals_demo_load
from proposals.models import Proposal, Support
from proposals.permissions import archived_before, is_archived, is_open
from proposals.selectors import proposal_list
from proposals.services import support_threshold

pytestmark = pytest.mark.django_db

MODELS = [Proposal, Support, Comment, TaggedItem, Follow]


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "proposal history": Proposal.history.count(),
    }


def test_loading_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = row_counts()
    snapshot = list(Proposal.objects.order_by("pk").values())
    call_command("load_demo")
    assert row_counts() == first
    assert list(Proposal.objects.order_by("pk").values()) == snapshot
    assert first["Proposal"] == len(DEMO_PROPOSALS) >= 10
    assert proposals_demo_load() == 0
    out = capsys.readouterr().out
    assert f"Demo proposals: {len(DEMO_PROPOSALS)} added now" in out
    assert f"Demo proposals: 0 added now, {len(DEMO_PROPOSALS)} in all." in out


def test_every_state_is_shown():
    call_command("load_demo")
    published = Proposal.objects.filter(status=Proposal.Status.PUBLISHED)
    open_ = [p for p in published if is_open(p)]
    assert Proposal.objects.filter(status=Proposal.Status.DRAFT, reference__isnull=True).exists()
    assert any(p.successful_at is None for p in open_), "an open proposal not yet successful"
    successful = [p for p in open_ if p.successful_at is not None]
    assert successful
    assert all(p.supports_count >= support_threshold() for p in successful)
    assert Proposal.objects.filter(outcome=Proposal.Outcome.DEVELOPMENT_PLAN).exclude(
        outcome_note=""
    )
    archived = [p for p in published if is_archived(p)]
    assert len(archived) == 1
    # Its reference carries the Buddhist-era year it was published in.
    year = timezone.localtime(archived[0].published_at).year + BE_OFFSET
    assert archived[0].reference.startswith(f"RK-{year}-")
    assert list(proposal_list(order="archived")) == archived
    retired = Proposal.objects.get(status=Proposal.Status.RETIRED)
    assert retired.retired_reason == Proposal.RetiredReason.STARTED
    assert retired.retired_explanation and retired.retired_at
    assert retired.retired_at > retired.published_at
    outside = Proposal.objects.get(competence=Competence.OUTSIDE)
    assert "กรมเจ้าท่า" in outside.responsible_agency
    assert outside.competence_screened_at > outside.published_at
    partly = Proposal.objects.get(competence=Competence.PARTLY)
    assert partly.responsible_agency
    assert Proposal.objects.filter(competence=Competence.WITHIN).count() >= 2
    assert (
        Proposal.objects.filter(competence=Competence.UNSCREENED)
        .exclude(status=Proposal.Status.DRAFT)
        .exists()
    )


def test_counters_equal_the_rows_and_dates_are_in_order():
    call_command("load_demo")
    proposal_type = ContentType.objects.get_for_model(Proposal)
    supports = dict(
        Support.objects.values("proposal").annotate(n=Count("pk")).values_list("proposal", "n")
    )
    assert sum(supports.values()) > 0
    for proposal in Proposal.objects.all():
        assert proposal.supports_count == supports.get(proposal.pk, 0)
        comments = Comment.objects.filter(content_type=proposal_type, object_id=proposal.pk)
        assert proposal.comments_count == comments.count()
        assert 1 <= proposal.tags.count() <= 3
        if proposal.published_at:
            assert proposal.created_at < proposal.published_at
            first = proposal.supports.order_by("created_at").first()
            if first:
                assert first.created_at > proposal.published_at
            for comment in comments:
                assert comment.created_at > proposal.published_at
    # Supports carry the supporter's class and community, as support_add records them.
    assert not Support.objects.filter(voter_class="").exists()
    assert Comment.objects.filter(content_type=proposal_type, is_official=True).exists()
    issues = set(Proposal.objects.values_list("strategic_issue__slug", flat=True))
    assert issues == {
        "nong-mon-creative-economy",
        "sustainable-bang-saen-beach",
        "clean-water-less-waste",
    }
    # The open lists leave out the archived, the retired and the draft.
    listed = set(proposal_list(order="new").values_list("pk", flat=True))
    assert not Proposal.objects.filter(pk__in=listed, published_at__lt=archived_before()).exists()
    assert not Proposal.objects.filter(pk__in=listed).exclude(status="published").exists()
