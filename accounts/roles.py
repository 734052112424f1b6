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
    ],
    VALUATOR: [*_VIEW_SHARED],
    POLL_OFFICER: [*_VIEW_SHARED],
    PLANNER: [
        *_VIEW_SHARED,
        "accounts.view_censusimport",
        "proposals.view_proposal",
        "proposals.view_support",
        # The development-plan export page (proposals/planner_views.py).
        "proposals.export_proposal",
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
