"""The planners' page: published proposals as a CSV for the local development plan."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from participation.models import Community, Competence, StrategicIssue
from proposals.exports import proposal_export_response
from proposals.models import Proposal

UNSCREENED = "unscreened"


class PlannerExportForm(forms.Form):
    strategic_issue = forms.ModelChoiceField(
        label=_("Strategic issue"),
        queryset=StrategicIssue.objects.all(),
        required=False,
        empty_label=_("All strategic issues"),
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.all(),
        required=False,
        empty_label=_("All communities"),
    )
    competence = forms.ChoiceField(
        label=_("Municipal authority"),
        required=False,
        choices=[
            ("", _("Any")),
            *((value or UNSCREENED, label) for value, label in Competence.choices),
        ],
    )
    successful_only = forms.BooleanField(
        label=_("Only proposals that reached their threshold"), required=False
    )

    def proposals(self) -> QuerySet[Proposal]:
        """Proposals the public has seen, filtered as asked; drafts and hidden ones never."""
        data = self.cleaned_data
        qs = Proposal.objects.visible().exclude(status=Proposal.Status.DRAFT)
        if data.get("strategic_issue"):
            qs = qs.filter(strategic_issue=data["strategic_issue"])
        if data.get("community"):
            qs = qs.filter(community=data["community"])
        if data.get("competence"):
            competence = data["competence"]
            qs = qs.filter(competence="" if competence == UNSCREENED else competence)
        if data.get("successful_only"):
            qs = qs.filter(successful_at__isnull=False)
        return qs.order_by("reference")


@require_GET
@login_required
@permission_required("proposals.export_proposal", raise_exception=True)
def export(request):
    form = PlannerExportForm(request.GET or None)
    if request.GET.get("format") == "csv" and form.is_valid():
        return proposal_export_response(form.proposals())
    return render(request, "proposals/planner_export.html", {"form": form})
