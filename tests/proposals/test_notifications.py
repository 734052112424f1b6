from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import EmailDigest
from participation.models import Notification
from participation.selectors import notifications_page
from participation.services import NotAllowed
from proposals.models import ProposalUpdate
from proposals.notifications import update_deliver
from proposals.services import (
    proposal_create,
    proposal_publish,
    proposal_update_send,
    support_add,
)
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def published():
    author = CitizenFactory()
    proposal = proposal_create(
        author=author, title="ศาลาริมหาดวอนนภา", summary="ศาลาพักผ่อน", description="ศาลา"
    )
    return proposal_publish(user=author, proposal=proposal)


def test_reaching_the_threshold_notifies_followers(settings, django_capture_on_commit_callbacks):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "2"
    proposal = published()
    first, second = CitizenFactory(), CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        support_add(user=first, proposal=proposal)
    assert not Notification.objects.filter(kind="success").exists()
    with django_capture_on_commit_callbacks(execute=True):
        support_add(user=second, proposal=proposal)
    notified = set(Notification.objects.filter(kind="success").values_list("user_id", flat=True))
    # The author and every supporter follow the proposal.
    assert notified == {proposal.author_id, first.pk, second.pk}
    page = notifications_page(user=first)
    assert page.object_list[0].subject_row == proposal


def test_updates_reach_supporters_in_the_app_and_by_e_mail_once(
    django_capture_on_commit_callbacks,
):
    proposal = published()
    reader = CitizenFactory(email_digest=EmailDigest.WEEKLY)
    quiet = CitizenFactory(email_digest=EmailDigest.NEVER)
    for supporter in (reader, quiet):
        support_add(user=supporter, proposal=proposal)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update = proposal_update_send(
            user=proposal.author, proposal=proposal, title="เทศบาลรับเรื่องแล้ว", body="จะสำรวจพื้นที่"
        )
    assert set(Notification.objects.filter(kind="update").values_list("user_id", flat=True)) == {
        reader.pk,
        quiet.pk,
    }
    assert [m.to for m in mail.outbox] == [[reader.email]]
    assert "จะสำรวจพื้นที่" in mail.outbox[0].body
    # A retried task neither notifies nor e-mails anyone again.
    with django_capture_on_commit_callbacks(execute=True):
        assert update_deliver(update.pk) == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind="update").count() == 2


def test_at_most_one_update_every_three_days(settings):
    settings.PROPOSAL_UPDATE_INTERVAL_DAYS = 3
    proposal = published()
    proposal_update_send(user=proposal.author, proposal=proposal, title="หนึ่ง", body="ข่าว")
    with pytest.raises(NotAllowed, match="next update after"):
        proposal_update_send(user=proposal.author, proposal=proposal, title="สอง", body="ข่าว")
    ProposalUpdate.objects.update(created_at=timezone.now() - timedelta(days=3, minutes=1))
    proposal_update_send(user=proposal.author, proposal=proposal, title="สอง", body="ข่าว")
    with pytest.raises(NotAllowed, match="Only the author"):
        proposal_update_send(user=CitizenFactory(), proposal=proposal, title="x", body="y")


def test_the_author_sends_an_update_from_the_page_and_supporters_read_it(client):
    proposal = published()
    client.force_login(proposal.author)
    page = client.get(f"/en/proposals/{proposal.reference}/").content.decode()
    assert "Write to the supporters" in page
    response = client.post(
        f"/en/proposals/{proposal.reference}/updates/", {"title": "", "body": "ข่าว"}
    )
    assert response.status_code == 302 and not ProposalUpdate.objects.exists()
    client.post(
        f"/en/proposals/{proposal.reference}/updates/",
        {"title": "เริ่มสำรวจแล้ว", "body": "ช่างเทศบาลลงพื้นที่สัปดาห์หน้า"},
    )
    update = ProposalUpdate.objects.get()
    client.force_login(CitizenFactory())
    page = client.get(f"/en/proposals/{proposal.reference}/").content.decode()
    assert f'id="update-{update.pk}"' in page and "ช่างเทศบาลลงพื้นที่" in page
    assert "Write to the supporters" not in page
