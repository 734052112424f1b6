"""The Thai catalogue is complete, and what Django itself says reaches a Thai user in Thai."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import django
import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil

from accounts.models import User

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po"
THAI = re.compile("[\u0e00-\u0e7f]")


def po_entries(path: Path) -> list[dict]:
    """A minimal .po reader: one dict per entry, with its flags and unquoted fields."""
    entries, entry, key = [], {"flags": set(), "refs": []}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set(), "refs": []}, None
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"] += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def is_thai(text) -> bool:
    return bool(THAI.search(str(text)))


def test_the_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = po_entries(PO_FILE)
    header = entries[0]
    assert header["msgid"] == ""
    assert "Language: th\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]

    messages = entries[1:]
    assert len(messages) > 300
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated = []
    for entry in messages:
        msgstrs = [value for key, value in entry.items() if key.startswith("msgstr")]
        if not msgstrs or not all(msgstrs):
            untranslated.append(entry["msgid"])
    assert untranslated == []


def test_placeholders_survive_translation():
    placeholder = re.compile(r"%\((\w+)\)[sdr]|%[sd]|\{(\w*)\}")
    for entry in po_entries(PO_FILE)[1:]:
        source = entry.get("msgid_plural", entry["msgid"])
        for key, value in entry.items():
            if key.startswith("msgstr"):
                assert sorted(placeholder.findall(value)) == sorted(placeholder.findall(source)), (
                    entry["msgid"]
                )


def test_django_msgids_repeated_for_makemessages_are_still_the_ones_used():
    """config/django_strings.py must follow the installed packages letter for letter."""
    packages = Path(django.__file__).resolve().parents[1]
    django_ids = set()
    for app in ("conf", "contrib/auth", "contrib/admin", "contrib/contenttypes"):
        english = packages / "django" / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
        django_ids |= {
            (e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in po_entries(english)
        }
    third_party = "\n".join(
        source.read_text(encoding="utf-8")
        for package in ("simple_history", "taggit")
        for source in (packages / package).rglob("*")
        if source.suffix in {".py", ".html"} and "tests" not in source.parts
    )
    repeated = [e for e in po_entries(PO_FILE)[1:] if "config/django_strings.py" in e["refs"]]
    assert len(repeated) > 100
    for entry in repeated:
        key = (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
        if key in django_ids:
            continue
        # Templates write %(name)s as {{ name }}.
        pattern = re.sub(
            r"%\\\((\w+)\\\)s",
            r"(?:%\\(\1\\)s|{{ ?\1 ?}})",
            re.escape(entry["msgid"]),
        )
        assert re.search(pattern, third_party), entry["msgid"]


def test_the_voter_class_badge_reads_as_the_brief_says():
    with translation.override("th"):
        assert translation.gettext("Affected: citizen") == "ผู้ได้รับผลกระทบ: พลเมือง"
        assert translation.gettext("Affected: resident") == "ผู้ได้รับผลกระทบ: ผู้พักอาศัย"


def test_password_rules_and_errors_are_in_thai():
    with translation.override("th"):
        validators = password_validation.get_default_password_validators()
        assert len(validators) == 4
        for validator in validators:
            assert is_thai(validator.get_help_text()), type(validator).__name__

        with pytest.raises(ValidationError) as short:
            password_validation.MinimumLengthValidator().validate("abc")
        assert all(is_thai(message) for message in short.value.messages)
        assert "8" in short.value.messages[0]

        with pytest.raises(ValidationError) as common:
            password_validation.CommonPasswordValidator().validate("password")
        with pytest.raises(ValidationError) as numeric:
            password_validation.NumericPasswordValidator().validate("20250309")
        with pytest.raises(ValidationError) as similar:
            user = User(email="somchai@example.org")  # unsaved: no database needed
            password_validation.UserAttributeSimilarityValidator(["email"]).validate(
                "somchai@example.org", user
            )
        for error in (common, numeric, similar):
            assert all(is_thai(message) for message in error.value.messages)
        assert "ที่อยู่อีเมล" in similar.value.messages[0]


def test_time_since_is_in_thai():
    now = timezone.now()
    with translation.override("th"):
        assert is_thai(timesince(now - timedelta(days=3), now))
        assert "3" in timesince(now - timedelta(days=3), now)
        assert is_thai(timesince(now - timedelta(days=800), now))
        assert is_thai(timeuntil(now + timedelta(hours=5, minutes=10), now))


def test_form_errors_from_django_are_in_thai():
    from django import forms

    class Form(forms.Form):
        day = forms.DateField()
        count = forms.IntegerField(max_value=5)
        name = forms.CharField(max_length=3)

    with translation.override("th"):
        form = Form({"day": "not a date", "count": "9", "name": "too long"})
        assert not form.is_valid()
        for errors in form.errors.values():
            assert all(is_thai(error) for error in errors)


# This project's own msgids that the home page shows; none may be left in English under /th/.
HOME_PAGE_MSGIDS = [
    "Skip to main content",
    "Saensuk Town Municipality",
    "Sign in",
    "Sign up",
    "Think together for Saensuk",
    "Strategic issues",
    "Five ways to take part",
    "Citizen proposals",
    "Collaborative legislation",
    "Participatory budgeting",
    "Opens with the pilot timeline",
    "Who can vote",
    "Interested",
    "Concerned",
]


@pytest.mark.django_db
def test_the_thai_home_page_has_no_english_left(client):
    response = client.get("/th/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="th">' in page
    left_in_english = [msgid for msgid in HOME_PAGE_MSGIDS if msgid in page]
    assert left_in_english == []
    assert "ข้ามไปยังเนื้อหาหลัก" in page and "ประเด็นยุทธศาสตร์" in page
