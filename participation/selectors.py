from django.db.models import QuerySet

from participation.models import Community, StrategicIssue


def strategic_issue_list() -> QuerySet[StrategicIssue]:
    """Active strategic issues in the municipality's order."""
    return StrategicIssue.objects.active()


def community_list() -> QuerySet[Community]:
    """Communities people can choose, in the municipality's order."""
    return Community.objects.filter(is_active=True)
