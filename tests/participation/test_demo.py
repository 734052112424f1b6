import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import CensusRecord, Residence, User
from accounts.services import residence_verify
from participation.demo import CITIZEN_EMAIL, ROLE_ACCOUNTS, TRY_BIRTH_YEAR, TRY_NATIONAL_ID
from participation.models import Community, StrategicIssue

pytestmark = pytest.mark.django_db

MODELS = [Community, StrategicIssue, CensusRecord, User, Group]


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS
    } | {
        "history": [m.history.count() for m in (Community, StrategicIssue, CensusRecord, User)],
    }


def test_demo_data_loads_twice_without_change(capsys):
    call_command("load_demo")
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    for email in ROLE_ACCOUNTS.values():
        assert email in out


def test_demo_has_saensuk_places_issues_and_one_account_per_role():
    call_command("load_demo")
    names = set(Community.objects.values_list("name_th", flat=True))
    assert {"ชุมชนหาดวอนนภา", "ชุมชนตลาดหนองมน"} <= names
    assert any("บางแสน" in name for name in names)
    assert StrategicIssue.objects.active().count() == 3
    assert StrategicIssue.objects.filter(title_th__contains="หนองมน").exists()
    for role, email in ROLE_ACCOUNTS.items():
        assert User.objects.get(email=email).groups.filter(name=role).exists()
    assert User.objects.get(email=CITIZEN_EMAIL).residence == Residence.CITIZEN


def test_the_printed_national_id_verifies_a_newcomer():
    call_command("load_demo")
    newcomer = User.objects.create_user(email="new@example.org", password="x")
    residence_verify(user=newcomer, national_id=TRY_NATIONAL_ID, birth_year=TRY_BIRTH_YEAR)
    newcomer.refresh_from_db()
    assert newcomer.residence == Residence.CITIZEN
