from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone, translation

from accounts.models import CensusRecord, Residence, ResidentClaim, User, VoterClass
from accounts.services import (
    VerificationError,
    account_erase,
    residence_verify,
    resident_claim_decide,
    resident_claim_submit,
)
from participation.models import Vote
from tests.factories import (
    CensusRecordFactory,
    CitizenFactory,
    CommunityFactory,
    ResidentClaimFactory,
    StrategicIssueFactory,
    UserFactory,
    VoteFactory,
    national_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are matched in English here; the Thai ones are checked through the pages.
    with translation.override("en"):
        yield


def test_match_makes_an_affected_citizen_of_the_registered_community():
    record = CensusRecordFactory(national_id=national_id(7), birth_year=1985)
    user = UserFactory()
    residence_verify(user=user, national_id=national_id(7), birth_year=1985)
    user.refresh_from_db()
    record.refresh_from_db()
    assert user.residence == Residence.CITIZEN
    assert user.residence_community == record.community
    assert record.user == user and record.verified_at is not None


def test_wrong_birth_year_is_refused_and_counted():
    CensusRecordFactory(national_id=national_id(8), birth_year=1985)
    user = UserFactory()
    with pytest.raises(VerificationError, match="4 attempts left"):
        residence_verify(user=user, national_id=national_id(8), birth_year=1986)
    user.refresh_from_db()
    assert user.residence == Residence.NONE
    assert user.verification_failures == 1


def test_five_failures_lock_out_and_the_lock_grows(settings):
    settings.VERIFICATION_LOCKOUT_MINUTES = 15
    user = UserFactory()
    for _ in range(4):
        with pytest.raises(VerificationError):
            residence_verify(user=user, national_id=national_id(9), birth_year=1980)
    with pytest.raises(VerificationError, match="try again after"):
        residence_verify(user=user, national_id=national_id(9), birth_year=1980)
    user.refresh_from_db()
    first_lock = user.verification_locked_until - timezone.now()
    assert timedelta(minutes=14) < first_lock <= timedelta(minutes=15)

    # While locked, even the right details are refused without counting.
    CensusRecordFactory(national_id=national_id(9), birth_year=1980)
    with pytest.raises(VerificationError, match="try again after"):
        residence_verify(user=user, national_id=national_id(9), birth_year=1980)

    User.objects.filter(pk=user.pk).update(verification_locked_until=timezone.now())
    with pytest.raises(VerificationError):
        residence_verify(user=user, national_id=national_id(9), birth_year=1999)
    user.refresh_from_db()
    second_lock = user.verification_locked_until - timezone.now()
    assert timedelta(minutes=29) < second_lock <= timedelta(minutes=30)

    User.objects.filter(pk=user.pk).update(verification_locked_until=timezone.now())
    residence_verify(user=user, national_id=national_id(9), birth_year=1980)
    user.refresh_from_db()
    assert user.residence == Residence.CITIZEN and user.verification_failures == 0


def test_one_id_verifies_one_account():
    CensusRecordFactory(national_id=national_id(10), birth_year=1970)
    residence_verify(user=UserFactory(), national_id=national_id(10), birth_year=1970)
    with pytest.raises(VerificationError, match="already verifies another account"):
        residence_verify(user=UserFactory(), national_id=national_id(10), birth_year=1970)


def test_verified_citizen_cannot_verify_again():
    CensusRecordFactory(national_id=national_id(11), birth_year=1970)
    user = UserFactory()
    residence_verify(user=user, national_id=national_id(11), birth_year=1970)
    with pytest.raises(VerificationError, match="already verified"):
        residence_verify(user=user, national_id=national_id(11), birth_year=1970)


def test_resident_claim_is_confirmed_with_the_person_told(django_capture_on_commit_callbacks):
    staff = UserFactory(is_staff=True)
    claim = resident_claim_submit(
        user=UserFactory(),
        community=CommunityFactory(),
        basis="studies",
        explanation="นักศึกษามหาวิทยาลัยบูรพา",
    )
    with django_capture_on_commit_callbacks(execute=True):
        resident_claim_decide(claim=claim, decided_by=staff, approve=True)
    claim.refresh_from_db()
    claim.user.refresh_from_db()
    assert claim.status == ResidentClaim.Status.APPROVED and claim.decided_by == staff
    assert claim.user.residence == Residence.RESIDENT
    assert claim.user.residence_community == claim.community
    assert [m.to for m in mail.outbox] == [[claim.user.email]]


def test_rejection_needs_a_reason_the_person_sees(django_capture_on_commit_callbacks):
    claim = ResidentClaimFactory()
    staff = UserFactory(is_staff=True)
    with pytest.raises(VerificationError, match="reason"):
        resident_claim_decide(claim=claim, decided_by=staff, approve=False, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        resident_claim_decide(
            claim=claim, decided_by=staff, approve=False, reason="ไม่พบหลักฐานการทำงานในพื้นที่"
        )
    claim.refresh_from_db()
    assert claim.status == ResidentClaim.Status.REJECTED
    assert "ไม่พบหลักฐาน" in mail.outbox[0].body
    assert claim.user.residence == Residence.NONE


def test_a_claim_is_decided_once():
    claim = ResidentClaimFactory()
    staff = UserFactory(is_staff=True)
    resident_claim_decide(claim=claim, decided_by=staff, approve=True)
    with pytest.raises(VerificationError, match="already been decided"):
        resident_claim_decide(claim=claim, decided_by=staff, approve=False, reason="x")


def test_one_pending_claim_at_a_time():
    user = UserFactory()
    community = CommunityFactory()
    resident_claim_submit(user=user, community=community, basis="lives", explanation="ซอย 1")
    with pytest.raises(VerificationError, match="already have a claim"):
        resident_claim_submit(user=user, community=community, basis="lives", explanation="ซอย 1")


def test_approving_a_citizen_claim_keeps_them_citizen():
    citizen = CitizenFactory()
    claim = ResidentClaimFactory(user=citizen)
    resident_claim_decide(claim=claim, decided_by=UserFactory(), approve=True)
    citizen.refresh_from_db()
    assert citizen.residence == Residence.CITIZEN


def test_erasure_removes_personal_data_and_keeps_votes_anonymous():
    record = CensusRecordFactory(national_id=national_id(12), birth_year=1990)
    user = UserFactory(display_name="มานี มีนา", email="manee@example.org")
    residence_verify(user=user, national_id=national_id(12), birth_year=1990)
    ResidentClaimFactory(user=user)
    vote = VoteFactory(user=user, voter_class=VoterClass.AFFECTED_CITIZEN)

    account_erase(user=user)

    user.refresh_from_db()
    assert user.erased_at and not user.is_active and not user.has_usable_password()
    assert "manee" not in user.email and user.display_name == ""
    assert user.residence == Residence.NONE and user.residence_community is None
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not ResidentClaim.objects.filter(user=user).exists()
    assert not user.history.exists()
    vote.refresh_from_db()
    assert vote.user == user and vote.voter_class == VoterClass.AFFECTED_CITIZEN
    assert str(vote.user) == "Deleted account"
    record.refresh_from_db()
    assert record.user == user


def test_new_account_of_an_erased_person_takes_the_record_and_votes_over():
    CensusRecordFactory(national_id=national_id(13), birth_year=1990)
    old = UserFactory()
    residence_verify(user=old, national_id=national_id(13), birth_year=1990)
    both, only_old = StrategicIssueFactory(), StrategicIssueFactory()
    VoteFactory(user=old, target=both, value=Vote.Value.UP)
    VoteFactory(user=old, target=only_old)
    account_erase(user=old)

    new = UserFactory()
    VoteFactory(user=new, target=both, value=Vote.Value.DOWN)
    residence_verify(user=new, national_id=national_id(13), birth_year=1990)

    assert CensusRecord.objects.get(user=new)
    assert not Vote.objects.filter(user=old).exists()
    assert Vote.objects.filter(user=new).count() == 2
    assert Vote.objects.get(user=new, object_id=both.pk).value == Vote.Value.DOWN
