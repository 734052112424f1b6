from celery import shared_task

from budgets import services


@shared_task
def budget_results_due() -> int:
    """Compute the results of headings whose balloting ended (run by beat every 5 minutes)."""
    return services.budget_results_due()
