import time
from pathlib import Path

import django.core.mail.backends.locmem  # noqa: F401
import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import send_mail

from participation.email import message_to_payload, payload_to_message
from participation.tasks import email_deliver

CELERY_BACKEND = "participation.email.CeleryEmailBackend"


def test_payload_round_trip_keeps_thai_text_and_html():
    message = mail.EmailMultiAlternatives(
        "ยืนยันอีเมล",
        "สวัสดีค่ะ",
        "noreply@example.org",
        ["a@example.org"],
        reply_to=["staff@example.org"],
    )
    message.attach_alternative("<p>สวัสดีค่ะ</p>", "text/html")
    again = payload_to_message(message_to_payload(message))
    assert (again.subject, again.body, again.to, again.reply_to) == (
        "ยืนยันอีเมล",
        "สวัสดีค่ะ",
        ["a@example.org"],
        ["staff@example.org"],
    )
    assert again.alternatives[0][0] == "<p>สวัสดีค่ะ</p>"


@pytest.mark.django_db
def test_mail_goes_through_the_task_after_commit(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = CELERY_BACKEND
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_mail("หัวเรื่อง", "เนื้อหา", None, ["a@example.org"])
    assert mail.outbox == [] and len(callbacks) == 1  # nothing leaves before the commit
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["หัวเรื่อง"]


def test_a_failed_send_is_scheduled_for_retry_and_sent_once(settings, monkeypatch):
    from smtplib import SMTPServerDisconnected

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    payload = message_to_payload(mail.EmailMessage("s", "b", "f@example.org", ["t@example.org"]))
    original = mail.backends.locmem.EmailBackend.send_messages

    def down(self, messages):
        raise SMTPServerDisconnected("gone")

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", down)
    with pytest.raises(Retry):
        email_deliver.apply(args=[payload])
    assert mail.outbox == []

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", original)
    email_deliver.apply(args=[payload], retries=1).get()
    assert len(mail.outbox) == 1


def _wait_for_mail(folder: Path, needle: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in folder.glob("*.log"):
            text = path.read_text(errors="replace")
            if needle in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no mail containing {needle!r} in {folder} after {seconds}s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_delivers_the_sign_up_confirmation(client, settings):
    """The worker that .ci/run started writes mail to EMAIL_FILE_PATH; the page did not wait."""
    settings.EMAIL_BACKEND = CELERY_BACKEND
    address = f"worker-{time.time_ns()}@example.org"
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": address,
            "password1": "a-long-test-password",
            "password2": "a-long-test-password",
        },
    )
    assert response.status_code == 302
    text = _wait_for_mail(Path(settings.EMAIL_FILE_PATH), address)
    assert "/en/accounts/confirm-email/" in text
