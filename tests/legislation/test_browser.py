"""Commenting on the words of a draft in headless Chromium on a phone-size screen, in Thai and
English: select a Thai passage with the mouse, comment, see it anchored and shaded."""

import re

import pytest

from legislation.models import Annotation
from tests.browser import fits_the_screen, sign_in
from tests.factories import CitizenFactory
from tests.legislation.factories import published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An emoji and combining marks before the passage: the browser counts them in UTF-16 units, the
# server in code points, so a wrong conversion would shift every offset after them.
BODY = """# ร่างข้อบัญญัติ ชายหาดบางแสน 🏖️

## หมวด ๑ เวลาค้าขาย

ข้อ ๑ ผู้ค้าต้องขึ้นทะเบียน 👍🏽 ก่อนจำหน่ายสินค้า

ข้อ ๒ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๐.๐๐ น.

## Section 2 Fees

ข้อ ๓ Vendors pay ค่าธรรมเนียม 300 baht per month
"""
CLAUSE = "ข้อ ๒ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น. และหลังเวลา ๒๐.๐๐ น."
PASSAGE = "ห้ามตั้งแผงลอย"


def drag_over(page, text: str) -> None:
    """Press the mouse at the start of `text` in the draft and release it at its end."""
    box = page.evaluate(
        """(text) => {
          const root = document.getElementById("draft-text");
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const at = node.data.indexOf(text);
            if (at < 0) continue;
            node.parentElement.scrollIntoView({block: "center", behavior: "instant"});
            const first = document.createRange();
            first.setStart(node, at); first.setEnd(node, at + 1);
            const last = document.createRange();
            last.setStart(node, at + text.length - 1); last.setEnd(node, at + text.length);
            const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
            return {
              x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right, y2: b.top + b.height / 2,
            };
          }
          return null;
        }""",
        text,
    )
    assert box, f"{text} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


@pytest.mark.parametrize("language", ["th", "en"])
def test_select_a_thai_passage_comment_and_see_it_shaded(live_server, browser, language):
    version = published(body=BODY)
    reader = CitizenFactory(display_name="ผู้อ่าน")
    # Reduced motion turns the site's smooth scrolling off: after a comment the page scrolls to
    # it, and a drag measured while that scroll still runs would select the wrong words.
    context = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(30_000)  # a loaded CI machine: Chromium and the server share 2 cores
    sign_in(page, live_server, reader)
    page.goto(f"{live_server.url}/{language}/legislation/{version.process_id}/draft/")
    page.wait_for_url(re.compile(rf"/{language}/legislation/\d+/draft/\d+/$"))
    assert fits_the_screen(page)
    form = page.locator("#annotation-form")
    assert form.is_hidden()

    # 1. A triple click selects the whole clause (a paragraph of the draft).
    page.locator("#draft-text p", has_text="ห้ามตั้งแผงลอย").click(click_count=3)
    form.wait_for(state="visible")
    assert page.locator("#annotation-quote").inner_text() == CLAUSE
    page.fill("#annotation-form textarea", "ขอเริ่มขายได้ตั้งแต่ตีห้าครึ่ง")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"#annotation-\d+$"))
    whole = Annotation.objects.get()
    assert whole.quote == CLAUSE
    assert version.plain_text[whole.start : whole.end] == CLAUSE
    assert whole.section == "section-2"

    # 2. Dragging the mouse over a few Thai words selects just them.
    drag_over(page, PASSAGE)
    form.wait_for(state="visible")
    assert page.locator("#annotation-quote").inner_text() == PASSAGE
    page.fill("#annotation-form textarea", "ควรมีข้อยกเว้นช่วงเทศกาล")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.querySelectorAll('article.annotation').length === 2")
    passage = Annotation.objects.exclude(pk=whole.pk).get()
    assert passage.quote == PASSAGE
    assert passage.start == version.plain_text.index(PASSAGE)

    # Anchored and shaded: the words under both comments are darker than the rest of the clause.
    darker = page.locator("#draft-text mark.shade-2")
    assert darker.inner_text() == PASSAGE
    assert page.locator("#draft-text mark.shade-1").count() >= 1
    assert page.locator(f"#at-{passage.start}").count() == 1
    most = page.locator(".most-discussed a").first
    assert most.get_attribute("href").startswith("#at-")
    assert fits_the_screen(page)

    # The link after a heading picks its section in the one section form (its text is not
    # counted as the draft's: the selections above were made with these links on the page).
    page.locator("#section-3 + .section-comment-link a").click()
    assert page.locator("#section-choice").input_value() == "section-3"
    assert page.evaluate("document.activeElement.id") == "section-body"
    context.close()
