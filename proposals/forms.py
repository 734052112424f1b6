from urllib.parse import urlsplit

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from participation.forms import image_size_checked, pdf_checked, place_choices_keep
from participation.models import Competence
from participation.selectors import community_list, strategic_issue_list
from participation.tags import TagsField, TagsInput, tags_split
from proposals.models import Proposal
from proposals.selectors import proposal_tag_suggestions

# Only links people can open without an account; the page links to them, it never embeds.
VIDEO_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "vimeo.com",
    "www.vimeo.com",
    "player.vimeo.com",
}


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        min_length=4,
        max_length=80,
        error_messages={
            "required": _("Write a title for the proposal."),
            "min_length": _("Write a title of at least %(limit_value)d characters."),
            "max_length": _(
                "Keep the title to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in the list of proposals. At most 200 characters."),
        error_messages={
            "required": _("Write a short summary of the proposal."),
            "max_length": _(
                "Keep the summary to %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Simple formatting and links are kept: paragraphs, bold, italics, lists, quotes and "
            "links. Anything else is removed."
        ),
        error_messages={
            "required": _("Describe the proposal."),
            "max_length": _(
                "Keep the description to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    video_url = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=200,
        help_text=_("Optional: a https link to a video on YouTube or Vimeo."),
    )
    image = forms.ImageField(
        label=_("Image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Optional: a photo or drawing in JPEG, PNG or WebP, at most 5 MB."),
        error_messages={
            "invalid_image": _(
                "This file is not an image we can read. Choose a JPEG, PNG or WebP picture."
            ),
        },
    )
    image_alt = forms.CharField(
        label=_("Image description"),
        required=False,
        max_length=200,
        help_text=_(
            "Optional: say in a sentence what the picture shows, for people who cannot see it."
        ),
        error_messages={
            "max_length": _(
                "Keep the image description to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    document = forms.FileField(
        label=_("Document"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Optional: a PDF such as a plan or a petition, at most 5 MB."),
    )
    tags = TagsField()
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=community_list(),
        required=False,
        empty_label=_("All of Saensuk"),
        help_text=_("Choose a community if the proposal is about one place."),
    )
    strategic_issue = forms.ModelChoiceField(
        label=_("Strategic issue"),
        queryset=strategic_issue_list(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, proposal: Proposal | None = None, **kwargs):
        if proposal is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": proposal.title,
                    "summary": proposal.summary,
                    "description": proposal.description,
                    "video_url": proposal.video_url,
                    "image_alt": proposal.image_alt,
                    "tags": ", ".join(sorted(tag.name for tag in proposal.tags.all())),
                    "community": proposal.community_id,
                    "strategic_issue": proposal.strategic_issue_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["tags"].widget.suggestions = proposal_tag_suggestions()
        if proposal is not None and proposal.image:
            self.fields["image"].help_text = _(
                "Optional: choose a new file to replace the current image (JPEG, PNG or WebP, "
                "at most 5 MB)."
            )
        place_choices_keep(self, proposal)

    def clean_video_url(self) -> str:
        url = self.cleaned_data["video_url"].strip()
        if not url:
            return ""
        message = _("Give a https link to a video on YouTube (youtube.com, youtu.be) or Vimeo.")
        try:
            URLValidator(schemes=["https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError(message, code="video_url") from None
        if (urlsplit(url).hostname or "").lower() not in VIDEO_HOSTS:
            raise forms.ValidationError(message, code="video_url")
        return url

    def clean_image(self):
        return image_size_checked(self.cleaned_data.get("image"))

    def clean_document(self):
        return pdf_checked(self.cleaned_data.get("document"))

    def service_fields(self) -> dict:
        """The cleaned data as service keyword arguments; an empty image keeps the current one."""
        fields = dict(self.cleaned_data)
        if not fields.get("image"):
            fields.pop("image", None)
        if not fields.get("document"):
            fields.pop("document", None)
        return fields


class ProposalFilterForm(forms.Form):
    """The list's filters, sent by GET; values it does not know are dropped, not refused."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Words from the title or summary, or a reference such as RK-2569-0042."),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)
    community = forms.ChoiceField(label=_("Community"), required=False)
    strategic_issue = forms.ChoiceField(label=_("Strategic issue"), required=False)
    competence = forms.ChoiceField(
        label=_("Municipal authority"),
        required=False,
        choices=[
            ("", _("Any")),
            ("within", Competence.WITHIN.label),
            ("partly", Competence.PARTLY.label),
            ("outside", Competence.OUTSIDE.label),
            ("unscreened", Competence.UNSCREENED.label),
        ],
    )
    successful = forms.BooleanField(
        label=_("Only proposals that reached their goal"), required=False
    )

    FILTERS = ("q", "tag", "community", "strategic_issue", "competence", "successful")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].widget = TagsInput(suggestions=proposal_tag_suggestions())
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
        """The filters to apply, each a string or None; invalid ones are dropped one by one."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters = {name: data.get(name) or None for name in self.FILTERS}
        filters["successful"] = "1" if filters["successful"] else None
        return filters

    @property
    def active(self) -> bool:
        return any(self.filters().values())


class RetireForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you retire the proposal?"),
        choices=Proposal.RetiredReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you retire the proposal.")},
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Tell supporters what happens now, e.g. which proposal to support instead."),
        error_messages={"required": _("Write a short explanation for your supporters.")},
    )


class ProposalUpdateForm(forms.Form):
    """The author's news for the supporters."""

    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Message"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
