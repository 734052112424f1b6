import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from participation.thai_dates import format_date, parse_date


class ThaiDateField(forms.DateField):
    """A date field that accepts Thai (BE) and English dates typed as text."""

    default_error_messages = {
        "invalid": _("Enter a date such as 9 มีนาคม 2568 or 9/3/2568."),
    }

    def __init__(self, **kwargs):
        # A plain text box, because <input type=date> forces a Gregorian picker in many browsers
        # and would stop people typing Thai month names.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        """Return a datetime.date parsed with parse_date, or None for empty input."""
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        """Show a date the way the current language writes it, so Thai users see the BE year."""
        if isinstance(value, datetime.date):
            return format_date(value, get_language())
        return value


class CommentForm(forms.Form):
    """A comment or reply; the page's template writes the fields, this form checks them."""

    body = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
        error_messages={"required": _("Write something before you publish.")},
    )
    # The bounds of a 64-bit key: a longer number would overflow the database driver.
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    official = forms.BooleanField(
        label=_("Publish as the municipality's official answer"), required=False
    )


def place_choices_keep(form: forms.Form, current) -> None:
    """A saved community or strategic issue stays choosable after the municipality retires it."""
    from participation.models import Community, StrategicIssue
    from participation.selectors import community_list, strategic_issue_list

    if current is not None and current.community_id:
        form.fields["community"].queryset = community_list() | Community.objects.filter(
            pk=current.community_id
        )
    if current is not None and current.strategic_issue_id:
        form.fields["strategic_issue"].queryset = strategic_issue_list() | (
            StrategicIssue.objects.filter(pk=current.strategic_issue_id)
        )


# Uploads people attach to their proposals and projects; a phone photo fits well within it.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def image_size_checked(image):
    """An uploaded image (already opened by Pillow through ImageField) within the size limit."""
    if image and image.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is too large: keep it to 5 MB or less."), code="image_too_large"
        )
    return image


def pdf_checked(document):
    """An uploaded PDF within the size limit, or None when nothing was uploaded."""
    if not document:
        return None
    if document.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The document is too large: keep it to 5 MB or less."), code="document_too_large"
        )
    # By content, not by name: a renamed program or page must not pass as a PDF.
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            _("This file is not a PDF. Save the document as PDF and try again."),
            code="document_not_pdf",
        )
    return document
