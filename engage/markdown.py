"""Markdown to safe HTML (markdown-it-py, then nh3's allowlist), and to plain text."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
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
    return Markup(_rendered(source))  # noqa: S704 - sanitised by nh3 in _rendered


# The same few texts (an event's description, travel and access notes) are shown on
# every request for a page: each is parsed and sanitised once per process. The
# result depends on the text alone, so an edit is simply a new key.
@lru_cache(maxsize=256)
def _rendered(source: str) -> str:
    html = _shift_headings(_parser.render(source))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def to_text(source: str | None, *, link_urls: bool = False) -> str:
    """Markdown as plain text, for plain-text emails and calendar files.

    The result is text, not HTML: "&", "<" and quotes come out as typed, and
    the Markdown syntax goes. Anything that puts it into HTML must escape it
    (Jinja's autoescape does, in .html templates). With `link_urls`, a link
    keeps its address after its words: "Manage your booking (https://...)".
    """
    if not source:
        return ""
    return _text(source, link_urls)


# An event's access and attendee notes go into every email to its attendees:
# each text is converted once per process, as _rendered does for the pages.
@lru_cache(maxsize=256)
def _text(source: str, link_urls: bool) -> str:
    nodes = SyntaxTreeNode(_parser.parse(source)).children
    return "\n\n".join(_blocks(nodes, link_urls)).strip()


def _blocks(nodes: list[SyntaxTreeNode], link_urls: bool = False) -> list[str]:
    return [text for node in nodes if (text := _block(node, link_urls))]


def _block(node: SyntaxTreeNode, link_urls: bool = False) -> str:
    if node.type == "inline":
        return _inline(node, link_urls)
    if node.type in ("fence", "code_block", "html_block"):
        return node.content.rstrip("\n")
    if node.type in ("bullet_list", "ordered_list"):
        start = int(node.attrs.get("start", 1))
        items = []
        for number, item in enumerate(node.children, start):
            marker = f"{number}. " if node.type == "ordered_list" else "- "
            body = "\n".join(_blocks(item.children, link_urls))
            items.append(marker + body.replace("\n", "\n" + " " * len(marker)))
        return "\n".join(items)
    if node.type == "tr":
        return " | ".join(_block(cell, link_urls) for cell in node.children).rstrip()
    # Paragraphs, headings, quotes, table sections and cells: their contents.
    separator = "\n" if node.type in ("table", "thead", "tbody") else "\n\n"
    return separator.join(_blocks(node.children, link_urls))


def _inline(node: SyntaxTreeNode, link_urls: bool = False) -> str:
    parts = []
    for child in node.children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.children:  # emphasis, links, an image's alt text
            words = _inline(child, link_urls)
            href = str(child.attrs.get("href", "")) if child.type == "link" else ""
            if link_urls and href and href not in (words, f"mailto:{words}"):
                words = f"{words} ({href})"
            parts.append(words)
        else:  # text, code and (with html off, never) raw HTML: as typed
            parts.append(child.content)
    return "".join(parts)
