from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=5)
def proposal_success_announce(proposal_id: int) -> int:
    """Tell a successful proposal's followers (idempotent, so retries are safe)."""
    from proposals.notifications import success_announce

    return success_announce(proposal_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def proposal_update_deliver(update_id: int) -> int:
    """Notify the supporters of an author's update, in the app and by e-mail."""
    from proposals.notifications import update_deliver

    return update_deliver(update_id)
