"""A proposal's main journey in headless Chromium, in Thai and English: write, preview, publish,
support, withdraw, reach a small threshold; staff screen its competence in the admin."""

import re

import pytest
from django.contrib.auth.models import Group

from proposals.models import Proposal, Support
from tests.browser import fits_the_screen, sign_in
from tests.factories import CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = {"th": "ศาลาพักริมหาดวอนนภา", "en": "A shaded rest stop at Wonnapa beach"}
AGENCY = "กรมเจ้าท่า"


def phone(browser, live_server, user):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, user)
    return context, page


@pytest.mark.parametrize("language", ["th", "en"])
def test_write_publish_support_withdraw_succeed_and_screen(
    live_server, browser, settings, language
):
    settings.PROPOSAL_SUPPORT_THRESHOLD = "2"
    base = f"{live_server.url}/{language}"
    author, first, second = CitizenFactory(), CitizenFactory(), CitizenFactory()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="administrator"))

    context, page = phone(browser, live_server, author)
    page.goto(f"{base}/proposals/new/")
    page.fill("input[name=title]", TITLE[language])
    page.fill("textarea[name=summary]", "ศาลาเล็ก ๆ ให้ผู้สูงอายุพักหลบแดด")
    page.fill("textarea[name=description]", "ริมหาดไม่มีที่ร่ม <b>ผู้สูงอายุ</b> เดินไกล")
    page.fill("input[name=tags]", "ชายหาด")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/preview/$"))
    assert TITLE[language] in page.locator("main").inner_text()
    assert fits_the_screen(page)
    page.locator("main form[action$='/publish/'] button").click()
    page.wait_for_url(re.compile(rf"/{language}/proposals/RK-\d{{4}}-\d{{4}}/$"))
    proposal = Proposal.objects.get(title=TITLE[language])
    assert proposal.status == "published" and proposal.reference in page.url
    context.close()

    context, page = phone(browser, live_server, first)
    page.goto(f"{base}/proposals/{proposal.reference}/")
    page.locator("main form[action$='/support/'] button").click()
    page.locator("main form[action$='/withdraw/'] button").wait_for()
    assert Support.objects.filter(user=first, proposal=proposal).exists()
    page.locator("main form[action$='/withdraw/'] button").click()
    page.locator("main form[action$='/support/'] button").wait_for()
    assert not Support.objects.filter(user=first, proposal=proposal).exists()
    page.locator("main form[action$='/support/'] button").click()
    page.locator("main form[action$='/withdraw/'] button").wait_for()
    context.close()

    context, page = phone(browser, live_server, second)
    page.goto(f"{base}/proposals/{proposal.reference}/")
    page.locator("main form[action$='/support/'] button").click()
    page.locator("main form[action$='/withdraw/'] button").wait_for()
    proposal.refresh_from_db()
    assert proposal.supports_count == 2 and proposal.successful_at is not None
    assert fits_the_screen(page)
    context.close()

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, staff)
    page.goto(f"{base}/admin/proposals/proposal/{proposal.pk}/change/")
    page.select_option("select[name=competence]", "outside")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.competence == ""  # refused: no responsible agency
    page.select_option("select[name=competence]", "outside")
    page.fill("input[name=responsible_agency]", AGENCY)
    page.fill("textarea[name=competence_explanation]", "ชายหาดเป็นที่สาธารณะของกรมเจ้าท่า")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.competence == "outside" and proposal.responsible_agency == AGENCY
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/proposals/{proposal.reference}/")
    assert AGENCY in page.locator("main").inner_text()
    context.close()
