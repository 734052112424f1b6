from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal
from proposals.selectors import (
    proposal_by_reference_or_pk,
    proposal_list,
    support_split,
    user_supported_ids,
)
from tests.factories import (
    CitizenFactory,
    CommunityFactory,
    ProposalFactory,
    ResidentFactory,
    StrategicIssueFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def proposals():
    """One leader per order, plus an archived, a retired, a hidden and a draft proposal."""
    return {
        "hot": ProposalFactory(hot_score=50, published_at=ago(3)),
        "supported": ProposalFactory(supports_count=40, published_at=ago(2)),
        "new": ProposalFactory(published_at=ago(0)),
        "archived": ProposalFactory(supports_count=99, hot_score=99, published_at=ago(400)),
        "retired": ProposalFactory(
            status=Proposal.Status.RETIRED, retired_reason="done", hot_score=100
        ),
        "hidden": ProposalFactory(hidden_at=timezone.now(), hot_score=100),
        "draft": ProposalFactory(status="draft", reference=None, published_at=None),
    }


@pytest.mark.parametrize("order", ["hot", "supported", "new"])
def test_each_order_puts_its_leader_first_and_leaves_out_the_rest(proposals, order):
    result = list(proposal_list(order=order))
    assert result[0] == proposals[order]
    assert set(result) == {proposals["hot"], proposals["supported"], proposals["new"]}


def test_the_archived_order_shows_only_archived_ones_newest_first(proposals):
    older = ProposalFactory(published_at=ago(500))
    assert list(proposal_list(order="archived")) == [proposals["archived"], older]


def test_an_unknown_order_is_hot(proposals):
    assert list(proposal_list(order="drop table")) == list(proposal_list(order="hot"))


def test_filters():
    community = CommunityFactory()
    issue = StrategicIssueFactory()
    tagged = ProposalFactory(tags=["flooding"])
    local = ProposalFactory(community=community)
    on_issue = ProposalFactory(strategic_issue=issue)
    outside = ProposalFactory(competence="outside", responsible_agency="Chonburi Province")
    within = ProposalFactory(competence="within", successful_at=timezone.now())
    assert list(proposal_list(tag="flooding")) == [tagged]
    assert list(proposal_list(community=community.code)) == [local]
    assert list(proposal_list(strategic_issue=issue.slug)) == [on_issue]
    assert list(proposal_list(competence="outside")) == [outside]
    assert list(proposal_list(competence="within")) == [within]
    assert set(proposal_list(competence="unscreened")) == {tagged, local, on_issue}
    assert set(proposal_list(competence="bogus")) == {tagged, local, on_issue, outside, within}
    assert list(proposal_list(successful="1")) == [within]


def test_by_reference_or_pk(proposals):
    shown = proposals["new"]
    assert proposal_by_reference_or_pk(shown.reference) == shown
    assert proposal_by_reference_or_pk(shown.reference.lower()) == shown
    assert proposal_by_reference_or_pk(str(shown.pk)) == shown
    assert proposal_by_reference_or_pk(str(proposals["retired"].pk)) == proposals["retired"]
    for key in [str(proposals["hidden"].pk), str(proposals["draft"].pk), "junk", "0", "9" * 30]:
        with pytest.raises(Proposal.DoesNotExist):
            proposal_by_reference_or_pk(key)
    blocked = ProposalFactory(author=UserFactory(blocked_at=timezone.now()))
    with pytest.raises(Proposal.DoesNotExist):
        proposal_by_reference_or_pk(blocked.reference)


def test_a_draft_is_found_only_for_its_author(proposals):
    draft = proposals["draft"]
    assert proposal_by_reference_or_pk(str(draft.pk), user=draft.author) == draft
    with pytest.raises(Proposal.DoesNotExist):
        proposal_by_reference_or_pk(str(draft.pk), user=UserFactory())


def test_support_split_counts_by_class_and_community(django_assert_num_queries):
    proposal = ProposalFactory()
    community = CommunityFactory(name_en="Nong Mon")
    for _ in range(2):
        SupportFactory(proposal=proposal, user=CitizenFactory(residence_community=community))
    SupportFactory(
        proposal=proposal,
        user=ResidentFactory(residence_community=community),
        voter_class="affected_resident",
    )
    with django_assert_num_queries(2):
        split = support_split(proposal)
    assert split["total"] == 3
    by_class = {row["voter_class"]: row["count"] for row in split["by_class"]}
    assert by_class["affected_citizen"] == 2 and by_class["affected_resident"] == 1
    assert split["by_community"][0]["count"] == 3


def test_user_supported_ids_in_one_query(django_assert_num_queries):
    user = CitizenFactory()
    first, second = ProposalFactory(), ProposalFactory()
    SupportFactory(proposal=first, user=user)
    with django_assert_num_queries(1):
        assert user_supported_ids(user, [first, second]) == {first.pk}
