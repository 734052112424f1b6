import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from participation.forms import ThaiDateField
from participation.templatetags import thai_dates as thai_date_filters
from participation.thai_dates import format_date, format_datetime, parse_date

UTC = datetime.UTC
D = datetime.date(2025, 3, 9)
DT = datetime.datetime(2025, 3, 9, 7, 30, tzinfo=UTC)  # 14:30 in Bangkok


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "short", "expected"),
    [
        ("th", False, "9 มีนาคม 2568"),
        ("th", True, "9 มี.ค. 2568"),
        ("en", False, "9 March 2025"),
        ("en", True, "9 Mar 2025"),
        ("en-us", False, "9 March 2025"),
        (None, False, "9 มีนาคม 2568"),
    ],
)
def test_format_date(language, short, expected):
    assert format_date(D, language, short=short) == expected


def test_format_date_none_is_empty():
    assert format_date(None, "th") == ""
    assert format_datetime(None, "en") == ""


def test_format_date_every_thai_month_short():
    abbreviations = [format_date(datetime.date(2025, m, 1), "th", short=True) for m in range(1, 13)]
    assert [a.split()[1] for a in abbreviations] == [
        "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
        "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    ]  # fmt: skip


def test_year_end_boundary_uses_bangkok_time():
    utc_new_years_eve = datetime.datetime(2024, 12, 31, 18, 0, tzinfo=UTC)
    assert format_date(utc_new_years_eve, "th") == "1 มกราคม 2568"
    assert format_date(utc_new_years_eve, "en") == "1 January 2025"
    assert format_datetime(utc_new_years_eve, "th") == "1 มกราคม 2568 เวลา 01:00 น."


def test_last_bangkok_moment_of_the_year_stays_in_2567():
    utc = datetime.datetime(2024, 12, 31, 16, 59, tzinfo=UTC)
    assert format_date(utc, "th") == "31 ธันวาคม 2567"


@pytest.mark.parametrize(
    ("language", "short", "expected"),
    [
        ("th", False, "9 มีนาคม 2568 เวลา 14:30 น."),
        ("th", True, "9 มี.ค. 2568 เวลา 14:30 น."),
        ("en", False, "9 March 2025, 14:30"),
        ("en", True, "9 Mar 2025, 14:30"),
    ],
)
def test_format_datetime(language, short, expected):
    assert format_datetime(DT, language, short=short) == expected


def test_format_datetime_of_plain_date_has_no_time():
    assert format_datetime(D, "th") == "9 มีนาคม 2568"


# --- template filters -----------------------------------------------------------------------


def render(source, **context):
    return Template(source).render(Context(context))


def test_filter_is_a_builtin_without_load():
    with translation.override("th"):
        assert render("{{ d|thai_date }}", d=D) == "9 มีนาคม 2568"
    with translation.override("en"):
        assert render("{{ d|thai_date }}", d=D) == "9 March 2025"


@pytest.mark.parametrize(
    ("filter_name", "th", "en"),
    [
        ("thai_date", "9 มีนาคม 2568", "9 March 2025"),
        ("thai_date_short", "9 มี.ค. 2568", "9 Mar 2025"),
        ("thai_datetime", "9 มีนาคม 2568 เวลา 14:30 น.", "9 March 2025, 14:30"),
        ("thai_datetime_short", "9 มี.ค. 2568 เวลา 14:30 น.", "9 Mar 2025, 14:30"),
    ],
)
def test_filters_follow_active_language(filter_name, th, en):
    source = "{{ d|" + filter_name + " }}"
    with translation.override("th"):
        assert render(source, d=DT) == th
    with translation.override("en"):
        assert render(source, d=DT) == en


@pytest.mark.parametrize("value", [None, "", "2025-03-09", 42, object()])
def test_filters_return_empty_for_non_dates(value):
    for name in ("thai_date", "thai_date_short", "thai_datetime", "thai_datetime_short"):
        assert getattr(thai_date_filters, name)(value) == ""
    assert render("{{ d|thai_date }}", d=value) == ""


def test_filter_never_raises_on_overflow():
    assert thai_date_filters.thai_datetime(datetime.datetime.max.replace(tzinfo=UTC)) == ""


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-09",
        "2568-03-09",
        "9/3/2568",
        "09/03/2025",
        "9-3-2568",
        "9.3.2568",
        "9 มีนาคม 2568",
        "9 มี.ค. 2568",
        "9 มีค 2568",
        "9มีนาคม2568",
        "9 March 2025",
        "9 Mar 2025",
        "9 mar. 2025",
        "9 MARCH 2025",
        "9 March, 2025",
        "  9   มีนาคม\t 2568 ",
        "9\u00a0มีนาคม\u00a02568",
    ],
)
def test_parse_formats(text):
    assert parse_date(text) == D


