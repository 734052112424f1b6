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


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=5)
def notifications_fan_out(comment_id: int) -> int:
    """Create the in-app notifications a new comment causes (idempotent, so retries are safe)."""
    from participation.notifications import notifications_for_comment

    return notifications_for_comment(comment_id)


@shared_task(acks_late=True)
def notification_digests_send(frequency: str) -> int:
    """Queue one digest per person who chose this frequency (beat runs it daily and weekly)."""
    from participation.notifications import digest_recipients

    user_ids = list(digest_recipients(frequency).values_list("pk", flat=True))
    for user_id in user_ids:
        notification_digest_send.delay(user_id)
    return len(user_ids)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def notification_digest_send(user_id: int) -> int:
    """E-mail one person's digest."""
    from participation.notifications import notification_digest_send as send

    return send(user_id=user_id)


@shared_task
def hot_scores_refresh() -> int:
    """Let hot scores cool down as votes age, for everything voted on in the window."""
    from participation.services import hot_scores_refresh as refresh

    return refresh()
