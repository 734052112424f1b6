import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from accounts import census
from accounts.census import CensusFileError, census_import
from accounts.models import CensusImport, CensusRecord, User
from accounts.national_id import id_hash
from participation.models import Community

HEADER = "national_id,house_code,registered_on,birth_year,community"


def make_id(first_twelve: str) -> str:
    """Complete twelve digits with the Thai check digit."""
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(first_twelve))
    return first_twelve + str((11 - total % 11) % 10)


ID_A = make_id("310060012345")
ID_B = make_id("110170020345")
ID_C = make_id("370010000001")
ID_D = make_id("150990012222")


def csv_file(*lines: str, bom: bool = False) -> io.BytesIO:
    text = "\r\n".join([HEADER, *lines]) + "\r\n"
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def run(*lines: str, **kwargs) -> CensusImport:
    return census_import(file=csv_file(*lines), file_name="census.csv", **kwargs)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def communities(db):
    return (
        Community.objects.create(code="wat-saensuk", name_th="ชุมชนวัดแสนสุข"),
        Community.objects.create(code="bang-saen", name_th="ชุมชนบางแสน", name_en="Bang Saen"),
    )


def errors_by_line(report: CensusImport) -> dict[int, str]:
    return {error["line"]: error["reason"] for error in report.errors}


@pytest.mark.django_db
def test_good_and_bad_rows(communities):
    wat, bang_saen = communities
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    next_year = timezone.localdate().year + 1
    wrong_checksum = ID_D[:12] + str((int(ID_D[12]) + 1) % 10)
    report = run(
        f"{ID_A},12/3,2023-05-01,1985,wat-saensuk",  # 2: ISO date, community by code
        f"{ID_B},45,2566-05-01,2530,ชุมชนบางแสน",  # 3: BE date and year, community by Thai name
        f"{ID_C}, 7 ,1/5/2566,1990,bang-saen",  # 4: day-first BE date
        f"{ID_D},1,2023-05-01,1985",  # 5: four columns
        "12345,1,2023-05-01,1985,wat-saensuk",  # 6: too short
        f"{wrong_checksum},1,2023-05-01,1985,wat-saensuk",  # 7: checksum
        f"{make_id('100000000001')},1,2023-13-01,1985,wat-saensuk",  # 8: no such month
        f"{make_id('100000000002')},1,{future},1985,wat-saensuk",  # 9: future
        f"{make_id('100000000003')},1,2023-05-01,1850,wat-saensuk",  # 10: too early
        f"{make_id('100000000004')},1,2023-05-01,{next_year},wat-saensuk",  # 11: not born yet
        f"{make_id('100000000005')},1,2023-05-01,nineteen,wat-saensuk",  # 12: not a number
        f"{make_id('100000000006')},1,2023-05-01,1985,nowhere",  # 13: unknown community
        f"{make_id('100000000007')},,2023-05-01,1985,wat-saensuk",  # 14: empty house code
        f"{make_id('100000000008')},{'9' * 21},2023-05-01,1985,wat-saensuk",  # 15: long house code
        f"{ID_A},99,2020-01-01,1970,bang-saen",  # 16: same ID as line 2
    )
    year = timezone.localdate().year
    assert errors_by_line(report) == {
        5: "Expected 5 columns, found 4.",
        6: "A national ID has 13 digits.",
        7: "This national ID is not valid: please check the digits.",
        8: "“2023-13-01” is not a date: write it as 2023-05-01, 2566-05-01 or 1/5/2566.",
        9: f"The registration date {future} is in the future.",
        10: f"The birth year “1850” must be a year from 1900 to {year} (CE or BE).",
        11: f"The birth year “{next_year}” must be a year from 1900 to {year} (CE or BE).",
        12: f"The birth year “nineteen” must be a year from 1900 to {year} (CE or BE).",
        13: "Unknown community “nowhere”: use the community code or its exact Thai name.",
        14: "The house code is empty.",
        15: "The house code is longer than 20 characters.",
        16: "This national ID already appears on line 2.",
    }
    assert [error["line"] for error in report.errors] == list(range(5, 17))
    assert all(isinstance(error["reason"], str) for error in report.errors)
    assert (report.rows_read, report.rows_created, report.rows_updated, report.rows_unchanged) == (
        15,
        3,
        0,
        0,
    )

    report.refresh_from_db()
    assert len(report.errors) == 12
    assert report.file_name == "census.csv"
    records = {record.id_hash: record for record in CensusRecord.objects.all()}
    assert set(records) == {id_hash(ID_A), id_hash(ID_B), id_hash(ID_C)}
    a, b, c = records[id_hash(ID_A)], records[id_hash(ID_B)], records[id_hash(ID_C)]
    # The first occurrence of a duplicated ID is the one kept.
    assert (a.house_code, a.registered_on, a.birth_year, a.community) == (
        "12/3",
        date(2023, 5, 1),
        1985,
        wat,
    )
    assert (b.house_code, b.registered_on, b.birth_year, b.community) == (
        "45",
        date(2023, 5, 1),
        1987,
        bang_saen,
    )
    assert (c.house_code, c.registered_on, c.community) == ("7", date(2023, 5, 1), bang_saen)
    assert all(record.last_import == report for record in records.values())
    assert CensusRecord.history.filter(history_type="+").count() == 3


