"""The vote journey in headless Chromium, in Thai and English, on a phone-size screen: a citizen
votes, an officer marks a voter on the booth's roll, after the close enters the paper ballot and
another officer confirms, staff publish, and the results show the chart, the reconciliation and
the ballot box's hash."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from polls.models import Ballot, Envelope, PollResult, RollEntry
from tests.browser import fits_the_screen, sign_in
from tests.factories import CensusRecordFactory, CitizenFactory, UserFactory, national_id
from tests.polls.factories import BoothFactory, officer, poll_with_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser, live_server, user, **options):
    context = browser.new_context(viewport={"width": 390, "height": 844}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, user)
    return context, page


@pytest.mark.parametrize("language", ["th", "en"])
def test_vote_booth_publish_and_chart(live_server, browser, language):
    base = f"{live_server.url}/{language}"
    poll = poll_with_questions(title=f"ลานจอดรถตลาด {language}")
    citizen = CitizenFactory()
    person, second = officer(), officer()
    booth = BoothFactory(poll=poll, officers=[person, second])
    CensusRecordFactory(national_id=national_id(5150))
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="administrator"))

    # A citizen votes on a phone.
    context, page = phone(browser, live_server, citizen)
    page.goto(f"{base}/polls/")
    page.locator(f"main a[href$='/polls/{poll.pk}/']").first.click()
    page.wait_for_url(re.compile(rf"/polls/{poll.pk}/$"))
    assert fits_the_screen(page)
    single, multiple, _text = poll.questions.all()
    page.locator(f"input[name=question_{single.pk}]").first.check()
    boxes = page.locator(f"input[name=question_{multiple.pk}]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    # The enhancement: with two ticked, the third rests until one is unticked.
    assert boxes.nth(2).is_disabled()
    page.locator("main form[action$='/vote/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/polls/{poll.pk}/$"))
    assert RollEntry.objects.filter(user=citizen).count() == 1
    assert Envelope.objects.count() == 1 and not Ballot.objects.exists()
    assert page.locator("main form[action$='/vote/']").count() == 0
    assert fits_the_screen(page)
    context.close()

    # The poll officer marks a voter on the booth's roll, without JavaScript: no answers.
    context, page = phone(browser, live_server, person, java_script_enabled=False)
    page.goto(f"{base}/polls/booths/{booth.pk}/")
    page.fill("input[name=national_id]", national_id(5150))
    page.locator("main form button[type=submit]").click()
    page.locator("main button[name=mark]").wait_for()
    assert page.locator("main input[name^=question_]").count() == 0
    page.locator("main button[name=mark]").click()
    page.wait_for_url(re.compile(rf"/polls/booths/{booth.pk}/$"))
    assert RollEntry.objects.filter(channel="booth", booth=booth).count() == 1
    assert fits_the_screen(page)

    # The poll closes; the officer enters the paper ballot from the box.
    poll.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    poll.save()
    page.goto(f"{base}/polls/booths/{booth.pk}/ballots/")
    page.locator(f"input[name=question_{single.pk}]").nth(1).check()
    page.locator(f"input[name=question_{multiple.pk}]").nth(2).check()
    page.locator("main form[action$='/ballots/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/polls/booths/{booth.pk}/ballots/$"))
    assert Ballot.objects.filter(booth=booth).count() == 1
    assert page.locator("main form[action$='/ballots/']").count() == 0  # the roll is full
    assert fits_the_screen(page)
    context.close()

    # Another officer of the booth confirms the count.
    context, page = phone(browser, live_server, second, java_script_enabled=False)
    page.goto(f"{base}/polls/booths/{booth.pk}/")
    page.locator("main form[action$='/confirm/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/polls/booths/{booth.pk}/$"))
    booth.refresh_from_db()
    assert booth.count_confirmed_by == second
    assert fits_the_screen(page)
    context.close()

    # Staff publish in the admin: the envelopes are opened and everything counted.
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, staff)
    page.goto(f"{base}/admin/polls/poll/")
    page.locator(f"input[name=_selected_action][value='{poll.pk}']").check()
    page.select_option("select[name=action]", "publish_results")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    result = PollResult.objects.get(poll=poll)
    assert result.published_at is not None and result.data["ballots"] == 2
    assert not Envelope.objects.exists()
    context.close()

    # Anyone sees the chart, the reconciliation and the hash, on a phone, without signing in.
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/polls/{poll.pk}/results/")
    chart = page.locator("main svg[role=img]").first
    assert chart.is_visible()
    assert chart.locator("rect").count() == 2
    assert page.locator("main table").count() >= 3
    assert page.locator("main .reconciliation").is_visible()
    assert page.locator("main code.hash").first.inner_text() == result.ballot_box_sha256
    assert page.locator(f"main a[href$='/polls/{poll.pk}/ballots.csv']").count() == 1
    assert fits_the_screen(page)
    page.screenshot(path=f"/tmp/polls-results-{language}.png", full_page=True)
    context.close()
