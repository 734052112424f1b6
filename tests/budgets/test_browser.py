"""The budget's main journey in headless Chromium on a phone, in Thai and English: propose a
project; staff value it; support it; build a knapsack ballot that goes over the amount and see
the message; change it; staff compute results in the admin; the results page shows the winners."""

import re

import pytest
from django.contrib.auth.models import Group

from budgets.models import HeadingResult, Investment, RollEntry
from budgets.services import ballot_state
from tests.browser import fits_the_screen, sign_in
from tests.budgets.factories import InvestmentFactory, heading_in, phases_set
from tests.factories import CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = {"th": "ลานออกกำลังกายริมคลอง", "en": "An exercise yard by the canal"}


def phone(browser, live_server, user, language):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="th-TH" if language == "th" else "en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        sign_in(page, live_server, user)
    return context, page


@pytest.mark.parametrize("language", ["th", "en"])
def test_propose_value_support_ballot_and_results(live_server, browser, language):
    base = f"{live_server.url}/{language}/budgets"
    heading = heading_in("accepting")
    budget = heading.group.budget
    author, voter = CitizenFactory(), CitizenFactory()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="administrator"))

    # Propose.
    context, page = phone(browser, live_server, author, language)
    page.goto(f"{base}/headings/{heading.pk}/")
    page.locator(f"main a[href$='/headings/{heading.pk}/propose/']").click()
    page.fill("input[name=title]", TITLE[language])
    page.fill("textarea[name=description]", "พื้นที่ออกกำลังกายสำหรับผู้สูงอายุ")
    page.fill("input[name=estimated_cost]", "450000")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/projects/\d+/$"))
    investment = Investment.objects.get(title=TITLE[language])
    assert TITLE[language] in page.locator("main h1").inner_text()
    assert fits_the_screen(page)
    context.close()

    # Staff value it.
    context, page = phone(browser, live_server, staff, language)
    page.goto(f"{base}/projects/{investment.pk}/valuate/")
    page.check("input[name=feasibility][value=feasible]")
    page.fill("input[name=price]", "700000")
    page.fill("input[name=duration]", "4 เดือน")
    page.select_option("select[name=competence]", "within")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/projects/{investment.pk}/$"))
    investment.refresh_from_db()
    assert (investment.feasibility, investment.price) == ("feasible", 700_000)
    context.close()
    investment.selected_for_ballot = True
    investment.save()
    other = InvestmentFactory(heading=heading, title="ไฟทางเดิน", price=400_000)

    # Support in the selecting phase.
    phases_set(budget, "selecting")
    context, page = phone(browser, live_server, voter, language)
    page.goto(f"{base}/projects/{investment.pk}/")
    page.locator("main form[action$='/support/'] button").click()
    page.locator("main form[action$='/withdraw/'] button").wait_for()
    assert Investment.objects.get(pk=investment.pk).supports_count == 1

    # Ballot: 700,000 + 400,000 goes over 1,000,000.
    phases_set(budget, "balloting")
    page.goto(f"{base}/headings/{heading.pk}/ballot/")
    assert fits_the_screen(page)
    page.locator(f"#investment-{investment.pk} form button").click()
    page.wait_for_load_state()
    assert "300,000" in page.locator(".ballot-status").inner_text()
    page.locator(f"#investment-{other.pk} form button").click()
    page.wait_for_load_state()
    error = page.locator(".message.error")
    assert "300,000" in error.inner_text() and "400,000" in error.inner_text()
    assert fits_the_screen(page)
    # Change it: take the big project off, put the small one on.
    page.locator(f"#investment-{investment.pk} form button").click()
    page.wait_for_load_state()
    page.locator(f"#investment-{other.pk} form button").click()
    page.wait_for_load_state()
    assert "600,000" in page.locator(".ballot-status").inner_text()
    entry = RollEntry.objects.get(user=voter, heading=heading)
    assert [line.investment_id for line in ballot_state(heading, entry).lines] == [other.pk]
    context.close()

    # Staff compute and publish the results in the admin.
    phases_set(budget, "reviewing_ballots")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, staff)
    for action in ("compute_results", "publish_results"):
        page.goto(f"{live_server.url}/{language}/admin/budgets/heading/")
        page.check(f"input[name=_selected_action][value='{heading.pk}']")
        page.select_option("select[name=action]", action)
        page.locator("button[name=index]").click()
        page.wait_for_load_state()
    assert HeadingResult.objects.get(heading=heading).published_at is not None
    context.close()

    context, page = phone(browser, live_server, None, language)
    page.goto(f"{base}/headings/{heading.pk}/results/")
    winners = page.locator("tr.is-winner").all_inner_texts()
    assert len(winners) == 1 and "ไฟทางเดิน" in winners[0]
    assert fits_the_screen(page)
    context.close()