@pytest.mark.django_db
def test_several_problems_in_one_row_are_all_reported(communities):
    report = run("123,,yesterday,1800,nowhere")
    [error] = report.errors
    assert error["line"] == 2
    for part in ["13 digits", "house code is empty", "“yesterday” is not a date", "“1800”"]:
        assert part in error["reason"]
    assert "“nowhere”" in error["reason"]


@pytest.mark.django_db
def test_only_hashes_are_stored(communities):
    report = run(
        f"{ID_A},1,2023-05-01,1985,wat-saensuk",
        f"{ID_B},2,2023-13-01,1985,wat-saensuk",  # rejected rows must not leak the ID either
    )
    assert report.rows_created == 1
    stored = [
        *CensusRecord.objects.values_list(),
        *CensusRecord.history.values_list(),
        *CensusImport.objects.values_list(),
    ]
    text = repr(stored)
    assert ID_A not in text
    assert ID_B not in text
    assert CensusRecord.objects.get().id_hash == id_hash(ID_A)


@pytest.mark.django_db
def test_reimport_changes_nothing(communities):
    lines = [f"{ID_A},1,2023-05-01,1985,wat-saensuk", f"{ID_B},2,2566-05-01,2530,bang-saen"]
    first = run(*lines)
    history = CensusRecord.history.count()
    second = run(*lines)
    assert (second.rows_read, second.rows_created, second.rows_updated, second.rows_unchanged) == (
        2,
        0,
        0,
        2,
    )
    assert second.errors == []
    assert CensusRecord.objects.count() == 2
    assert CensusRecord.history.count() == history
    # Unchanged records still point at the import that last wrote them.
    assert set(CensusRecord.objects.values_list("last_import", flat=True)) == {first.pk}


@pytest.mark.django_db
def test_changed_row_updates(communities):
    first = run(f"{ID_A},1,2023-05-01,1985,wat-saensuk", f"{ID_B},2,2023-05-01,1985,wat-saensuk")
    uploader = User.objects.create_user("staff@example.org")
    second = run(
        f"{ID_A},1,2023-05-01,1985,wat-saensuk",
        f"{ID_B},8/1,2024-02-29,1985,bang-saen",
        f"{ID_C},3,2023-05-01,1990,wat-saensuk",
        uploaded_by=uploader,
    )
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (1, 1, 1)
    b = CensusRecord.objects.get(id_hash=id_hash(ID_B))
    assert (b.house_code, b.registered_on, b.community.code) == (
        "8/1",
        date(2024, 2, 29),
        "bang-saen",
    )
    assert b.last_import == second
    assert CensusRecord.objects.get(id_hash=id_hash(ID_A)).last_import == first
    change = b.history.latest()
    assert change.history_type == "~"
    assert change.history_user == uploader
    assert change.prev_record.house_code == "2"
    assert CensusRecord.history.get(id_hash=id_hash(ID_C)).history_user == uploader
    assert second.uploaded_by == uploader


