"""The planner's CSV of budget projects, in the columns of the local development plan."""

from django.utils.translation import gettext as _

from budgets.models import Budget
from budgets.selectors import planner_rows
from participation.exports import csv_response


def planner_export_response(budget: Budget):
    """Every visible project of the budget with its votes and whether it won."""
    header = [
        _("Strategic issue"),
        _("Project"),
        _("Objective"),
        _("Target"),
        _("Community"),
        _("Heading"),
        _("Cost (baht)"),
        _("Votes"),
        _("Won"),
        _("Municipal authority"),
        _("Responsible agency"),
        _("Responsible division"),
    ]

    def rows():
        for investment in planner_rows(budget).iterator(chunk_size=500):
            result = getattr(investment.heading, "result", None)
            won = bool(result and investment.pk in result.winner_ids)
            votes = result.data.get("votes", {}).get(str(investment.pk), 0) if result else 0
            yield [
                investment.strategic_issue.title if investment.strategic_issue else "",
                investment.title,
                investment.objective,
                investment.target,
                investment.community.name if investment.community else "",
                investment.heading.title,
                investment.price if investment.price is not None else investment.estimated_cost,
                votes,
                won,
                investment.get_competence_display() if investment.competence else "",
                investment.responsible_agency,
                investment.responsible_division,
            ]

    return csv_response(
        filename=f"budget-{budget.fiscal_year_be}-{budget.pk}-projects.csv",
        header=header,
        rows=rows(),
    )
