import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def poll_results_due() -> int:
    """Count the polls that have closed and have no result yet (Celery beat, 5 min)."""
    from polls.services import poll_results_due as compute_due

    return compute_due()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=3)
def poll_results_compute(poll_id: int) -> int | None:
    """Count (or recount) one closed poll on demand; returns the ballots counted, or None for a
    poll that has not closed (nothing to retry). An envelope that does not open raises, and the
    task is retried, then fails loudly: no ballot is skipped."""
    from participation.services import NotAllowed
    from polls.models import Poll
    from polls.services import poll_results_compute as compute

    try:
        result = compute(poll=Poll.objects.get(pk=poll_id))
    except NotAllowed as refusal:
        logger.warning("poll %s not counted: %s", poll_id, refusal.reason)
        return None
    return result.data["ballots"]
