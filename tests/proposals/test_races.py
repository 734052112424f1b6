"""100 people supporting at once, some clicking repeatedly: the count is exact (PostgreSQL)."""

import pytest
from django.urls import reverse

from proposals.models import Proposal, Support
from proposals.services import proposal_create, proposal_publish
from tests.factories import CitizenFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_supports_and_repeated_clicks_count_exactly(settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "80"
    author = CitizenFactory()
    proposal = proposal_create(
        author=author, title="ไฟส่องสว่างซอยหลังมหาวิทยาลัย", summary="ไฟถนน", description="ไฟ"
    )
    proposal = proposal_publish(user=author, proposal=proposal)
    supporters = CitizenFactory.create_batch(100)
    url = reverse("proposals:support", args=[proposal.reference])
    # Two waves, because each request holds its own connection and this PostgreSQL allows 100.
    first = [(user, url, {}) for user in supporters[:80]]
    second = [(user, url, {}) for user in supporters[80:]]
    second += [(user, url, {}) for user in supporters[70:90]] * 2  # double clicks
    statuses = race(first) + race(second)
    assert all(status in (200, 302) for status in statuses)
    proposal.refresh_from_db()
    assert Support.objects.filter(proposal=proposal).count() == 100
    assert proposal.supports_count == 100
    assert proposal.successful_at is not None
    assert Proposal.objects.filter(successful_at__isnull=False).count() == 1
