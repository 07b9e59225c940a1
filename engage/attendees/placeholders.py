"""The placeholders an organiser's message may hold, filled in safely for each person.

Only the names in PLACEHOLDERS are replaced, in one pass with a regular
expression: never str.format on what someone typed (that could read any
attribute of the values it is given), and a value that itself looks like a
placeholder is not filled in again. Anything else in braces stays as typed;
unknown_placeholders() lists it so the page can warn.

The body is Markdown. A person's values go into it escaped for Markdown, so a
first name such as "<script>" or "[x](javascript:...)" is text, never markup;
engage.markdown.render then escapes it for HTML and sanitises the rest. The
self-service link goes in as an autolink, <https://...>, which works both on
its own and as the address of a link: [Manage your booking]({manage_link}).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from markupsafe import Markup

from engage.markdown import render, to_text

PLACEHOLDERS = {
    "first_name": "the person's first name",
    "event_title": "the event's title",
    "manage_link": "their own link to see, change or cancel their booking",
}
LINK = "manage_link"

_KNOWN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_ANY = re.compile(r"\{([^{}\n]{1,60})\}")
# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclasses.dataclass(frozen=True)
class Filled:
    """One person's message: subject, plain text and HTML."""

    subject: str
    text: str
    html: Markup


def uses_link(*texts: str) -> bool:
    """Whether any of the texts asks for the self-service link."""
    return any(f"{{{LINK}}}" in text for text in texts)


def unknown_placeholders(*texts: str) -> list[str]:
    """Everything in braces that is not a known placeholder, as typed, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _ANY.finditer(text or ""):
            if match.group(1) not in PLACEHOLDERS:
                found.setdefault(match.group(0))
    return list(found)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Plain text with the known placeholders replaced by the values as they are."""
    return _KNOWN.sub(lambda match: _one_line(values[match.group(1)]), text)


def fill_markdown(source: str, values: Mapping[str, str]) -> str:
    """Markdown with the known placeholders replaced by values that can only be text."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == LINK:
            return f"<{values[name]}>"
        return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _one_line(values[name]))

    return _KNOWN.sub(value, source)


def fill(subject: str, body_md: str, values: Mapping[str, str]) -> Filled:
    """The message for one person: subject and plain text as typed, HTML sanitised."""
    source = fill_markdown(body_md, values)
    return Filled(
        subject=fill_text(subject, values),
        text=to_text(source, link_urls=True),
        html=render(source),
    )


def _one_line(value: str) -> str:
    # A value is one line of text wherever it lands (a subject, a paragraph).
    return " ".join(_LINE_BREAKS.sub(" ", value or "").split())
