"""Import of the civil-registry extract (ทะเบียนราษฎร์) that lets residents verify their account."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts import national_id
from accounts.models import CensusImport, CensusRecord
from participation.models import Community
from participation.thai_dates import BE_OFFSET, parse_date

HEADER = ["national_id", "house_code", "registered_on", "birth_year", "community"]
HOUSE_CODE_MAX_LENGTH = CensusRecord._meta.get_field("house_code").max_length
# Keeps each id_hash__in query under SQLite's and PostgreSQL's parameter limits.
CHUNK_SIZE = 1000
# Years from 2400 on are Buddhist era: CE 2400 is centuries away, BE 2400 was CE 1857.
_BE_FROM = 2400
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_COMPARED_FIELDS = ["house_code", "registered_on", "birth_year", "community_id"]


class CensusFileError(ValueError):
    """The file as a whole cannot be read; nothing was imported. The message is for staff."""


@dataclass
class _Row:
    line: int
    id_hash: str
    house_code: str
    registered_on: date
    birth_year: int
    community: Community


def _to_ce(year: int) -> int:
    return year - BE_OFFSET if year >= _BE_FROM else year


def _read_text(file) -> str:
    try:
        data = file.read()
        if isinstance(data, bytes):
            # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte-order mark.
            return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CensusFileError(
            _(
                "The file is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8” "
                "and try again."
            )
        ) from error
    return data.removeprefix("\ufeff")


def _read_rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as error:
        raise CensusFileError(
            _("Line %(line)d cannot be read as comma-separated values.") % {"line": reader.line_num}
        ) from error


def _check_header(rows: list[list[str]]) -> None:
    if not rows or [name.strip() for name in rows[0]] != HEADER:
        raise CensusFileError(
            _("The first line must be the column names: %(header)s") % {"header": ",".join(HEADER)}
        )


def _communities() -> tuple[dict[str, Community], dict[str, Community]]:
    by_code, by_name = {}, {}
    for community in Community.objects.all():
        by_code[community.code] = community
        by_name[community.name_th] = community
    return by_code, by_name


def _validate(
    line: int, fields: list[str], communities, first_line_of: dict[str, int], today: date
) -> tuple[_Row | None, list[str]]:
    """Check one data row; return it ready to import, or the reasons it was rejected."""
    if len(fields) != len(HEADER):
        reason = _("Expected %(expected)d columns, found %(found)d.") % {
            "expected": len(HEADER),
            "found": len(fields),
        }
        return None, [reason]
    raw_id, house_code, raw_date, raw_year, raw_community = (field.strip() for field in fields)
    reasons = []

    hashed = None
    try:
        hashed = national_id.id_hash(raw_id)
    except national_id.InvalidNationalId as error:
        reasons.append(str(error))
    else:
        if hashed in first_line_of:
            reasons.append(
                _("This national ID already appears on line %(line)d.")
                % {"line": first_line_of[hashed]}
            )
        else:
            first_line_of[hashed] = line

    if not house_code:
        reasons.append(_("The house code is empty."))
    elif len(house_code) > HOUSE_CODE_MAX_LENGTH:
        reasons.append(
            _("The house code is longer than %(max)d characters.") % {"max": HOUSE_CODE_MAX_LENGTH}
        )

    registered_on = None
    try:
        registered_on = parse_date(raw_date)
    except ValueError:
        reasons.append(
            _("“%(value)s” is not a date: write it as 2023-05-01, 2566-05-01 or 1/5/2566.")
            % {"value": raw_date}
        )
    else:
        if registered_on > today:
            reasons.append(
                _("The registration date %(date)s is in the future.")
                % {"date": registered_on.isoformat()}
            )

    birth_year = None
    try:
        birth_year = _to_ce(int(raw_year.translate(_THAI_DIGITS)))
    except ValueError:
        pass
    if birth_year is None or not 1900 <= birth_year <= today.year:
        birth_year = None
        reasons.append(
            _("The birth year “%(value)s” must be a year from 1900 to %(year)d (CE or BE).")
            % {"value": raw_year, "year": today.year}
        )

    by_code, by_name = communities
    community = by_code.get(raw_community) or by_name.get(raw_community)
    if community is None:
        reasons.append(
            _("Unknown community “%(value)s”: use the community code or its exact Thai name.")
            % {"value": raw_community}
        )

    if reasons:
        return None, reasons
    return _Row(line, hashed, house_code, registered_on, birth_year, community), []


def census_import(*, file, file_name: str, uploaded_by=None) -> CensusImport:
    """Upsert the census records of a CSV extract by ID hash and return the saved import report."""
    rows = _read_rows(_read_text(file))
    _check_header(rows)

    communities = _communities()
    today = timezone.localdate()
    first_line_of: dict[str, int] = {}
    good: list[_Row] = []
    errors: list[dict] = []
    rows_read = 0
    # Line numbers are spreadsheet rows (header = 1), so staff can find them in Excel.
    for line, fields in enumerate(rows[1:], start=2):
        if not any(field.strip() for field in fields):
            continue
        rows_read += 1
        row, reasons = _validate(line, fields, communities, first_line_of, today)
        if row:
            good.append(row)
        else:
            errors.append({"line": line, "reason": " ".join(reasons)})

    with transaction.atomic():
        report = CensusImport.objects.create(
            file_name=file_name[: CensusImport._meta.get_field("file_name").max_length],
            uploaded_by=uploaded_by,
            rows_read=rows_read,
            errors=errors,
        )
        hashes = [row.id_hash for row in good]
        existing: dict[str, CensusRecord] = {}
        for start in range(0, len(hashes), CHUNK_SIZE):
            # Locked so a resident verifying meanwhile cannot be overwritten by a stale copy.
            chunk = CensusRecord.objects.select_for_update().filter(
                id_hash__in=hashes[start : start + CHUNK_SIZE]
            )
            existing.update((record.id_hash, record) for record in chunk)

        new_records = []
        for row in good:
            values = {
                "house_code": row.house_code,
                "registered_on": row.registered_on,
                "birth_year": row.birth_year,
                "community_id": row.community.pk,
            }
            record = existing.get(row.id_hash)
            if record is None:
                new_records.append(CensusRecord(id_hash=row.id_hash, last_import=report, **values))
                continue
            changed = [name for name in _COMPARED_FIELDS if getattr(record, name) != values[name]]
            if not changed:
                report.rows_unchanged += 1
                continue
            for name in changed:
                setattr(record, name, values[name])
            record.last_import = report
            record._history_user = uploaded_by
            # update_fields: the verification columns (user, verified_at) belong to the resident.
            record.save(update_fields=[*changed, "last_import"])
            report.rows_updated += 1

        if new_records:
            bulk_create_with_history(
                new_records, CensusRecord, batch_size=CHUNK_SIZE, default_user=uploaded_by
            )
        report.rows_created = len(new_records)
        report.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
    return report
