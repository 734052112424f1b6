"""Replying to a comment in headless Chromium on a phone-size screen: with JavaScript the reply
form opens in the thread (static/js/comments.js); without it, "Reply" opens the reply page."""

import re

import pytest

from participation.models import Comment, Flag, Vote
from tests.browser import fits_the_screen, sign_in
from tests.factories import CitizenFactory, CommentFactory, DebateFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reply_in_place_with_javascript(live_server, browser):
    parent = CommentFactory(commentable=DebateFactory(), author=UserFactory(display_name="สมศรี"))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, UserFactory())
    thread = f"{live_server.url}/th/debates/{parent.object_id}/?order=newest"
    page.goto(thread)
    link = page.locator(f"#comment-{parent.pk} a.comment-reply-link")
    assert "สมศรี" in link.text_content()  # "Reply to สมศรี" for screen readers

    link.click()
    field = page.locator(f"#comment-{parent.pk}-reply")
    field.wait_for()
    assert page.url == thread  # no page load: the form came into the thread
    assert link.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == f"comment-{parent.pk}-reply"
    assert fits_the_screen(page)
    # The link hides and shows it again, keeping what was typed.
    field.fill("เห็นด้วย")
    link.click()
    assert not field.is_visible() and link.get_attribute("aria-expanded") == "false"
    link.click()
    assert field.input_value() == "เห็นด้วย"

    page.locator(f"#comment-{parent.pk}-reply-box button[type=submit]").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(parent=parent)
    assert page.url == f"{thread}#comment-{reply.pk}"
    assert page.locator(f"#comment-{reply.pk}").is_visible()
    context.close()


def test_reply_on_the_reply_page_without_javascript(live_server, browser):
    parent = CommentFactory(commentable=DebateFactory())
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, UserFactory())
    thread = f"{live_server.url}/en/debates/{parent.object_id}/?order=oldest"
    page.goto(thread)
    page.locator(f"#comment-{parent.pk} a.comment-reply-link").click()
    page.wait_for_url(re.compile(rf"/en/comments/{parent.pk}/reply/\?next="))
    assert parent.body in page.locator("main").inner_text()
    assert fits_the_screen(page)
    page.fill(f"#comment-{parent.pk}-reply", "Agreed, and at night too.")
    page.locator("form.comment-reply-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(parent=parent)
    assert page.url == f"{thread}#comment-{reply.pk}"
    assert "Your comment has been published." in page.locator("main").inner_text()
    context.close()


def test_comment_like_and_report_share_one_form_without_javascript(live_server, browser):
    """Each comment's buttons submit the thread's one form to their own URL (formaction)."""
    parent = CommentFactory(commentable=DebateFactory())
    other = CommentFactory(commentable=parent.commentable)
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    voter = CitizenFactory()
    sign_in(page, live_server, voter)
    thread = f"{live_server.url}/en/debates/{parent.object_id}/?order=oldest"
    page.goto(thread)
    assert page.locator("form#comment-actions").count() == 1
    with page.expect_navigation():
        page.locator(f"#comment-{other.pk} button.vote-up").click()
    assert Vote.objects.get(user=voter).object_id == other.pk
    assert page.locator(f"#comment-{other.pk} button.vote-up[aria-pressed=true]").count() == 1
    with page.expect_navigation():
        page.locator(f"#comment-{parent.pk} button.flag-button").click()
    assert Flag.objects.get(user=voter).object_id == parent.pk
    context.close()
