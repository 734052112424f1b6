"""Anchoring annotations to the plain text of a rendered draft, in code points."""

from legislation import anchoring


def test_plain_text_is_the_text_of_the_rendered_html_and_sections_have_ids():
    rendered = anchoring.render("# ชื่อ\n\nบทนำ **หนา** & <script>x()</script>\n\n## หมวด ๑\n\nข้อ ๑")
    assert "<script" not in rendered.html
    assert '<h1 id="section-1">ชื่อ</h1>' in rendered.html
    assert '<h2 id="section-2">หมวด ๑</h2>' in rendered.html
    assert rendered.plain_text.startswith("ชื่อ\nบทนำ หนา &")
    assert [s["id"] for s in rendered.sections] == ["section-1", "section-2"]
    second = rendered.sections[1]
    assert rendered.plain_text[second["start"] : second["end"]].startswith("หมวด ๑")
    assert second["end"] == len(rendered.plain_text)


def test_thai_offsets_are_code_points_not_bytes_or_utf16():
    text = anchoring.render("ข้อ ๒ ห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น.").plain_text
    start = text.index("ห้ามตั้ง")
    # Thai is three bytes a character in UTF-8: offsets must not count bytes.
    assert start == 6 and len(text[:start].encode()) == 14
    assert anchoring.quote_matches(text, start, start + 8, "ห้ามตั้ง")
    assert not anchoring.quote_matches(text, start, start + 8, "ห้ามตั้งแ")


def test_emoji_and_combining_marks_count_as_code_points():
    text = anchoring.render("ชายหาด 🏖️ บางแสน e\u0301 ok").plain_text
    start = text.index("บางแสน")
    # The emoji is two code points (with its variation selector) and four UTF-16 units.
    assert start == len("ชายหาด 🏖️ ")
    assert anchoring.quote_matches(text, start, start + 6, "บางแสน")
    accent = text.index("e\u0301")
    assert anchoring.quote_matches(text, accent, accent + 2, "e\u0301")


def test_mixed_thai_and_english_passage_re_anchors_after_an_insertion():
    old = anchoring.render("ข้อ ๓ Vendors pay 300 baht (ค่าธรรมเนียม) per month").plain_text
    new = anchoring.render("## ใหม่\n\nข้อ ๓ Vendors pay 300 baht (ค่าธรรมเนียม) per month").plain_text
    quote = "300 baht (ค่าธรรมเนียม)"
    at = anchoring.reanchor(new, quote, old.index(quote))
    assert new[at : at + len(quote)] == quote


def test_a_passage_that_occurs_twice_moves_to_the_occurrence_nearest_its_old_offset():
    old = "ผู้ค้า ต้องสะอาด. ผู้ค้า ต้องสุภาพ."
    new = "คำนำ. ผู้ค้า ต้องสะอาด. ผู้ค้า ต้องสุภาพ."
    second = old.index("ผู้ค้า", 1)
    moved = anchoring.reanchor(new, "ผู้ค้า", second)
    assert moved == new.index("ผู้ค้า", new.index("ผู้ค้า") + 1)
    assert anchoring.reanchor(new, "ผู้ค้า", 0) == new.index("ผู้ค้า")
    # A tie goes to the earlier occurrence, so the result never depends on anything else.
    assert anchoring.reanchor("ab__ab", "ab", 2) == 0


def test_a_deleted_passage_has_no_anchor():
    assert anchoring.reanchor("ข้อ ๑ ผู้ค้าทุกราย", "ห้ามตั้งแผงลอย", 5) is None
    assert anchoring.reanchor("anything", "", 0) is None


def test_section_at_and_range():
    rendered = anchoring.render("บทนำ\n\n## หมวด ๑\n\nข้อ ๑\n\n## หมวด ๒\n\nข้อ ๒")
    text = rendered.plain_text
    assert anchoring.section_at(rendered.sections, 0) == ""
    assert anchoring.section_at(rendered.sections, text.index("ข้อ ๒")) == "section-2"
    start, end = anchoring.section_range(rendered.sections, "section-1")
    assert text[start:end].strip() == "หมวด ๑\nข้อ ๑"
    assert anchoring.section_range(rendered.sections, "section-9") is None


def test_coverage_splits_overlaps_into_counted_segments():
    segments = anchoring.coverage([(0, 10), (5, 15), (5, 8)])
    assert [(s.start, s.end, s.count) for s in segments] == [
        (0, 5, 1),
        (5, 8, 3),
        (8, 10, 2),
        (10, 15, 1),
    ]


