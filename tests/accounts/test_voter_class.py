import pytest

from accounts.models import VoterClass
from accounts.selectors import voter_class_for, voter_classes_for
from accounts.services import interest_declare
from participation.models import Community, StrategicIssue
from tests.factories import (
    CitizenFactory,
    CommunityFactory,
    ResidentFactory,
    StrategicIssueFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def community_matter(community: Community) -> StrategicIssue:
    """A stand-in for a later stage's matter that belongs to one community."""
    matter = StrategicIssueFactory()
    matter.affected_community_id = community.pk
    return matter


def test_citizen_is_affected_citizen_on_a_town_wide_matter():
    assert voter_class_for(CitizenFactory(), StrategicIssueFactory()) == VoterClass.AFFECTED_CITIZEN


def test_resident_is_affected_resident_on_a_town_wide_matter():
    assert (
        voter_class_for(ResidentFactory(), StrategicIssueFactory()) == VoterClass.AFFECTED_RESIDENT
    )


def test_verified_person_is_affected_only_in_their_own_community():
    home, other = CommunityFactory(), CommunityFactory()
    citizen = CitizenFactory(residence_community=home)
    assert voter_class_for(citizen, community_matter(home)) == VoterClass.AFFECTED_CITIZEN
    assert voter_class_for(citizen, community_matter(other)) is None


def test_verified_person_elsewhere_may_declare_for_another_community():
    citizen = CitizenFactory()
    matter = community_matter(CommunityFactory())
    interest_declare(user=citizen, matter=matter, voter_class=VoterClass.CONCERNED)
    assert voter_class_for(citizen, matter) == VoterClass.CONCERNED


@pytest.mark.parametrize("declared", [VoterClass.INTERESTED, VoterClass.CONCERNED])
def test_unverified_person_holds_the_class_they_declared(declared):
    user, matter = UserFactory(), StrategicIssueFactory()
    interest_declare(user=user, matter=matter, voter_class=declared)
    assert voter_class_for(user, matter) == declared
    assert voter_class_for(user, StrategicIssueFactory()) is None


def test_declaration_can_be_changed_and_stays_one_row():
    user, matter = UserFactory(), StrategicIssueFactory()
    interest_declare(user=user, matter=matter, voter_class=VoterClass.INTERESTED)
    interest_declare(user=user, matter=matter, voter_class=VoterClass.CONCERNED)
    assert user.interest_declarations.count() == 1
    assert voter_class_for(user, matter) == VoterClass.CONCERNED


def test_affected_class_wins_over_a_declaration():
    citizen, matter = CitizenFactory(), StrategicIssueFactory()
    interest_declare(user=citizen, matter=matter, voter_class=VoterClass.INTERESTED)
    assert voter_class_for(citizen, matter) == VoterClass.AFFECTED_CITIZEN


def test_affected_classes_cannot_be_declared():
    from accounts.services import VerificationError

    with pytest.raises(VerificationError):
        interest_declare(
            user=UserFactory(),
            matter=StrategicIssueFactory(),
            voter_class=VoterClass.AFFECTED_CITIZEN,
        )


def test_anonymous_and_erased_people_hold_no_class():
    from django.contrib.auth.models import AnonymousUser

    from accounts.services import account_erase

    matter = StrategicIssueFactory()
    assert voter_class_for(AnonymousUser(), matter) is None
    assert voter_class_for(account_erase(user=CitizenFactory()), matter) is None


def test_class_costs_no_query_for_affected_and_one_otherwise(django_assert_num_queries):
    citizen, user, matter = CitizenFactory(), UserFactory(), StrategicIssueFactory()
    voter_class_for(user, matter)  # warms the content-type cache, as any running site has
    with django_assert_num_queries(0):
        voter_class_for(citizen, matter)
    with django_assert_num_queries(1):
        voter_class_for(user, matter)


def test_classes_for_many_matters_cost_one_query(django_assert_num_queries):
    user = UserFactory()
    matters = StrategicIssueFactory.create_batch(20)
    interest_declare(user=user, matter=matters[3], voter_class=VoterClass.INTERESTED)
    voter_class_for(user, matters[0])
    with django_assert_num_queries(1):
        classes = voter_classes_for(user, matters)
    assert classes[matters[3].pk] == VoterClass.INTERESTED
    assert sum(1 for c in classes.values() if c) == 1


def test_where_a_matter_is_does_not_narrow_who_is_affected():
    from tests.factories import DebateFactory

    home, elsewhere = CommunityFactory(), CommunityFactory()
    citizen = CitizenFactory(residence_community=home)
    debate = DebateFactory(community=elsewhere)
    assert voter_class_for(citizen, debate) == VoterClass.AFFECTED_CITIZEN


def concerned_only_matter() -> StrategicIssue:
    """A stand-in for a poll or budget heading that admits only concerned people."""
    matter = StrategicIssueFactory()
    matter.admitted_classes = [VoterClass.AFFECTED_CITIZEN.value, VoterClass.CONCERNED.value]
    return matter


def test_a_class_the_matter_does_not_admit_is_refused_when_declared():
    from accounts.services import VerificationError

    user, matter = UserFactory(), concerned_only_matter()
    with pytest.raises(VerificationError, match="does not admit"):
        interest_declare(user=user, matter=matter, voter_class=VoterClass.INTERESTED)
    assert voter_class_for(user, matter) is None
    interest_declare(user=user, matter=matter, voter_class=VoterClass.CONCERNED)
    assert voter_class_for(user, matter) == VoterClass.CONCERNED


def test_the_declaration_form_offers_only_what_the_matter_admits():
    from accounts.forms import InterestDeclarationForm

    offered = [
        c
        for c, _label in InterestDeclarationForm(matter=concerned_only_matter())
        .fields["voter_class"]
        .choices
    ]
    assert offered == [VoterClass.CONCERNED]
    form = InterestDeclarationForm({"voter_class": "interested"}, matter=concerned_only_matter())
    assert not form.is_valid() and "voter_class" in form.errors
    everything = InterestDeclarationForm(matter=StrategicIssueFactory())
    assert [c for c, _label in everything.fields["voter_class"].choices] == [
        VoterClass.INTERESTED,
        VoterClass.CONCERNED,
    ]