@pytest.mark.django_db
def test_update_keeps_the_verification(communities):
    run(f"{ID_A},1,2023-05-01,1985,wat-saensuk")
    user = User.objects.create_user("resident@example.org")
    CensusRecord.objects.update(user=user, verified_at=timezone.now())
    report = run(f"{ID_A},2,2023-05-01,1985,wat-saensuk")
    assert report.rows_updated == 1
    record = CensusRecord.objects.get()
    assert (record.house_code, record.user) == ("2", user)
    assert record.verified_at is not None


@pytest.mark.django_db
def test_duplicate_in_file_written_differently(communities):
    spaced = f"{ID_A[0]}-{ID_A[1:5]}-{ID_A[5:10]}-{ID_A[10:12]}-{ID_A[12]}"
    report = run(
        f"{ID_A},1,2023-05-01,1985,wat-saensuk",
        f"{ID_B},2,2023-05-01,1985,wat-saensuk",
        f"{spaced},3,2023-05-01,1985,wat-saensuk",
    )
    assert report.errors == [{"line": 4, "reason": "This national ID already appears on line 2."}]
    assert report.rows_created == 2
    assert CensusRecord.objects.get(id_hash=id_hash(ID_A)).house_code == "1"


@pytest.mark.django_db
def test_bom_and_thai_digits(communities):
    thai_year = "๒๕๓๐"
    report = census_import(
        file=csv_file(f"{ID_A},1,๑/๕/๒๕๖๖,{thai_year},wat-saensuk", bom=True), file_name="bom.csv"
    )
    assert report.errors == []
    record = CensusRecord.objects.get()
    assert (record.registered_on, record.birth_year) == (date(2023, 5, 1), 1987)


@pytest.mark.django_db
def test_text_stream_and_blank_lines(communities):
    text = (
        f"\ufeff{HEADER}\n{ID_A},1,2023-05-01,1985,wat-saensuk\n\n,,,,\n"
        f"{ID_B},2,x,1985,wat-saensuk\n"
    )
    report = census_import(file=io.StringIO(text), file_name="text.csv")
    assert report.rows_read == 2
    assert report.rows_created == 1
    # Blank lines still count, so the number matches the spreadsheet row.
    assert [error["line"] for error in report.errors] == [5]


@pytest.mark.django_db
def test_quoted_fields(communities):
    report = run(f'"{ID_A}","12/3, หมู่ 4","2023-05-01","1985","wat-saensuk"')
    assert report.errors == []
    assert CensusRecord.objects.get().house_code == "12/3, หมู่ 4"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\r\n",
        b"id,house,date,year,community\r\n",
        b"national_id,house_code,registered_on,birth_year\r\n",
        f"{ID_A},1,2023-05-01,1985,wat-saensuk\r\n".encode(),
    ],
)
def test_bad_header_writes_nothing(communities, content):
    with pytest.raises(CensusFileError) as excinfo:
        census_import(file=io.BytesIO(content), file_name="bad.csv")
    assert str(excinfo.value) == f"The first line must be the column names: {HEADER}"
    assert not CensusImport.objects.exists()
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_not_utf8_writes_nothing(communities):
    text = f"{HEADER}\n{ID_A},1,2023-05-01,1985,ชุมชนวัดแสนสุข\n"
    with pytest.raises(CensusFileError) as excinfo:
        census_import(file=io.BytesIO(text.encode("cp874")), file_name="thai-windows.csv")
    assert "UTF-8" in str(excinfo.value)
    assert not CensusImport.objects.exists()
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_crash_while_writing_leaves_nothing(communities, monkeypatch):
    real = census.bulk_create_with_history

    def write_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        assert CensusRecord.objects.exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(census, "bulk_create_with_history", write_then_crash)
    with pytest.raises(RuntimeError):
        run(f"{ID_A},1,2023-05-01,1985,wat-saensuk", f"{ID_B},2,2023-05-01,1985,wat-saensuk")
    assert not CensusRecord.objects.exists()
    assert not CensusRecord.history.exists()
    assert not CensusImport.objects.exists()


