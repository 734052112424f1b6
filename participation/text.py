"""What people write: rich text is sanitised once, on the way in."""

import nh3

RICH_TEXT_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h3",
    "h4",
}
RICH_TEXT_ATTRIBUTES = {"a": {"href", "title"}}


def sanitise_html(text: str) -> str:
    """Keep simple formatting and links; drop scripts, styles, event handlers and other markup."""
    cleaned = nh3.clean(
        text.strip(),
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    if "<" not in cleaned:
        # Plain text typed into the box: keep its paragraphs.
        paragraphs = [p.strip() for p in cleaned.split("\n\n") if p.strip()]
        cleaned = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return cleaned
