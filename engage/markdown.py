"""Markdown to safe HTML: parse with markdown-it-py, then allowlist-sanitise with nh3."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is escaped by the parser, and nh3 removes anything
# that still is not on these lists: no script, no handlers, no style.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _shift_headings(html: str) -> str:
    # The page owns the only h1; a "# Heading" in the text becomes an h2.
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def render(source: str | None) -> Markup:
    """Render Markdown written by staff as sanitised HTML."""
    if not source:
        return Markup("")
    html = _shift_headings(_parser.render(source))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def to_text(source: str | None) -> str:
    """Markdown as plain text, for plain-text emails and feed summaries."""
    if not source:
        return ""
    return nh3.clean(_parser.render(source), tags=set()).strip()
