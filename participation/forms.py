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
