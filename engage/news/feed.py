"""The Atom feed of news."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from flask import current_app

from engage.markdown import render
from engage.news.models import NewsItem
from engage.timefmt import iso
from engage.urls import external_url

ATOM = "http://www.w3.org/2005/Atom"


def atom(items: Sequence[NewsItem]) -> bytes:
    """An Atom document for the given published items, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"{current_app.config['SITE_NAME']}: news")
    _text(feed, "id", external_url("news.index"))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=external_url("news.feed"))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=external_url("news.index"))
    updated = max((item.updated_at for item in items), default=None)
    _text(feed, "updated", iso(updated) if updated else "1970-01-01T00:00:00Z")
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        link = external_url("news.detail", slug=item.slug)
        _text(entry, "title", item.title)
        _text(entry, "id", link)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=link)
        _text(entry, "published", iso(item.published_at))
        _text(entry, "updated", iso(max(item.updated_at, item.published_at)))
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", item.author.name if item.author else current_app.config["SITE_NAME"])
        if item.summary:
            _text(entry, "summary", item.summary)
        content = _text(entry, "content", str(render(item.body_md)))
        content.set("type", "html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = value
    return element
