"""Staff roles are Django groups; this table is their single source of permissions.

Later stages add their own codenames here. The groups are brought in line after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

MODERATOR = "moderator"
VALUATOR = "valuator"
POLL_OFFICER = "poll officer"
PLANNER = "planner"
ADMINISTRATOR = "administrator"

ROLE_LABELS = {
    MODERATOR: _("Moderator"),
    VALUATOR: _("Valuator"),
    POLL_OFFICER: _("Poll officer"),
    PLANNER: _("Planner"),
    ADMINISTRATOR: _("Administrator"),
}

_VIEW_SHARED = [
    "participation.view_community",
    "participation.view_strategicissue",
]


def _full_control(app_label: str, *model_names: str) -> list[str]:
    """View, add, change and delete on each of these models of one app."""
    return [
        f"{app_label}.{action}_{model}"
        for model in model_names
        for action in ("view", "add", "change", "delete")
    ]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    MODERATOR: [
        *_VIEW_SHARED,
        "accounts.view_user",
        "accounts.view_residentclaim",
        "accounts.change_residentclaim",
        # Moderation: hide, restore, ignore flags and block are actions needing "change".
        "participation.view_comment",
        "participation.change_comment",
        "debates.view_debate",
        "debates.change_debate",
        "participation.view_flag",
        "participation.view_moderationaction",
        # Proposals: moderation, competence screening and the outcome need "change".
        "proposals.view_proposal",
        "proposals.change_proposal",
        # Legislation: moderation of annotations and process proposals needs "change".
        "legislation.view_annotation",
        "legislation.change_annotation",
        "legislation.view_processproposal",
        "legislation.change_processproposal",
    ],
    VALUATOR: [
        *_VIEW_SHARED,
        # Budgets: only the projects assigned to them (budgets/admin.py, budgets/permissions.py).
        "budgets.view_investment",
    ],
    POLL_OFFICER: [
        *_VIEW_SHARED,
        # Polls: the booth pages (polls/views.py) record paper ballots and booth totals.
        "polls.view_poll",
        "polls.record_booth_vote",
        # Budgets: at a booth they serve, mark the roll during balloting and enter the paper
        # ballots after it (budgets/views.py booth pages; budgets/permissions.py).
        "budgets.view_heading",
        "budgets.view_booth",
        "budgets.add_rollentry",
        "budgets.add_ballot",
    ],
    PLANNER: [
        *_VIEW_SHARED,
        "accounts.view_censusimport",
        "proposals.view_proposal",
        "proposals.view_support",
        # The development-plan export page (proposals/planner_views.py).
        "proposals.export_proposal",
        # Polls: results before publication, and their CSV/JSON downloads.
        "polls.view_poll",
        "polls.view_pollresult",
        "polls.view_answer",
        # Budgets: read everything and export projects for the development plan.
        "budgets.view_budget",
        "budgets.view_heading",
        "budgets.view_investment",
        "budgets.view_headingresult",
        "budgets.view_investmentsupport",
        "budgets.export_budget",
        # Legislation: write draft versions, answer annotations and proposals, export for the
        # legal team (legislation/views.py export).
        "legislation.view_process",
        "legislation.view_question",
        "legislation.view_draftversion",
        "legislation.add_draftversion",
        "legislation.change_draftversion",
        "legislation.view_annotation",
        "legislation.change_annotation",
        "legislation.view_processproposal",
        "legislation.change_processproposal",
        "legislation.export_annotation",
    ],
    ADMINISTRATOR: [
        *_VIEW_SHARED,
        "participation.add_community",
        "participation.change_community",
        "participation.add_strategicissue",
        "participation.change_strategicissue",
        "participation.delete_strategicissue",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_residentclaim",
        "accounts.change_residentclaim",
        "accounts.view_censusimport",
        "accounts.add_censusimport",
        "accounts.view_censusrecord",
        # Moderation: hide, restore, ignore flags and block are actions needing "change".
        "participation.view_comment",
        "participation.change_comment",
        "debates.view_debate",
        "debates.change_debate",
        "participation.view_flag",
        "participation.view_moderationaction",
        "proposals.view_proposal",
        "proposals.change_proposal",
        "proposals.view_support",
        "proposals.export_proposal",
        # Polls: write them, their questions and booths; count and publish the results.
        *_full_control("polls", "poll", "question", "option", "booth"),
        "polls.view_boothtotal",
        "polls.view_rollentry",
        "polls.view_pollresult",
        "polls.view_answer",
        "polls.publish_pollresult",
        # Budgets: set up budgets, valuate, pick the ballot, compute and publish results, booths.
        *_full_control(
            "budgets",
            "budget",
            "budgetphase",
            "budgetgroup",
            "heading",
            "investment",
            "investmentdocument",
            "investmentphoto",
            "headingresult",
            "booth",
        ),
        "budgets.view_ballot",
        "budgets.add_ballot",
        "budgets.view_ballotline",
        "budgets.view_rollentry",
        "budgets.add_rollentry",
        "budgets.view_investmentsupport",
        "budgets.export_budget",
        # Legislation: processes, phases, questions, documents, versions, responses, export.
        *_full_control(
            "legislation", "process", "document", "question", "questionoption", "draftversion"
        ),
        "legislation.view_annotation",
        "legislation.change_annotation",
        "legislation.view_processproposal",
        "legislation.change_processproposal",
        "legislation.export_annotation",
    ],
}


def roles_sync(**_kwargs) -> None:
    """Create the role groups and give each exactly the permissions listed above.

    Runs after every app's migrations; a permission whose app has not migrated yet is picked
    up by a later call.
    """
    wanted = {dotted for codenames in ROLE_PERMISSIONS.values() for dotted in codenames}
    apps = {dotted.split(".")[0] for dotted in wanted}
    existing = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label__in=apps).select_related(
            "content_type"
        )
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([existing[d] for d in codenames if d in existing])
