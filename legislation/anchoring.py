"""Draft text: Markdown → safe HTML, its plain text, its sections, passages and comparisons.

Every offset here counts Unicode code points (Python str indices) in the plain text, which is
the concatenation of the text nodes of the rendered HTML: the same string a browser gives as the
draft's textContent. The browser counts in UTF-16 units, so the JS converts (Array.from).
"""

import bisect
import difflib
import heapq
import html
import itertools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
DRAFT_TAGS = HEADINGS | {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
}
# participation.text.sanitise_html drops heading ids (and h1, h2), which the table of contents
# and the annotations' sections need, so drafts are cleaned here with their own allow-list.
DRAFT_ATTRIBUTES = {**{h: {"id"} for h in HEADINGS}, "a": {"href", "title"}}


@dataclass(frozen=True)
class Rendered:
    html: str
    plain_text: str
    # [{"id", "title", "level", "start", "end"}], start/end in the plain text.
    sections: list[dict]


class _TextWalker(HTMLParser):
    """Collects the text nodes of (trusted, sanitised) HTML and where each heading is."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.headings: list[dict] = []
        self._heading: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag in HEADINGS:
            self._heading = {
                "id": dict(attrs).get("id", ""),
                "level": int(tag[1]),
                "start": self.length,
                "title": "",
            }

    def handle_endtag(self, tag):
        if tag in HEADINGS and self._heading is not None:
            self.headings.append(self._heading)
            self._heading = None

    def handle_data(self, data):
        self.parts.append(data)
        self.length += len(data)
        if self._heading is not None:
            self._heading["title"] += data


def text_of(fragment: str) -> str:
    """The text content of an HTML fragment: its text nodes, joined."""
    walker = _TextWalker()
    walker.feed(fragment)
    walker.close()
    return "".join(walker.parts)


def _section_ids():
    counter = itertools.count(1)
    # Thai headings make poor slugs (combining vowels are not word characters), so sections
    # are numbered in reading order instead.
    return lambda _value, _separator: f"section-{next(counter)}"


def render(source: str) -> Rendered:
    """Render a draft's Markdown to sanitised HTML, with its plain text and its sections."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    raw = markdown.markdown(
        source,
        extensions=["toc", "tables", "sane_lists"],
        extension_configs={"toc": {"slugify": _section_ids(), "permalink": False}},
        output_format="html",
    )
    clean = nh3.clean(
        raw,
        tags=DRAFT_TAGS,
        attributes=DRAFT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    walker = _TextWalker()
    walker.feed(clean)
    walker.close()
    plain = "".join(walker.parts)
    sections = []
    starts = [heading["start"] for heading in walker.headings[1:]] + [len(plain)]
    for heading, end in zip(walker.headings, starts, strict=False):
        sections.append({**heading, "title": heading["title"].strip(), "end": end})
    return Rendered(html=clean, plain_text=plain, sections=sections)


def section_at(sections: list[dict], offset: int) -> str:
    """The id of the section holding `offset` ("" before the first heading)."""
    found = ""
    for section in sections:
        if section["start"] <= offset:
            found = section["id"]
    return found


def section_range(sections: list[dict], section_id: str) -> tuple[int, int] | None:
    """The start and end of a section's text, heading included; None if there is no such one."""
    for section in sections:
        if section["id"] == section_id:
            return section["start"], section["end"]
    return None


def quote_matches(plain_text: str, start: int, end: int, quote: str) -> bool:
    """Whether `quote` is exactly the text at [start, end) (the server re-checks the browser)."""
    return 0 <= start < end <= len(plain_text) and plain_text[start:end] == quote


def reanchor(plain_text: str, quote: str, old_start: int) -> int | None:
    """Where `quote` is in the new text: the occurrence nearest `old_start` (earlier on a tie).

    None when the passage is gone.
    """
    if not quote:
        return None
    best = None
    position = plain_text.find(quote)
    while position != -1:
        if best is None or abs(position - old_start) < abs(best - old_start):
            best = position
        position = plain_text.find(quote, position + 1)
    return best


# --- Shading ------------------------------------------------------------------------------------


@dataclass
class Segment:
    start: int
    end: int
    count: int

    @property
    def length(self) -> int:
        return self.end - self.start


def coverage(ranges: list[tuple[int, int]]) -> list[Segment]:
    """Split overlapping ranges into disjoint segments, each with how many ranges cover it."""
    events: dict[int, int] = {}
    for start, end in ranges:
        if end <= start:
            continue
        events[start] = events.get(start, 0) + 1
        events[end] = events.get(end, 0) - 1
    segments: list[Segment] = []
    count = 0
    points = sorted(events)
    for here, following in itertools.pairwise(points):
        count += events[here]
        if count > 0:
            segments.append(Segment(here, following, count))
    return segments


def bucket(count: int) -> int:
    """The shade for a passage: 1, 2-3, 4-6, 7 or more comments."""
    if count >= 7:
        return 4
    if count >= 4:
        return 3
    if count >= 2:
        return 2
    return 1


# The draft page carries at most this many shaded passages, however many annotations there are:
# each is a <mark> (or several, where it crosses a paragraph), and past a few hundred they would
# outweigh the draft itself on a phone's connection, while showing no more of where comments gather.
SHADES_LIMIT = 150


@dataclass(eq=False)
class _Run:
    """Touching text with one shade; `weight` is count × length, so merged runs keep the mean
    count of what they cover."""

    start: int
    end: int
    weight: int
    before: "_Run | None" = None
    after: "_Run | None" = None
    alive: bool = True

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def mean(self) -> float:
        return self.weight / self.length

    @property
    def shade(self) -> int:
        count = int(self.mean + 0.5)
        return bucket(count) if count else 0

    def absorb(self, other: "_Run") -> None:
        """Take in a touching neighbour (which then drops out of the list)."""
        self.start, self.end = min(self.start, other.start), max(self.end, other.end)
        self.weight += other.weight
        other.alive = False
        if other is self.after:
            self.after = other.after
            if self.after:
                self.after.before = self
        else:
            self.before = other.before
            if self.before:
                self.before.after = self


def _runs(segments: list[Segment]) -> list[_Run]:
    """The segments as linked runs, in order, with the gaps between them as unshaded runs."""
    runs: list[_Run] = []
    for segment in segments:
        if runs and runs[-1].end < segment.start:
            runs.append(_Run(runs[-1].end, segment.start, 0))
        runs.append(_Run(segment.start, segment.end, segment.count * segment.length))
    for before, after in itertools.pairwise(runs):
        before.after, after.before = after, before
    return runs


def _merge_alike(run: _Run) -> _Run:
    """Merge the run with its neighbours while they have its shade."""
    while run.before is not None and run.before.shade == run.shade:
        neighbour = run.before
        neighbour.absorb(run)
        run = neighbour
    while run.after is not None and run.after.shade == run.shade:
        run.absorb(run.after)
    return run


def shades(segments: list[Segment], limit: int = SHADES_LIMIT) -> list[Segment]:
    """The passages to shade: touching segments of one shade merged, and no more than `limit`
    passages. Past the limit the shortest passage (or gap) is folded into the neighbour nearest
    its count, coarsening the picture of where comments gather; a merged passage counts the mean
    of the counts over its length."""
    runs = _runs(segments)
    for run in runs:
        if run.alive:
            _merge_alike(run)
    # Adjacent runs now differ in shade, which every merge below keeps true.
    shaded = sum(1 for run in runs if run.alive and run.shade)
    heap = [(run.length, run.start, n, run) for n, run in enumerate(runs) if run.alive]
    heapq.heapify(heap)
    serial = len(runs)
    while shaded > limit and heap:
        length, _start, _n, run = heapq.heappop(heap)
        if not run.alive or run.length != length:
            continue  # merged since it was queued
        neighbours = [n for n in (run.before, run.after) if n is not None]
        if not neighbours:
            break
        into = min(neighbours, key=lambda n: (abs(n.mean - run.mean), -n.mean))
        near = {run, *neighbours, *(n for n in (into.before, into.after) if n is not None)}
        shaded -= sum(1 for n in near if n.shade)
        into.absorb(run)
        merged = _merge_alike(into)
        shaded += sum(1 for n in near if n.alive and n.shade)
        serial += 1
        heapq.heappush(heap, (merged.length, merged.start, serial, merged))
    return [
        Segment(run.start, run.end, int(run.mean + 0.5)) for run in runs if run.alive and run.shade
    ]


class _Shader(HTMLParser):
    """Re-emits sanitised HTML, cutting its text nodes at passage boundaries."""

    def __init__(self, segments: list[Segment], anchors: set[int]):
        super().__init__(convert_charrefs=True)
        self.segments = segments
        self.starts = [segment.start for segment in segments]
        self.anchors = anchors
        self.out: list[str] = []
        self.position = 0

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def _covering(self, offset: int) -> Segment | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and self.segments[index].end > offset:
            return self.segments[index]
        return None

    def handle_data(self, data):
        start, end = self.position, self.position + len(data)
        cuts = {start, end}
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        for segment in self.segments[first:]:
            if segment.start >= end:
                break
            if segment.end > start:
                cuts.add(max(segment.start, start))
                cuts.add(min(segment.end, end))
        cuts |= {a for a in self.anchors if start <= a < end}
        points = sorted(cuts)
        for left, right in itertools.pairwise(points):
            if left in self.anchors:
                self.out.append(f'<span id="at-{left}" class="passage-anchor"></span>')
                self.anchors.discard(left)
            piece = html.escape(data[left - start : right - start], quote=False)
            covering = self._covering(left)
            # The line breaks between blocks are text too, but a mark there would shade nothing.
            if covering and not data.isspace():
                self.out.append(f'<mark class="shade-{bucket(covering.count)}">{piece}</mark>')
            else:
                self.out.append(piece)
        self.position = end


def shade(
    rendered_html: str,
    ranges: list[tuple[int, int]],
    *,
    anchors: Iterable[int] = (),
    limit: int = SHADES_LIMIT,
) -> str:
    """The draft's HTML with commented passages in <mark>, shaded by how many comments cover
    them (at most `limit` passages, see `shades`), and an empty `#at-<offset>` anchor at each of
    `anchors`: the passages the page links to. The text is unchanged."""
    segments = shades(coverage(ranges), limit)
    shader = _Shader(segments, set(anchors))
    shader.feed(rendered_html)
    shader.close()
    return "".join(shader.out)


# --- Comparing versions ------------------------------------------------------------------------


@dataclass
class DiffRow:
    kind: str  # "equal", "replace", "delete", "insert"
    old: str  # HTML, escaped, with <del>
    new: str  # HTML, escaped, with <ins>


def _blocks(source: str) -> list[str]:
    source = source.replace("\r\n", "\n").strip()
    return [block.strip() for block in source.split("\n\n") if block.strip()]


def _marked(text: str, tag: str) -> str:
    return f"<{tag}>{html.escape(text)}</{tag}>" if text else ""


def _clusters(text: str) -> list[str]:
    """Characters with their combining marks (Thai vowels and tone marks) kept together."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.category(char).startswith("M"):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


# Below this similarity two paragraphs are different paragraphs, not one that was edited.
SAME_PARAGRAPH = 0.5


def _inline_diff(old: str, new: str) -> tuple[str, str] | None:
    # Thai runs words together without spaces, so a word diff would mark whole sentences:
    # changed paragraphs are compared character by character (a base character with its
    # marks), which marks exactly what changed.
    a, b = _clusters(old), _clusters(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < SAME_PARAGRAPH:
        return None
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(html.escape("".join(a[i1:i2])))
            right.append(html.escape("".join(b[j1:j2])))
        else:
            left.append(_marked("".join(a[i1:i2]), "del"))
            right.append(_marked("".join(b[j1:j2]), "ins"))
    return "".join(left), "".join(right)


def compare(old_source: str, new_source: str) -> list[DiffRow]:
    """Two versions' Markdown side by side, paragraph by paragraph, changes marked inside."""
    old_blocks, new_blocks = _blocks(old_source), _blocks(new_source)
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [DiffRow("equal", html.escape(b), html.escape(b)) for b in old_blocks[i1:i2]]
            continue
        olds, news = old_blocks[i1:i2], new_blocks[j1:j2]
        for old, new in itertools.zip_longest(olds, news):
            inline = _inline_diff(old, new) if old is not None and new is not None else None
            if inline is not None:
                rows.append(DiffRow("replace", *inline))
            elif old is not None and new is not None:
                rows.append(DiffRow("replace", _marked(old, "del"), _marked(new, "ins")))
            elif old is not None:
                rows.append(DiffRow("delete", _marked(old, "del"), ""))
            else:
                rows.append(DiffRow("insert", "", _marked(new, "ins")))
    return rows
