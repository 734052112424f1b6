"""Thai-first date formatting and parsing (Buddhist Era years, Thai month names)."""

import datetime
import re

from django.utils import timezone

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Spelled out rather than taken from calendar.month_name, which follows the process locale.
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _month_key(name: str) -> str:
    # People type abbreviations with or without dots ("มี.ค.", "มีค", "Mar."), so ignore them.
    return name.replace(".", "").casefold()


_MONTH_LOOKUP = {
    _month_key(name): number
    for names in (THAI_MONTHS, THAI_MONTHS_SHORT, ENGLISH_MONTHS)
    for number, name in enumerate(names, start=1)
}
_MONTH_LOOKUP.update({_month_key(name[:3]): n for n, name in enumerate(ENGLISH_MONTHS, start=1)})
_MONTH_LOOKUP["sept"] = 9

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Four-digit years only: "68" could be 2568 BE or 2068 CE, so two-digit years are refused.
_YEAR = r"(?:(?P<era>พ\.ศ\.|ค\.ศ\.|B\.?E\.?|C\.?E\.?)\s*)?(?P<year>[0-9]{4})"
_ISO_RE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")
_NUMERIC_RE = re.compile(
    r"(?P<day>[0-9]{1,2})(?P<sep>[/.\-])(?P<month>[0-9]{1,2})(?P=sep)\s*" + _YEAR,
    re.IGNORECASE,
)
_TEXT_RE = re.compile(
    r"(?P<day>[0-9]{1,2})\s*(?P<month>[^0-9\s,]+?)\s*,?\s*" + _YEAR,
    re.IGNORECASE,
)


def _is_english(language: str | None) -> bool:
    return bool(language) and language.lower().startswith("en")


def _local_date_and_time(value: datetime.date) -> tuple[datetime.date, datetime.time | None]:
    if isinstance(value, datetime.datetime):
        # Naive datetimes are taken as already local rather than guessed at.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date(), value.time()
    return value, None


def _format_day(day: datetime.date, english: bool, short: bool) -> str:
    if english:
        month = ENGLISH_MONTHS[day.month - 1]
        return f"{day.day} {month[:3] if short else month} {day.year}"
    month = (THAI_MONTHS_SHORT if short else THAI_MONTHS)[day.month - 1]
    return f"{day.day} {month} {day.year + BE_OFFSET}"


def format_date(value: datetime.date | None, language: str, *, short: bool = False) -> str:
    """Format a date or aware datetime as "9 มีนาคม 2568" (Thai, BE) or "9 March 2025"."""
    if value is None:
        return ""
    day, _ = _local_date_and_time(value)
    return _format_day(day, _is_english(language), short)


def format_datetime(value: datetime.date | None, language: str, *, short: bool = False) -> str:
    """Format as "9 มีนาคม 2568 เวลา 14:30 น." (Thai) or "9 March 2025, 14:30" (English)."""
    if value is None:
        return ""
    day, time = _local_date_and_time(value)
    english = _is_english(language)
    text = _format_day(day, english, short)
    if time is None:
        return text
    clock = f"{time.hour:02d}:{time.minute:02d}"
    return f"{text}, {clock}" if english else f"{text} เวลา {clock} น."


def _year_to_ce(year: int, era: str | None) -> int:
    if era:
        is_be = era.replace(".", "").upper() in ("พศ", "BE")
    else:
        # No Gregorian date anyone types here is that late, and no BE year that early.
        is_be = year >= 2400
    return year - BE_OFFSET if is_be else year


def parse_date(text: str) -> datetime.date:
    """Parse a Thai or English date as people type it; raise ValueError if it is not one."""
    cleaned = " ".join(str(text).translate(_THAI_DIGITS).split())
    if match := _ISO_RE.fullmatch(cleaned):
        month = int(match["month"])
        era = None
    elif match := _NUMERIC_RE.fullmatch(cleaned):
        month = int(match["month"])
        era = match["era"]
    elif match := _TEXT_RE.fullmatch(cleaned):
        month = _MONTH_LOOKUP.get(_month_key(match["month"]))
        if month is None:
            raise ValueError(f"Unknown month name: {match['month']!r}")
        era = match["era"]
    else:
        raise ValueError(f"Unrecognised date: {text!r}")
    year = _year_to_ce(int(match["year"]), era)
    try:
        return datetime.date(year, month, int(match["day"]))
    except ValueError:
        raise ValueError(f"Impossible date: {text!r}") from None
