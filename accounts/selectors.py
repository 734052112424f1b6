from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import (
    CensusRecord,
    InterestDeclaration,
    Residence,
    ResidentClaim,
    User,
    VoterClass,
)
from accounts.national_id import id_hash

AFFECTED_BY_RESIDENCE = {
    Residence.CITIZEN: VoterClass.AFFECTED_CITIZEN,
    Residence.RESIDENT: VoterClass.AFFECTED_RESIDENT,
}


def _affected_class(user: User, matter: models.Model) -> VoterClass | None:
    # Verified people of Saensuk are affected by the town's matters. A matter that concerns only
    # one community says so with `affected_community_id`; its `community`, where a debate or a
    # proposal is about, does not narrow who is affected.
    if not user.residence:
        return None
    matter_community_id = getattr(matter, "affected_community_id", None)
    if matter_community_id is not None and matter_community_id != user.residence_community_id:
        return None
    return AFFECTED_BY_RESIDENCE[Residence(user.residence)]


def voter_class_for(user: User, matter: models.Model) -> VoterClass | None:
    """The class this person holds for this matter now, or None. At most one query."""
    if not user.is_authenticated or user.erased_at:
        return None
    affected = _affected_class(user, matter)
    if affected:
        return affected
    declared = (
        InterestDeclaration.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(matter),
            object_id=matter.pk,
        )
        .values_list("voter_class", flat=True)
        .first()
    )
    return VoterClass(declared) if declared else None


def declarable_classes(matter: models.Model | None) -> list[VoterClass]:
    """The classes a person may declare for this matter: interested or concerned, narrowed to
    those the matter admits when it says (`admitted_classes`, as polls and budget headings do).
    """
    admitted = getattr(matter, "admitted_classes", None)
    return [
        voter_class
        for voter_class in InterestDeclaration.DECLARABLE
        if admitted is None or voter_class in admitted
    ]


def voter_classes_for(user: User, matters: Iterable[models.Model]) -> dict[int, VoterClass | None]:
    """voter_class_for over many matters of one model, keyed by pk, in at most one query."""
    matters = list(matters)
    if not matters or not user.is_authenticated or user.erased_at:
        return {matter.pk: None for matter in matters}
    classes = {matter.pk: _affected_class(user, matter) for matter in matters}
    undecided = [pk for pk, voter_class in classes.items() if voter_class is None]
    if undecided:
        declared = InterestDeclaration.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(matters[0]),
            object_id__in=undecided,
        ).values_list("object_id", "voter_class")
        for object_id, voter_class in declared:
            classes[object_id] = VoterClass(voter_class)
    return classes


def resident_claim_latest(user: User) -> ResidentClaim | None:
    """The person's most recent resident claim, to show its state and the staff's reason."""
    return user.resident_claims.select_related("community").order_by("-created_at").first()


def census_record_find(national_id: str) -> CensusRecord | None:
    """The house-register entry for a national ID, as a poll officer at a booth looks it up.

    Raises accounts.national_id.InvalidNationalId when the ID is malformed. The record's `user`
    is the account it verifies, if any: a booth and an online vote are one person through it.
    """
    return (
        CensusRecord.objects.select_related("community", "user")
        .filter(id_hash=id_hash(national_id))
        .first()
    )
