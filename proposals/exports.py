"""Proposals as the rows of the local development plan's form (แผนพัฒนาท้องถิ่น), for planners."""

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import VoterClass
from participation.exports import be_date, csv_response, iso_date
from participation.models import Competence
from proposals.models import Proposal, Support
from proposals.permissions import archived_before


def proposal_export_header() -> list[str]:
    """The column labels, in the reader's language."""
    return [
        _("Reference"),
        _("Title"),
        _("Strategic issue"),
        _("Community"),
        _("Summary"),
        _("Supports, total"),
        *(_("Supports: %(voter_class)s") % {"voter_class": label} for label in VoterClass.labels),
        _("Municipal authority"),
        _("Responsible agency"),
        _("Status"),
        _("Successful"),
        _("Archived"),
        _("What the municipality did"),
        _("Published on"),
        _("Published on (Buddhist Era)"),
        _("Successful on"),
        _("Successful on (Buddhist Era)"),
    ]


def _supports_by_class(proposal_ids: list[int]) -> dict[int, dict[str, int]]:
    # One GROUP BY over the supports of every exported proposal, however many there are.
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Support.objects.filter(proposal_id__in=proposal_ids)
        .order_by()
        .values_list("proposal_id", "voter_class")
        .annotate(n=Count("id"))
    )
    for proposal_id, voter_class, n in rows:
        counts[proposal_id][voter_class] = n
    return counts


def proposal_export_rows(queryset: QuerySet[Proposal]) -> Iterator[list]:
    """One row per proposal in the header's order; two queries whatever the number of rows.

    The support columns count Support rows (the truth), not the cached counter.
    """
    proposals = list(queryset.select_related("community", "strategic_issue"))
    counts = _supports_by_class([p.pk for p in proposals])
    yes, no = _("yes"), _("no")
    archived_if_before = archived_before()
    for proposal in proposals:
        by_class = counts.get(proposal.pk, {})
        archived = bool(proposal.published_at and proposal.published_at < archived_if_before)
        yield [
            proposal.reference or "",
            proposal.title,
            proposal.strategic_issue.title if proposal.strategic_issue else "",
            proposal.community.name if proposal.community else "",
            proposal.summary,
            sum(by_class.values()),
            *(by_class.get(value, 0) for value in VoterClass.values),
            Competence(proposal.competence).label,
            proposal.responsible_agency,
            proposal.get_status_display(),
            yes if proposal.successful_at else no,
            yes if archived else no,
            Proposal.Outcome(proposal.outcome).label,
            iso_date(proposal.published_at),
            be_date(proposal.published_at),
            iso_date(proposal.successful_at),
            be_date(proposal.successful_at),
        ]


def proposal_export_response(queryset: QuerySet[Proposal]) -> HttpResponse:
    """The CSV download of these proposals, named with today's date."""
    filename = f"ruamkit-proposals-{timezone.localdate().isoformat()}.csv"
    return csv_response(
        filename=filename, header=proposal_export_header(), rows=proposal_export_rows(queryset)
    )
