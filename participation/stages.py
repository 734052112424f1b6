"""The five stages of participation, in the order the community plan runs them."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Stage:
    number: int
    title: Promise
    description: Promise
    url_name: str

    @property
    def url(self) -> str | None:
        """The stage's list page, or None while its app has no pages yet."""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


STAGES = [
    Stage(
        1,
        _("Debates"),
        _("Discuss the issues of Saensuk with others, constructively."),
        "debates:list",
    ),
    Stage(
        2,
        _("Citizen proposals"),
        _("Propose a project. Proposals with enough supports go to a vote."),
        "proposals:list",
    ),
    Stage(
        3,
        _("Votes"),
        _("Take part in polls that decide questions for the municipality."),
        "polls:list",
    ),
    Stage(
        4,
        _("Collaborative legislation"),
        _("Comment on draft bylaws and policies, down to a single sentence."),
        "legislation:list",
    ),
    Stage(
        5,
        _("Participatory budgeting"),
        _("Propose, review and vote on projects within a budget, then follow their progress."),
        "budgets:list",
    ),
]