def test_shade_wraps_passages_in_marks_without_changing_the_text():
    rendered = anchoring.render("ข้อ ๑ ห้าม**ตั้งแผง**ลอย & ขาย\n\nข้อ ๒ อื่น ๆ")
    text = rendered.plain_text
    a = text.index("ห้ามตั้งแผง")
    b = text.index("แผงลอย")
    shaded = anchoring.shade(rendered.html, [(a, a + 11), (b, b + 6)], anchors=[b])
    assert anchoring.text_of(shaded) == text
    # Only the passages the page links to have an anchor.
    assert f'id="at-{b}"' in shaded and f'id="at-{a}"' not in shaded
    assert '<mark class="shade-1">ห้าม</mark>' in shaded
    # "แผง" is covered by both, and sits in <strong>: the mark stays inside it.
    assert '<strong><mark class="shade-1">ตั้ง</mark>' in shaded
    assert '<mark class="shade-2">แผง</mark></strong>' in shaded
    assert "&amp;" in shaded


def test_touching_segments_of_one_shade_are_one_passage():
    segments = anchoring.coverage([(0, 10), (5, 15), (6, 8), (20, 25)])
    # Counts 1, 2, 3, 2, 1 then a gap: 2 and 3 share a shade (2-3 comments).
    assert [(s.start, s.end, s.count) for s in anchoring.shades(segments)] == [
        (0, 5, 1),
        (5, 10, 2),
        (10, 15, 1),
        (20, 25, 1),
    ]


def test_past_the_limit_the_shortest_passages_fold_into_their_neighbours():
    # Many short, alternating passages: 1 comment, 4 comments, 1, 4...
    ranges = []
    for n in range(0, 400, 2):
        ranges += [(n * 10, n * 10 + 10)] + [(n * 10 + 10, n * 10 + 20)] * 4
    ranges.append((4000, 4500))  # one long passage stays as it was
    shaded = anchoring.shades(anchoring.coverage(ranges), limit=20)
    assert len(shaded) <= 20
    assert shaded[-1].start <= 4000 and shaded[-1].end == 4500
    # Nothing is lost or shaded twice: the passages are disjoint and cover the same span.
    assert shaded[0].start == 0
    assert all(a.end <= b.start for a, b in zip(shaded, shaded[1:], strict=False))
    assert shaded[-2].end == 4000  # no gap before it, so the span is covered without holes
    # A folded passage counts the mean of what it covers: between 1 and 4 comments here.
    assert all(1 <= s.count <= 4 for s in shaded)
    assert any(anchoring.bucket(s.count) == 2 for s in shaded)  # 1 and 4 averaged to 2 or 3


def test_shading_stays_bounded_however_many_passages():
    paragraphs = 50
    rendered = anchoring.render(
        "\n\n".join(f"ข้อ {n} ห้ามตั้งแผงลอยก่อนเวลา" for n in range(paragraphs))
    )
    length = len(rendered.plain_text)
    limit = 20
    for step in (40, 7, 2):
        ranges = [(n, n + 3) for n in range(0, length - 3, step)]
        shaded = anchoring.shade(rendered.html, ranges, limit=limit)
        assert anchoring.text_of(shaded) == rendered.plain_text
        # A passage is cut where a paragraph ends, so a paragraph can add one mark.
        assert shaded.count("<mark") <= limit + paragraphs
        mark = len('<mark class="shade-1"></mark>')
        assert len(shaded) <= len(rendered.html) + (limit + paragraphs) * mark


def test_compare_marks_changes_within_a_thai_paragraph_by_character():
    rows = anchoring.compare(
        "# หัว\n\nห้ามตั้งแผงลอยก่อนเวลา ๐๖.๐๐ น.\n\nลบทิ้ง",
        "# หัว\n\nห้ามตั้งแผงลอยก่อนเวลา ๐๗.๐๐ น.\n\nข้อใหม่",
    )
    kinds = [row.kind for row in rows]
    assert kinds[0] == "equal"
    changed = rows[1]
    assert changed.old == "ห้ามตั้งแผงลอยก่อนเวลา ๐<del>๖</del>.๐๐ น."
    assert changed.new == "ห้ามตั้งแผงลอยก่อนเวลา ๐<ins>๗</ins>.๐๐ น."
    assert "<del>ลบทิ้ง</del>" in rows[2].old and "<ins>ข้อใหม่</ins>" in rows[2].new


def test_compare_escapes_markup():
    rows = anchoring.compare("<b>x</b>", "<b>y</b>")
    assert "<b>" not in rows[0].old and "&lt;b&gt;" in rows[0].old