@pytest.mark.django_db
def test_crash_after_updates_rolls_them_back(communities, monkeypatch):
    run(f"{ID_A},1,2023-05-01,1985,wat-saensuk")
    history = CensusRecord.history.count()

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(census, "bulk_create_with_history", crash)
    with pytest.raises(RuntimeError):
        run(f"{ID_A},changed,2023-05-01,1985,wat-saensuk", f"{ID_B},2,2023-05-01,1985,wat-saensuk")
    assert CensusRecord.objects.get().house_code == "1"
    assert CensusRecord.history.count() == history
    assert CensusImport.objects.count() == 1


@pytest.mark.django_db
def test_existing_records_are_fetched_in_chunks(
    communities, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(census, "CHUNK_SIZE", 2)
    ids = [make_id(f"1000000001{n:02d}") for n in range(5)]
    run(*(f"{national_id},1,2023-05-01,1985,wat-saensuk" for national_id in ids))
    # Communities, savepoint, report insert, 3 chunks, report update, savepoint release: no
    # per-row queries even when every row is already there.
    with django_assert_max_num_queries(8):
        report = run(*(f"{national_id},1,2023-05-01,1985,wat-saensuk" for national_id in ids))
    assert report.rows_unchanged == 5


@pytest.mark.django_db
def test_command_prints_counts_and_errors(communities, tmp_path):
    path = tmp_path / "census.csv"
    good, bad = f"{ID_A},1,2023-05-01,1985,wat-saensuk", "123,1,2023-05-01,1985,wat-saensuk"
    path.write_bytes(csv_file(good, bad).read())
    out = io.StringIO()
    call_command("import_census", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "2 rows read: 1 added, 0 changed, 0 unchanged, 1 rejected.",
        "line 3: A national ID has 13 digits.",
    ]
    report = CensusImport.objects.get()
    assert report.file_name == "census.csv"
    assert report.uploaded_by is None


@pytest.mark.django_db
def test_command_fails_on_unreadable_file(communities, tmp_path):
    path = tmp_path / "census.csv"
    path.write_bytes(b"name,house\r\n")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_census", str(path), stdout=io.StringIO())
    assert excinfo.value.returncode == 1
    assert "column names" in str(excinfo.value)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_census", str(tmp_path / "missing.csv"), stdout=io.StringIO())
    assert excinfo.value.returncode == 1
    assert "missing.csv" in str(excinfo.value)
    assert not CensusImport.objects.exists()


@pytest.mark.django_db
def test_unparseable_csv_writes_nothing(communities):
    # An unclosed quote swallows the rest of the file into one field past csv's size limit.
    content = f'{HEADER}\r\n{ID_A},"1,2023-05-01,1985,wat-saensuk\r\n'.encode() + b"x" * 200_000
    with pytest.raises(CensusFileError) as excinfo:
        census_import(file=io.BytesIO(content), file_name="broken.csv")
    assert "cannot be read as comma-separated values" in str(excinfo.value)
    assert not CensusImport.objects.exists()


@pytest.mark.django_db
def test_census_record_find_matches_an_id_typed_with_dashes_and_thai_digits():
    from accounts.national_id import InvalidNationalId
    from accounts.selectors import census_record_find
    from tests.factories import CensusRecordFactory, national_id

    record = CensusRecordFactory(national_id=national_id(4242))
    digits = national_id(4242)
    typed = f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"
    assert census_record_find(typed) == record
    assert census_record_find(typed.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))) == record
    assert census_record_find(national_id(4243)) is None
    with pytest.raises(InvalidNationalId):
        census_record_find("123")
