"""The support eligibility matrix: person × archive state × threshold state × proposal state."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from accounts.models import VoterClass
from accounts.services import interest_declare
from proposals.models import Proposal
from proposals.permissions import can_support, can_withdraw_support
from tests.factories import CitizenFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


PERSONS = ["anonymous", "citizen", "resident", "interested", "concerned", "no class"]
ARCHIVE = ["open", "archived"]
THRESHOLD = ["below", "reached"]
STATES = ["published", "draft", "retired", "hidden"]


def person(kind: str, proposal: Proposal):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "citizen":
        return CitizenFactory()
    if kind == "resident":
        return ResidentFactory()
    user = UserFactory()
    if kind in ("interested", "concerned"):
        interest_declare(user=user, matter=proposal, voter_class=VoterClass(kind))
    return user


def proposal_in(state: str, archive: str, threshold: str) -> Proposal:
    now = timezone.now()
    published_at = now - timedelta(days=400 if archive == "archived" else 3)
    return Proposal.objects.create(
        author=UserFactory(),
        title="ลานกีฬาชุมชน",
        summary="ลานกีฬาสำหรับเด็ก",
        description="<p>ลานกีฬา</p>",
        status={"draft": "draft", "retired": "retired"}.get(state, "published"),
        reference=None if state == "draft" else f"RK-2569-{Proposal.objects.count() + 1:04d}",
        published_at=None if state == "draft" else published_at,
        retired_reason="done" if state == "retired" else "",
        hidden_at=now if state == "hidden" else None,
        supports_count=5 if threshold == "reached" else 0,
        successful_at=now if threshold == "reached" else None,
    )


def expected_reason(kind: str, state: str, archive: str) -> str | None:
    """The rule, written out independently of the code under test."""
    if kind == "anonymous":
        return "Sign in"
    if state == "draft":
        return "not published"
    if state == "retired":
        return "retired"
    if state == "hidden":
        return "hidden"
    if archive == "archived":
        return "archived"
    if kind in ("citizen", "resident"):
        return None
    return "Only people verified"


@pytest.mark.parametrize(
    "kind,state,archive,threshold", list(itertools.product(PERSONS, STATES, ARCHIVE, THRESHOLD))
)
def test_support_matrix(settings, kind, state, archive, threshold):
    settings.PROPOSAL_ARCHIVE_MONTHS = 12
    proposal = proposal_in(state, archive, threshold)
    decision = can_support(person(kind, proposal), proposal)
    reason = expected_reason(kind, state, archive)
    if reason is None:
        assert decision.allowed, decision.reason
    else:
        assert not decision.allowed and reason in str(decision.reason)


def test_supporting_twice_is_refused_with_a_reason():
    proposal = proposal_in("published", "open", "below")
    decision = can_support(CitizenFactory(), proposal, supported=True)
    assert not decision and "already support" in str(decision.reason)


def test_admitted_classes_are_a_setting(settings):
    settings.PROPOSAL_SUPPORT_CLASSES = ["affected_citizen", "interested"]
    proposal = proposal_in("published", "open", "below")
    assert can_support(person("interested", proposal), proposal)
    assert not can_support(person("resident", proposal), proposal)


@pytest.mark.parametrize("archive", ARCHIVE)
@pytest.mark.parametrize("state", STATES)
def test_withdrawal_only_while_open(state, archive):
    proposal = proposal_in(state, archive, "below")
    decision = can_withdraw_support(CitizenFactory(), proposal, supported=True)
    assert decision.allowed == (state == "published" and archive == "open")
    assert not can_withdraw_support(CitizenFactory(), proposal, supported=False)
