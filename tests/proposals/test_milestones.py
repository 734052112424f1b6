import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from participation.models import Milestone
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_successful_proposal_shows_its_milestones_with_progress(client):
    proposal = ProposalFactory()
    proposal.successful_at = proposal.published_at
    proposal.save()
    for day, (title, status, progress) in enumerate(
        [("สำรวจพื้นที่", "done", 100), ("ออกแบบ", "under_way", 40), ("ก่อสร้าง", "planned", 0)]
    ):
        Milestone.objects.create(
            content_type=ContentType.objects.get_for_model(proposal),
            object_id=proposal.pk,
            title=title,
            date=datetime.date(2026, 1, 1 + day),
            status=status,
            progress=progress,
        )
    page = client.get(proposal.get_absolute_url().replace("/th/", "/en/")).content.decode()
    assert page.index("สำรวจพื้นที่") < page.index("ออกแบบ") < page.index("ก่อสร้าง")
    assert '<progress id="milestone-' in page and 'value="40"' in page
    assert "1 January 2026" in page


def test_staff_add_milestones_in_the_proposal_admin(client):
    proposal = ProposalFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/en/admin/proposals/proposal/{proposal.pk}/change/").content.decode()
    assert "participation-milestone-content_type-object_id-TOTAL_FORMS" in page
