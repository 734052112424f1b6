import datetime

from django import template
from django.utils.translation import get_language

from participation import thai_dates

register = template.Library()


def _render(formatter, value, short: bool) -> str:
    if not isinstance(value, datetime.date):
        return ""
    try:
        return formatter(value, get_language(), short=short)
    except (ValueError, OverflowError):
        # A template must never blow up over a date, e.g. one at datetime.max after localtime.
        return ""


@register.filter
def thai_date(value) -> str:
    """Render a date as "9 มีนาคม 2568" (or "9 March 2025" in English)."""
    return _render(thai_dates.format_date, value, short=False)


@register.filter
def thai_date_short(value) -> str:
    """Render a date as "9 มี.ค. 2568" (or "9 Mar 2025" in English)."""
    return _render(thai_dates.format_date, value, short=True)


@register.filter
def thai_datetime(value) -> str:
    """Render a datetime as "9 มีนาคม 2568 เวลา 14:30 น." (or "9 March 2025, 14:30")."""
    return _render(thai_dates.format_datetime, value, short=False)


@register.filter
def thai_datetime_short(value) -> str:
    """Render a datetime as "9 มี.ค. 2568 เวลา 14:30 น." (or "9 Mar 2025, 14:30")."""
    return _render(thai_dates.format_datetime, value, short=True)
