"""The newcomer's journey in headless Chromium on a phone-size screen: sign up, confirm the e-mail,
verify residence with a national ID, see the voter class."""

import re

import pytest
from django.core import mail

from accounts.models import Residence, User
from tests.browser import fits_the_screen
from tests.factories import PASSWORD, CensusRecordFactory, CommunityFactory, national_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED = {
    "th": {"class": "ผู้ได้รับผลกระทบ: พลเมือง", "community": "ชุมชนหาดวอนนภา"},
    "en": {"class": "Affected: citizen", "community": "Wonnapa Beach"},
}


@pytest.mark.parametrize("language", ["th", "en"])
def test_sign_up_confirm_verify_and_see_the_class(live_server, phone_page, language):
    page = phone_page
    community = CommunityFactory(
        code="hat-wonnapa", name_th="ชุมชนหาดวอนนภา", name_en="Wonnapa Beach"
    )
    CensusRecordFactory(national_id=national_id(77), birth_year=1992, community=community)
    email = f"browser-{language}@example.org"

    page.goto(f"{live_server.url}/{language}/")
    assert fits_the_screen(page)
    page.locator("header").get_by_role("link", name=re.compile("สมัครสมาชิก|Sign up")).click()
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/confirm-email/$"))
    assert fits_the_screen(page)

    link = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{language}/me/$"))

    page.goto(f"{live_server.url}/{language}/me/verify/")
    digits = national_id(77)
    page.fill(
        "input[name=national_id]",
        f"{digits[:1]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}",
    )
    page.fill("input[name=birth_year]", "2535")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/{language}/me/$"))

    main = page.locator("main")
    assert EXPECTED[language]["class"] in main.inner_text()
    assert EXPECTED[language]["community"] in main.inner_text()
    assert fits_the_screen(page)
    user = User.objects.get(email=email)
    assert user.residence == Residence.CITIZEN and user.language == language


def test_wrong_details_show_a_clear_message_in_thai(live_server, phone_page):
    from tests.factories import UserFactory

    UserFactory(email="wrong@example.org")
    page = phone_page
    page.goto(f"{live_server.url}/th/accounts/login/")
    page.fill("input[name=login]", "wrong@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/th/me/verify/")
    page.fill("input[name=national_id]", "1234567890123")
    page.fill("input[name=birth_year]", "2535")
    page.locator("main form button[type=submit]").first.click()
    error = page.locator(".field-error").first
    assert "เลขประจำตัวประชาชน" in error.inner_text()
    field = page.locator("input[name=national_id]")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "1234567890123"  # nothing typed is lost
