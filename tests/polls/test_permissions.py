"""The eligibility matrix: voter class × community × time window × already voted."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import InterestDeclaration
from polls.models import Channel, RollEntry
from polls.permissions import (
    ALREADY_VOTED,
    CLASS_NOT_ADMITTED,
    CLOSED,
    DECLARE_FIRST,
    NOT_OPEN_YET,
    NOT_SIGNED_IN,
    NOT_VERIFIED,
    WRONG_COMMUNITY,
    ballot_eligibility,
    booth_eligibility,
    can_see_results,
)
from polls.services import poll_results_compute, poll_results_publish
from tests.factories import (
    CensusRecordFactory,
    CitizenFactory,
    CommunityFactory,
    ResidentFactory,
    UserFactory,
)
from tests.polls.factories import BoothFactory, PollFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
AFFECTED = ("affected_citizen", "affected_resident")
EVERYONE = ("affected_citizen", "affected_resident", "interested", "concerned")
OUTSIDERS = ("interested", "concerned")
CITIZENS = ("affected_citizen",)


@pytest.fixture
def home():
    return CommunityFactory()


def person(kind: str, home):
    if kind == "citizen":
        return CitizenFactory(residence_community=home)
    if kind == "resident":
        return ResidentFactory(residence_community=home)
    user = UserFactory()
    if kind in ("interested", "concerned"):
        user._declares = kind
    return user


def declare(user, poll):
    kind = getattr(user, "_declares", None)
    if kind:
        InterestDeclaration.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(poll),
            object_id=poll.pk,
            voter_class=kind,
        )


def window(name: str) -> dict:
    now = timezone.now()
    return {
        "before": {"opens_at": now + HOUR, "closes_at": now + 2 * HOUR},
        "open": {"opens_at": now - HOUR, "closes_at": now + HOUR},
        "after": {"opens_at": now - 2 * HOUR, "closes_at": now - HOUR},
    }[name]


# (person, classes admitted, where the poll is) -> reason, "" when allowed. "home" is the
# person's community, "other" another one, "all" no restriction.
CLASS_COMMUNITY = {
    ("citizen", AFFECTED, "all"): "",
    ("citizen", AFFECTED, "home"): "",
    ("citizen", AFFECTED, "other"): WRONG_COMMUNITY,
    ("citizen", CITIZENS, "all"): "",
    ("citizen", OUTSIDERS, "all"): CLASS_NOT_ADMITTED,
    ("citizen", EVERYONE, "other"): WRONG_COMMUNITY,
    ("resident", AFFECTED, "all"): "",
    ("resident", AFFECTED, "home"): "",
    ("resident", AFFECTED, "other"): WRONG_COMMUNITY,
    ("resident", CITIZENS, "all"): CLASS_NOT_ADMITTED,
    ("resident", CITIZENS, "home"): CLASS_NOT_ADMITTED,
    ("resident", OUTSIDERS, "all"): CLASS_NOT_ADMITTED,
    ("interested", AFFECTED, "all"): NOT_VERIFIED,
    ("interested", EVERYONE, "all"): "",
    ("interested", OUTSIDERS, "all"): "",
    ("interested", ("concerned",), "all"): CLASS_NOT_ADMITTED,
    ("interested", EVERYONE, "home"): NOT_VERIFIED,
    ("concerned", OUTSIDERS, "all"): "",
    ("concerned", CITIZENS, "all"): NOT_VERIFIED,
    ("undeclared", EVERYONE, "all"): DECLARE_FIRST,
    ("undeclared", OUTSIDERS, "all"): DECLARE_FIRST,
    ("undeclared", AFFECTED, "all"): NOT_VERIFIED,
    ("undeclared", AFFECTED, "home"): NOT_VERIFIED,
}


@pytest.mark.parametrize(
    "case, when, voted",
    list(itertools.product(CLASS_COMMUNITY, ["before", "open", "after"], [False, True])),
    ids=lambda value: (
        "-".join(v if isinstance(v, str) else "+".join(v) for v in value)
        if isinstance(value, tuple)
        else str(value)
    ),
)
def test_eligibility_matrix(case, when, voted, home):
    kind, classes, where = case
    user = person(kind, home)
    poll = PollFactory(voter_classes=list(classes), **window(when))
    if where == "home":
        poll.communities.set([home])
    elif where == "other":
        poll.communities.set([CommunityFactory()])
    declare(user, poll)
    if voted:
        RollEntry.objects.create(poll=poll, user=user, channel=Channel.ONLINE)
    if when == "before":
        expected = NOT_OPEN_YET
    elif when == "after":
        expected = CLOSED
    elif voted:
        expected = ALREADY_VOTED
    else:
        expected = CLASS_COMMUNITY[case]
    decision = ballot_eligibility(user, poll)
    assert decision.allowed == (expected == "")
    assert decision.reason == expected


def test_anonymous_people_are_asked_to_sign_in():
    decision = ballot_eligibility(AnonymousUser(), PollFactory())
    assert not decision and decision.reason == NOT_SIGNED_IN


def test_a_vote_at_the_booth_counts_as_voted_online_through_the_census_record(home):
    user = CitizenFactory(residence_community=home)
    record = CensusRecordFactory(community=home, user=user)
    poll = PollFactory()
    RollEntry.objects.create(
        poll=poll,
        census_record=record,
        channel=Channel.BOOTH,
        booth=BoothFactory(poll=poll),
        officer=UserFactory(),
    )
    assert ballot_eligibility(user, poll).reason == ALREADY_VOTED


def test_booth_eligibility(home):
    record = CensusRecordFactory(community=home)
    assert booth_eligibility(record, PollFactory())
    assert booth_eligibility(record, PollFactory(**window("after"))).reason == CLOSED
    poll = PollFactory(voter_classes=list(OUTSIDERS))
    assert "does not admit" in booth_eligibility(record, poll).reason
    poll = PollFactory()
    poll.communities.set([CommunityFactory()])
    assert booth_eligibility(record, poll).reason == WRONG_COMMUNITY


def test_results_are_seen_by_staff_before_publication_and_by_everyone_after(home):
    from django.contrib.auth.models import Permission

    poll = PollFactory(**window("after"))
    planner = UserFactory(is_staff=True)
    planner.user_permissions.add(Permission.objects.get(codename="view_pollresult"))
    poll_results_compute(poll=poll)
    poll.refresh_from_db()
    assert can_see_results(planner, poll)
    assert not can_see_results(AnonymousUser(), poll)
    poll_results_publish(poll=poll)
    poll.refresh_from_db()
    assert can_see_results(AnonymousUser(), poll)
