from celery import shared_task


@shared_task(acks_late=True)
def poll_results_due() -> int:
    """Compute the results of polls that have closed and have none yet (Celery beat, 5 min)."""
    from polls.services import poll_results_due as compute_due

    return compute_due()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=10, max_retries=3)
def poll_results_compute(poll_id: int) -> int:
    """Compute (or recompute) one poll's results on demand; returns the ballots counted."""
    from polls.models import Poll
    from polls.services import poll_results_compute as compute

    result = compute(poll=Poll.objects.get(pk=poll_id))
    return result.data["ballots"]
