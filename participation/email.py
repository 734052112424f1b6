"""E-mail leaves through Celery, so no page waits on a mail server."""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, EmailMultiAlternatives
from django.db import transaction


def message_to_payload(message: EmailMessage) -> dict:
    """A JSON-safe form of a message (attachments are not sent by this platform)."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def payload_to_message(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def delivery_connection():
    return get_connection(settings.EMAIL_DELIVERY_BACKEND)


class CeleryEmailBackend(BaseEmailBackend):
    """Queues each message for `participation.tasks.email_deliver` once the transaction commits."""

    def send_messages(self, email_messages):
        from participation.tasks import email_deliver

        for message in email_messages:
            payload = message_to_payload(message)
            transaction.on_commit(lambda payload=payload: email_deliver.delay(payload))
        return len(email_messages)
