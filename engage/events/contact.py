"""Whom attendees of an event write to, and the online joining details as safe HTML."""

from __future__ import annotations

import re

from flask import current_app
from markupsafe import Markup, escape

from engage.events.models import Event

# An http(s) address up to the next space or quote; trailing punctuation is the sentence's.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def event_contact(event: Event | None) -> str:
    """The address attendees of the event write to: its own, else the site's CONTACT_EMAIL."""
    own = (event.contact_email or "").strip() if event is not None else ""
    return own or current_app.config["CONTACT_EMAIL"]


def join_urls(text: str | None) -> list[str]:
    """The http(s) addresses in the joining details, in order, without trailing punctuation."""
    return [match[0] for match in _matches(text or "")]


def join_url(text: str | None) -> str | None:
    """The first http(s) address in the joining details, or None."""
    return next(iter(join_urls(text)), None)


def join_details_html(text: str | None) -> Markup:
    """The joining details as HTML: every http(s) address a link, everything else escaped.

    Not Markdown: the details are pasted from a meeting invitation, and what
    looks like markup in them is shown as typed.
    """
    text = text or ""
    parts, end = [], 0
    for url, start in _matches(text):
        parts.append(escape(text[end:start]))
        parts.append(Markup('<a href="{0}" style="color:#1d4f91;">{0}</a>').format(url))
        end = start + len(url)
    parts.append(escape(text[end:]))
    return Markup("").join(parts)


def _matches(text: str) -> list[tuple[str, int]]:
    found = []
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING and not _balanced(url):
            url = url[:-1]
        if len(url) > len("https://"):
            found.append((url, match.start()))
    return found


def _balanced(url: str) -> bool:
    # "(https://example.org/a_(b))": keep the closing bracket that belongs to the address.
    closing = url[-1]
    opening = {")": "(", "]": "[", "}": "{"}.get(closing)
    return opening is not None and url.count(opening) >= url.count(closing)
