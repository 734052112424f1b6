"""Simultaneous requests against PostgreSQL: one ID verifies one account, one pending claim each."""

import pytest

from accounts.models import CensusRecord, Residence, ResidentClaim, User
from tests.factories import CensusRecordFactory, CommunityFactory, UserFactory, national_id
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_national_id_verifies_exactly_one_of_many_accounts_at_once():
    CensusRecordFactory(national_id=national_id(501), birth_year=1975)
    users = UserFactory.create_batch(8)
    data = {"national_id": national_id(501), "birth_year": "1975"}
    statuses = race([(user, "/en/me/verify/", data) for user in users])
    assert sorted(statuses) == [200] * 7 + [302]
    assert User.objects.filter(residence=Residence.CITIZEN).count() == 1
    assert CensusRecord.objects.get().user.residence == Residence.CITIZEN


def test_double_click_on_a_resident_claim_makes_one_claim():
    user = UserFactory()
    community = CommunityFactory()
    data = {"community": community.pk, "basis": "lives", "explanation": "ซอยบางแสน 5"}
    statuses = race([(user, "/en/me/verify/resident/", data)] * 6)
    assert ResidentClaim.objects.filter(user=user).count() == 1
    assert 302 in statuses and all(s in (200, 302) for s in statuses)


def test_failed_attempts_at_once_are_all_counted():
    user = UserFactory()
    data = {"national_id": national_id(502), "birth_year": "1975"}
    race([(user, "/en/me/verify/", data)] * 4)
    user.refresh_from_db()
    assert user.verification_failures == 4