def test_parse_every_month_name():
    for month in range(1, 13):
        day = datetime.date(2025, month, 1)
        for language in ("th", "en"):
            for short in (False, True):
                assert parse_date(format_date(day, language, short=short)) == day


def test_parse_sept():
    assert parse_date("1 Sept 2025") == datetime.date(2025, 9, 1)


@pytest.mark.parametrize("text", ["๙/๓/๒๕๖๘", "๙ มีนาคม ๒๕๖๘", "๒๕๖๘-๐๓-๐๙"])
def test_parse_thai_digits(text):
    assert parse_date(text) == D


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9 มีนาคม พ.ศ. 2568", D),
        ("9 มีนาคม พ.ศ.2568", D),
        ("9 มี.ค.พ.ศ.2568", D),
        ("9 March CE 2025", D),
        ("9 มีนาคม ค.ศ. 2025", D),
        ("9/3/พ.ศ. 2568", D),
        ("9 March BE 2568", D),
        ("9 March B.E. 2568", D),
        # A marker overrides the >= 2400 rule in both directions.
        ("1 มกราคม พ.ศ. 2300", datetime.date(1757, 1, 1)),
        ("1 January CE 2568", datetime.date(2568, 1, 1)),
    ],
)
def test_parse_era_markers(text, expected):
    assert parse_date(text) == expected


def test_year_without_marker_threshold():
    assert parse_date("1/1/2399") == datetime.date(2399, 1, 1)
    assert parse_date("1/1/2400") == datetime.date(1857, 1, 1)


@pytest.mark.parametrize("text", ["9 มี.ค. 68", "9/3/68", "09/03/25", "9 Mar 25", "68-03-09"])
def test_two_digit_years_are_rejected(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("text", ["31/02/2568", "29/2/2568", "2025-02-29", "0/1/2568", "1/13/2568"])
def test_impossible_dates_are_rejected(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_leap_day_in_be_year():
    # 2567 BE is 2024 CE, a leap year.
    assert parse_date("29/2/2567") == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["", "   ", "tomorrow", "9 Foo 2568", "9/3-2568", "2025/03/09", "9 มีนาคม", "๙"]
)
def test_garbage_is_rejected(text):
    with pytest.raises(ValueError):
        parse_date(text)


# --- form field -----------------------------------------------------------------------------


class EventForm(forms.Form):
    day = ThaiDateField()


def test_form_field_parses_thai_input():
    form = EventForm(data={"day": "9 มี.ค. 2568"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == D


def test_form_field_error_message():
    with translation.override("en"):
        form = EventForm(data={"day": "9 มี.ค. 68"})
        assert not form.is_valid()
        assert form.errors["day"] == ["Enter a date such as 9 มีนาคม 2568 or 9/3/2568."]
        assert form.errors.as_data()["day"][0].code == "invalid"


def test_form_field_required():
    form = EventForm(data={"day": ""})
    assert not form.is_valid()
    assert form.errors.as_data()["day"][0].code == "required"


def test_form_field_widget_is_plain_text():
    html = str(EventForm()["day"])
    assert 'type="text"' in html
    assert 'inputmode="text"' in html
    assert 'autocomplete="off"' in html


def test_form_field_redisplays_be_date():
    with translation.override("th"):
        assert 'value="9 มีนาคม 2568"' in str(EventForm(initial={"day": D})["day"])
    with translation.override("en"):
        assert 'value="9 March 2025"' in str(EventForm(initial={"day": D})["day"])


def test_form_field_keeps_raw_input_on_error():
    form = EventForm(data={"day": "9 มี.ค. 68"})
    assert 'value="9 มี.ค. 68"' in str(form["day"])
