from django import forms
from django.utils.translation import gettext_lazy as _

from legislation.services import QUOTE_MAX

BODY_ERRORS = {
    "required": _("Write your comment."),
    "max_length": _(
        "Keep the comment to %(limit_value)d characters or fewer (it has %(show_value)d)."
    ),
}


class AnnotationForm(forms.Form):
    """A comment on a selected passage; the enhancement's JavaScript fills the hidden fields."""

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(max_length=QUOTE_MAX, strip=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your comment on this passage"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=BODY_ERRORS,
    )


class SectionAnnotationForm(forms.Form):
    """A comment on a whole section: the way to comment without JavaScript."""

    section = forms.CharField(max_length=40, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your comment on this section"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=BODY_ERRORS,
    )


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={"required": _("Write a title for your proposal.")},
    )
    body = forms.CharField(
        label=_("Your proposal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say briefly what the bylaw should say or do, and why."),
        error_messages={"required": _("Write your proposal.")},
    )
