from django import forms
from django.utils.translation import gettext_lazy as _

from debates.models import Debate
from debates.selectors import debate_tag_suggestions
from participation.forms import place_choices_keep
from participation.selectors import community_list, strategic_issue_list
from participation.tags import TagsField, TagsInput, tags_split


class DebateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        min_length=4,
        max_length=80,
        error_messages={
            "required": _("Write a title for the debate."),
            "min_length": _("Write a title of at least %(limit_value)d characters."),
            "max_length": _(
                "Keep the title to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Simple formatting and links are kept: paragraphs, bold, italics, lists, quotes and "
            "links. Anything else is removed."
        ),
        error_messages={
            "required": _("Write a description of the debate."),
            "max_length": _(
                "Keep the description to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    tags = TagsField()
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=community_list(),
        required=False,
        empty_label=_("All of Saensuk"),
        help_text=_("Choose a community if the debate is about one place."),
    )
    strategic_issue = forms.ModelChoiceField(
        label=_("Strategic issue"),
        queryset=strategic_issue_list(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, debate: Debate | None = None, **kwargs):
        if debate is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": debate.title,
                    "description": debate.description,
                    "tags": ", ".join(sorted(tag.name for tag in debate.tags.all())),
                    "community": debate.community_id,
                    "strategic_issue": debate.strategic_issue_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["tags"].widget.suggestions = debate_tag_suggestions()
        place_choices_keep(self, debate)


class DebateFilterForm(forms.Form):
    """The list's filters, sent by GET; values it does not know are dropped, not refused."""

    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)
    community = forms.ChoiceField(label=_("Community"), required=False)
    strategic_issue = forms.ChoiceField(label=_("Strategic issue"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].widget = TagsInput(suggestions=debate_tag_suggestions())
        self.fields["community"].choices = [("", _("All communities"))] + [
            (community.code, community.name) for community in community_list()
        ]
        self.fields["strategic_issue"].choices = [("", _("All strategic issues"))] + [
            (issue.slug, issue.title) for issue in strategic_issue_list()
        ]

    def clean_tag(self) -> str:
        tags = tags_split(self.cleaned_data["tag"])
        return tags[0] if tags else ""

    def filters(self) -> dict[str, str | None]:
        """The filters to apply: tag, community (code) and strategic_issue (slug), or None each."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in ("tag", "community", "strategic_issue")}

    @property
    def active(self) -> bool:
        return any(self.filters().values())
