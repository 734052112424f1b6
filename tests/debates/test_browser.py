"""A debate's main journey in headless Chromium on a phone-size screen, in Thai and in English:
start a debate, comment, reply, vote, report it; a moderator hides it in the admin."""

import re

import pytest
from django.contrib.auth.models import Group

from debates.models import Debate
from participation.models import Comment, Flag, ModerationAction, Vote
from tests.browser import fits_the_screen, sign_in
from tests.factories import CitizenFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = {"th": "ทางเดินริมหาดบางแสนช่วงเย็น", "en": "An evening walkway along Bang Saen beach"}


@pytest.mark.parametrize("language", ["th", "en"])
def test_start_comment_reply_vote_report_and_a_moderator_hides(live_server, browser, language):
    author = CitizenFactory(display_name="ผู้เริ่ม")
    reporter = UserFactory(display_name="ผู้แจ้ง")
    moderator = UserFactory(is_staff=True, display_name="ผู้ดูแล")
    moderator.groups.add(Group.objects.get(name="moderator"))
    base = f"{live_server.url}/{language}"

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, author)

    page.goto(f"{base}/debates/")
    assert fits_the_screen(page)
    page.goto(f"{base}/debates/new/")
    page.fill("input[name=title]", TITLE[language])
    page.fill("textarea[name=description]", "อยากให้มีไฟส่องทาง<script>alert(1)</script>")
    page.fill("input[name=tags]", "ชายหาด, ทางเดิน")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{language}/debates/\d+/$"))
    debate = Debate.objects.get(title=TITLE[language])
    assert "<script" not in debate.description
    assert TITLE[language] in page.locator("h1").inner_text()

    page.fill("#comment-new-body", "เห็นด้วย ควรมีถังขยะเพิ่มด้วย")
    page.locator("form.comment-form button[type=submit]").click()
    comment = Comment.objects.get(object_id=debate.pk)
    page.locator(f"#comment-{comment.pk}").wait_for()
    # The thread is in the page before comments.js (deferred) runs: a click that early would
    # follow the link to the reply page, as it does without JavaScript.
    page.wait_for_load_state("load")

    # "Reply" links to the reply page; comments.js fetches its form into the thread instead.
    page.locator(f"#comment-{comment.pk} a.comment-reply-link").click()
    page.fill(f"#comment-{comment.pk}-reply", "ขอบคุณค่ะ")
    assert page.url.endswith(f"/debates/{debate.pk}/#comment-{comment.pk}")
    page.locator(f"#comment-{comment.pk}-reply-box button[type=submit]").click()
    page.wait_for_function("() => document.querySelectorAll('article[id^=comment-]').length === 2")
    assert Comment.objects.filter(parent=comment).count() == 1

    page.locator("main form.vote-buttons button.vote-up").first.click()
    page.wait_for_selector("main form.vote-buttons button.vote-up[aria-pressed=true]")
    debate.refresh_from_db()
    assert debate.cached_votes_up == 1
    assert Vote.objects.get(object_id=debate.pk, user=author).voter_class == "affected_citizen"
    assert fits_the_screen(page)
    context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, reporter)
    page.goto(f"{base}/debates/{debate.pk}/")
    page.locator("main form.flag-form button").first.click()
    page.wait_for_load_state()
    assert Flag.objects.filter(user=reporter, object_id=debate.pk).exists()
    context.close()

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, moderator)
    page.goto(f"{base}/admin/debates/debate/")
    page.check(f"input[name=_selected_action][value='{debate.pk}']")
    page.select_option("select[name=action]", "hide_selected")
    page.locator("button[name=index], input[name=index]").first.click()
    page.wait_for_load_state()
    debate.refresh_from_db()
    assert debate.hidden_at is not None
    assert ModerationAction.objects.filter(moderator=moderator, kind="hide").exists()
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/debates/")
    assert TITLE[language] not in page.locator("main").inner_text()
    assert page.goto(f"{base}/debates/{debate.pk}/").status == 404
    context.close()
