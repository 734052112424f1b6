"""CSV downloads that open correctly in Excel on a Thai Windows desk, and cannot run formulas."""

import csv
import datetime
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from participation.thai_dates import BE_OFFSET

# Excel reads a CSV without a byte-order mark in the machine's ANSI code page (TIS-620 on a Thai
# Windows), which turns Thai into mojibake; with the BOM it reads UTF-8.
BOM = "\ufeff"

# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP "CSV injection");
# tab and carriage return are in the list because some spreadsheets strip them before parsing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso_date(value: datetime.date | None) -> str:
    """A date, or a moment in local time, as YYYY-MM-DD; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value.isoformat()


def be_date(value: datetime.date | None) -> str:
    """The same date with its Buddhist Era year, DD/MM/YYYY as Thai forms write it."""
    iso = iso_date(value)
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{int(year) + BE_OFFSET}"


def csv_cell(value) -> str | int | float:
    """One cell: dates in ISO, None empty, text that a spreadsheet would run made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.date):
        return iso_date(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(*, filename: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    """A CSV download: UTF-8 with a BOM, formula-safe cells, dates as YYYY-MM-DD.

    A caller that wants a Buddhist Era date adds its own column with `be_date`.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([csv_cell(label) for label in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
