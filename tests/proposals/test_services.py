import pytest
from django.utils import timezone, translation

from accounts.models import VoterClass
from participation.models import Competence, Follow
from participation.services import NotAllowed
from proposals.models import Proposal, Support
from proposals.services import (
    competence_screen,
    proposal_create,
    proposal_publish,
    proposal_retire,
    support_add,
    support_threshold,
    support_withdraw,
)
from tests.factories import CensusRecordFactory, CitizenFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def draft(author=None, **fields) -> Proposal:
    return proposal_create(
        author=author or CitizenFactory(),
        title=fields.pop("title", "ลานกีฬาชุมชนหนองมน"),
        summary="ลานกีฬาสำหรับเด็กและผู้สูงอายุ",
        description="สร้างลานกีฬา<script>alert(1)</script>",
        tags=["กีฬา"],
        **fields,
    )


def published(**fields) -> Proposal:
    proposal = draft(**fields)
    return proposal_publish(user=proposal.author, proposal=proposal)


def test_only_verified_people_write_proposals():
    with pytest.raises(NotAllowed, match="Verify your residence"):
        draft(author=UserFactory())


def test_draft_is_sanitised_and_publication_gives_be_reference_codes():
    first = draft()
    assert first.status == Proposal.Status.DRAFT and first.reference is None
    assert "<script" not in first.description
    first = proposal_publish(user=first.author, proposal=first)
    second = published()
    year = timezone.localdate().year + 543
    assert (first.reference, second.reference) == (f"RK-{year}-0001", f"RK-{year}-0002")
    assert Follow.objects.filter(user=first.author, object_id=first.pk).exists()


def test_only_the_author_publishes_a_draft_once():
    proposal = draft()
    with pytest.raises(NotAllowed):
        proposal_publish(user=CitizenFactory(), proposal=proposal)
    proposal_publish(user=proposal.author, proposal=proposal)
    with pytest.raises(NotAllowed):
        proposal_publish(user=proposal.author, proposal=proposal)


def test_threshold_is_a_number_or_a_share_of_the_census(settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "7"
    assert support_threshold() == 7
    CensusRecordFactory.create_batch(250)
    settings.PROPOSAL_SUPPORT_THRESHOLD = "2%"
    assert support_threshold() == 5
    settings.PROPOSAL_SUPPORT_THRESHOLD = "0.1%"
    assert support_threshold() == 1


def test_supports_store_class_and_community_and_reach_the_threshold(settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "2"
    proposal = published()
    citizen, resident = CitizenFactory(), ResidentFactory()
    support_add(user=citizen, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.supports_count == 1 and proposal.successful_at is None
    support_add(user=resident, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.supports_count == 2 and proposal.successful_at is not None
    rows = {s.user_id: (s.voter_class, s.community_id) for s in Support.objects.all()}
    assert rows == {
        citizen.pk: (VoterClass.AFFECTED_CITIZEN, citizen.residence_community_id),
        resident.pk: (VoterClass.AFFECTED_RESIDENT, resident.residence_community_id),
    }
    assert Follow.objects.filter(user=citizen, object_id=proposal.pk).exists()


def test_second_support_and_unverified_support_are_refused():
    proposal = published()
    citizen = CitizenFactory()
    support_add(user=citizen, proposal=proposal)
    with pytest.raises(NotAllowed, match="already support"):
        support_add(user=citizen, proposal=proposal)
    with pytest.raises(NotAllowed, match="Only people verified"):
        support_add(user=UserFactory(), proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.supports_count == 1


def test_withdrawing_lowers_the_count_but_success_stays(settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "1"
    proposal = published()
    citizen = CitizenFactory()
    support_add(user=citizen, proposal=proposal)
    support_withdraw(user=citizen, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.supports_count == 0 and proposal.successful_at is not None
    with pytest.raises(NotAllowed, match="do not support"):
        support_withdraw(user=citizen, proposal=proposal)


def test_retired_proposal_takes_no_more_supports():
    proposal = published()
    with pytest.raises(NotAllowed):
        proposal_retire(user=CitizenFactory(), proposal=proposal, reason="done", explanation="")
    with pytest.raises(NotAllowed, match="Choose why"):
        proposal_retire(user=proposal.author, proposal=proposal, reason="bored", explanation="")
    proposal_retire(
        user=proposal.author, proposal=proposal, reason="started", explanation="เทศบาลทำแล้ว"
    )
    with pytest.raises(NotAllowed, match="retired"):
        support_add(user=CitizenFactory(), proposal=proposal)


def test_competence_outside_needs_the_responsible_agency():
    proposal = published()
    with pytest.raises(NotAllowed, match="agency"):
        competence_screen(proposal=proposal, competence=Competence.OUTSIDE)
    competence_screen(
        proposal=proposal,
        competence=Competence.OUTSIDE,
        responsible_agency="สำนักงานเจ้าท่าภูมิภาค",
        explanation="การขุดลอกร่องน้ำเป็นอำนาจของกรมเจ้าท่า",
    )
    proposal.refresh_from_db()
    assert proposal.competence == Competence.OUTSIDE and proposal.competence_screened_at
    assert proposal.responsible_agency == "สำนักงานเจ้าท่าภูมิภาค"


def test_the_database_refuses_outside_without_an_agency():
    from django.db import IntegrityError, transaction

    proposal = published()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(competence=Competence.OUTSIDE)
