from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from legislation.services import QUOTE_MAX

BODY_ERRORS = {
    "required": _("Write your comment."),
    "max_length": _(
        "Keep the comment to %(limit_value)d characters or fewer (it has %(show_value)d)."
    ),
}


class _PassageForm(forms.Form):
    """A comment form whose hidden fields say what is commented on.

    The person cannot see or correct a hidden field, and the page shows only the form's own
    errors and the comment's, so any error of a hidden field becomes one form error saying what
    to do instead.
    """

    hidden_error = ""

    def clean(self):
        wrong = [field.name for field in self.hidden_fields() if field.name in self._errors]
        if wrong:
            for name in wrong:
                del self._errors[name]
            raise ValidationError(self.hidden_error)
        return super().clean()


class AnnotationForm(_PassageForm):
    """A comment on a selected passage; the enhancement's JavaScript fills the hidden fields."""

    hidden_error = _("Select a passage of the draft, at most a section long.")

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quote = forms.CharField(max_length=QUOTE_MAX, strip=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your comment on this passage"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=BODY_ERRORS,
    )


class SectionAnnotationForm(_PassageForm):
    """A comment on a whole section: the way to comment without JavaScript."""

    hidden_error = _("There is no such section in this version of the draft.")

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
