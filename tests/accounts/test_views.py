import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import CensusImport, Residence, ResidentClaim, User
from tests.factories import (
    PASSWORD,
    CensusRecordFactory,
    CommunityFactory,
    ResidentClaimFactory,
    UserFactory,
    national_id,
)

pytestmark = pytest.mark.django_db


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+/confirm-email/\S+/)", message.body).group(1)


@pytest.mark.parametrize("language", ["th", "en"])
def test_sign_up_confirm_verify_and_see_the_class(client, language):
    community = CommunityFactory(name_th="ชุมชนหนองมน", name_en="Nong Mon")
    CensusRecordFactory(national_id=national_id(21), birth_year=1988, community=community)

    response = client.post(
        f"/{language}/accounts/signup/",
        {"email": "Niran@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="niran@example.org")
    assert user.language == language
    assert len(mail.outbox) == 1

    response = client.get(confirmation_link(mail.outbox[0]))
    assert response.status_code == 200
    response = client.post(confirmation_link(mail.outbox[0]))
    assert response.status_code == 302

    spaced_id = national_id(21)
    spaced_id = (
        f"{spaced_id[0]}-{spaced_id[1:5]}-{spaced_id[5:10]}-{spaced_id[10:12]} {spaced_id[12]}"
    )
    response = client.post(
        f"/{language}/me/verify/", {"national_id": spaced_id, "birth_year": "2531"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/{language}/me/"
    user.refresh_from_db()
    assert user.residence == Residence.CITIZEN and user.residence_community == community
    page = response.content.decode()
    if language == "th":
        assert "ผู้ได้รับผลกระทบ: พลเมือง" in page and "ชุมชนหนองมน" in page
    else:
        assert "Affected: citizen" in page and "Nong Mon" in page


def test_bad_national_id_gets_a_message_not_a_500(client):
    client.force_login(UserFactory())
    for bad in ["", "123", "1234567890123", "๑๒๓", "x" * 500, "1-1017-00000-00-0"]:
        response = client.post("/en/me/verify/", {"national_id": bad, "birth_year": "1990"})
        assert response.status_code == 200
        assert (
            'class="field-error"' in response.content.decode()
            or "required" in response.content.decode()
        )


@pytest.mark.parametrize("year", ["", "abc", "1800", "9999", "-5", "2" * 40])
def test_bad_birth_year_gets_a_message(client, year):
    client.force_login(UserFactory())
    response = client.post("/en/me/verify/", {"national_id": national_id(1), "birth_year": year})
    assert response.status_code == 200
    assert "birth" in response.content.decode().lower()


def test_no_match_says_so_and_counts(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/en/me/verify/", {"national_id": national_id(3), "birth_year": "1990"})
    assert "do not match the house register" in response.content.decode()
    user.refresh_from_db()
    assert user.verification_failures == 1


def test_resident_claim_through_the_page(client):
    user = UserFactory()
    community = CommunityFactory()
    client.force_login(user)
    response = client.post(
        "/th/me/verify/resident/",
        {"community": community.pk, "basis": "works", "explanation": "ขายของที่ตลาดหนองมน"},
    )
    assert response.status_code == 302
    claim = ResidentClaim.objects.get(user=user)
    assert claim.status == ResidentClaim.Status.PENDING
    # A second post while one is pending does not create another.
    client.post(
        "/th/me/verify/resident/",
        {"community": community.pk, "basis": "works", "explanation": "ซ้ำ"},
    )
    assert ResidentClaim.objects.filter(user=user).count() == 1


def test_resident_claim_form_errors_are_shown(client):
    client.force_login(UserFactory())
    response = client.post("/en/me/verify/resident/", {"community": "999999", "basis": "flies"})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-error"') >= 2


def test_profile_saves_and_switches_language(client):
    user = UserFactory()
    community = CommunityFactory()
    client.force_login(user)
    response = client.post(
        "/th/me/",
        {
            "display_name": "Ploy",
            "community": community.pk,
            "language": "en",
            "notify_on_reply": "on",
            "email_digest": "daily",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/en/me/"
    user.refresh_from_db()
    assert (user.display_name, user.community, user.language, user.email_digest) == (
        "Ploy",
        community,
        "en",
        "daily",
    )


def test_account_deletion_needs_confirmation_then_signs_out(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/en/me/delete/", {})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.erased_at is None
    response = client.post("/en/me/delete/", {"confirm": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.erased_at is not None
    assert client.get("/en/me/").status_code == 302
    assert not client.login(email="person@example.org", password=PASSWORD)


@pytest.mark.parametrize(
    "path", ["/th/me/", "/th/me/verify/", "/en/me/verify/resident/", "/en/me/delete/"]
)
def test_account_pages_ask_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/th/admin/",
        "/th/admin/accounts/user/",
        "/th/admin/accounts/residentclaim/",
        "/th/admin/accounts/censusimport/add/",
        "/th/admin/accounts/censusrecord/",
    ],
)
def test_staff_pages_refuse_residents(client, path):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_moderator_works_the_resident_queue_but_cannot_upload_the_census(client):
    from django.contrib.auth.models import Group

    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="moderator"))
    claim = ResidentClaimFactory()
    client.force_login(moderator)

    queue = client.get("/en/admin/accounts/residentclaim/")
    assert queue.status_code == 302 and "status__exact=pending" in queue["Location"]
    assert client.get(queue["Location"]).status_code == 200
    assert client.get("/en/admin/accounts/censusimport/add/").status_code == 403

    change = f"/en/admin/accounts/residentclaim/{claim.pk}/change/"
    response = client.post(change, {"decision": "reject", "decision_reason": ""})
    assert response.status_code == 200  # the form shows the missing reason
    claim.refresh_from_db()
    assert claim.status == ResidentClaim.Status.PENDING
    response = client.post(change, {"decision": "reject", "decision_reason": "ไม่พบข้อมูล"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ResidentClaim.Status.REJECTED and claim.decided_by == moderator


def test_administrator_uploads_the_census_and_sees_the_report(client):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name="administrator"))
    CommunityFactory(code="nong-mon")
    client.force_login(admin)
    csv = (
        "national_id,house_code,registered_on,birth_year,community\n"
        f"{national_id(31)},2001-0001,2566-05-01,2530,nong-mon\n"
        "1234567890123,2001-0002,2020-01-01,1990,nong-mon\n"
    ).encode()
    response = client.post(
        "/en/admin/accounts/censusimport/add/",
        {"file": SimpleUploadedFile("census.csv", csv, content_type="text/csv")},
    )
    report = CensusImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_censusimport_change", args=[report.pk])
    assert report.rows_created == 1 and report.errors[0]["line"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "national ID is not valid" in page

    response = client.post(
        "/en/admin/accounts/censusimport/add/",
        {"file": SimpleUploadedFile("census.csv", b"\xff\xfe garbage", content_type="text/csv")},
    )
    assert response.status_code == 200 and "UTF-8" in response.content.decode()


def test_census_record_admin_finds_a_record_by_national_id(client):
    record = CensusRecordFactory(national_id=national_id(41))
    CensusRecordFactory(national_id=national_id(42))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/en/admin/accounts/censusrecord/", {"q": national_id(41)})
    assert list(response.context["cl"].result_list) == [record]


def test_password_reset_by_e_mail(client):
    user = UserFactory(email="reset@example.org")
    response = client.post("/th/accounts/password/reset/", {"email": "reset@example.org"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/\S+/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    new_password = "another-long-password-2569"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.parametrize(
    "data",
    [
        {"community": "not-a-number", "language": "xx", "email_digest": "hourly"},
        {"display_name": "ก" * 5000, "community": "", "language": "th", "email_digest": "never"},
        {"display_name": "\x00\x01", "language": "th", "email_digest": "never"},
        {},
    ],
)
def test_bad_profile_input_is_refused_with_messages(client, data):
    user = UserFactory(display_name="เดิม")
    client.force_login(user)
    response = client.post("/th/me/", data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "เดิม"


def test_interest_declaration_form_explains_each_class_in_thai():
    from django.template.loader import render_to_string
    from django.utils import translation

    from accounts.forms import InterestDeclarationForm

    with translation.override("th"):
        html = render_to_string(
            "accounts/includes/interest_declaration_form.html",
            {"declaration_form": InterestDeclarationForm(), "declaration_action": "/th/x/"},
        )
    assert "ผู้สนใจ" in html and "ผู้มีความกังวล" in html
    assert 'type="radio"' in html and "<legend>" in html


def test_a_moderator_unblocks_a_person_in_the_user_admin(client):
    from participation.models import ModerationAction
    from participation.services import author_block

    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    author_block(moderator=admin, author=person)
    client.force_login(admin)
    listed = client.get("/en/admin/accounts/user/", {"blocked_at__isnull": "False"})
    assert list(listed.context["cl"].result_list) == [person]
    response = client.post(
        "/en/admin/accounts/user/",
        {"action": "unblock_selected", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.blocked_at is None
    assert ModerationAction.objects.filter(kind="unblock", target_user=person).exists()
