"""Writes for debates: the only code that creates or changes a debate."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from debates.models import Debate
from debates.permissions import can_edit_debate, can_start_debate
from participation.models import Community, StrategicIssue
from participation.services import NotAllowed, follow_add
from participation.tags import tags_checked
from participation.text import sanitise_html

EDITABLE_FIELDS = {"title", "description", "tags", "community", "strategic_issue"}


def _validated(debate: Debate) -> None:
    # The form checks first; this catches what only sanitising reveals, such as a description
    # that was nothing but a script.
    if not debate.description:
        raise NotAllowed(_("The description is empty once unsafe markup is removed."))
    try:
        debate.full_clean(exclude=["author", "community", "strategic_issue"])
    except ValidationError as error:
        raise NotAllowed(" ".join(error.messages)) from None


@transaction.atomic
def debate_create(
    *,
    author: User,
    title: str,
    description: str,
    tags: list[str],
    community: Community | None = None,
    strategic_issue: StrategicIssue | None = None,
) -> Debate:
    """Start a debate; its author follows it to hear of comments. Raises NotAllowed."""
    decision = can_start_debate(author)
    if not decision:
        raise NotAllowed(decision.reason)
    tags = tags_checked(tags)
    debate = Debate(
        author=author,
        title=title.strip(),
        description=sanitise_html(description),
        community=community,
        strategic_issue=strategic_issue,
    )
    _validated(debate)
    debate.save()
    if tags:
        debate.tags.set(tags)
    follow_add(user=author, target=debate)
    return debate


@transaction.atomic
def debate_update(*, user: User, debate: Debate, **fields) -> Debate:
    """Change a debate's text, tags, community or strategic issue. Raises NotAllowed.

    The row is locked and re-read, so a vote that lands meanwhile cannot slip past the limit.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"debate_update() cannot change {', '.join(sorted(unknown))}")
    debate = Debate.objects.select_for_update().get(pk=debate.pk)
    decision = can_edit_debate(user, debate)
    if not decision:
        raise NotAllowed(decision.reason)
    tags = tags_checked(fields.pop("tags")) if "tags" in fields else None
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    if "description" in fields:
        fields["description"] = sanitise_html(fields["description"])
    for name, value in fields.items():
        setattr(debate, name, value)
    _validated(debate)
    debate.save()
    if tags is not None:
        debate.tags.set(tags)
    return debate
