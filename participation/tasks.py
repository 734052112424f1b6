from smtplib import SMTPException

from celery import shared_task

from participation.email import delivery_connection, payload_to_message


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    acks_late=True,
)
def email_deliver(self, payload: dict) -> int:
    """Send one queued message through the real mail backend; retried when the server fails."""
    with delivery_connection() as connection:
        return connection.send_messages([payload_to_message(payload)])
