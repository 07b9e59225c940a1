"""Placeholders are filled in by name only, and a person's values can only ever be text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from engage.attendees.placeholders import fill, unknown_placeholders, uses_link
from engage.markdown import render

LINK = "https://events.example.org/registrations/abc_DEF-123"
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click me](https://evil.example/phish)",
    "[x](javascript:alert(1))",
    "**Ada** _the_ `first`",
    "# Heading\n\n- list",
    "&lt;b&gt; &amp;",
    "{manage_link} {event_title}",
    "Ada\r\nBcc: evil@example.org",
]


def _values(first_name: str = "Ada") -> dict[str, str]:
    return {"first_name": first_name, "event_title": "Engagement Day", "manage_link": LINK}


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_known_placeholders_are_filled_in_everywhere():
    filled = fill(
        "{event_title}: news for {first_name}",
        "Dear {first_name},\n\n**{event_title}** is soon. [Manage your booking]({manage_link})"
        " or go to {manage_link}",
        _values(),
    )
    assert filled.subject == "Engagement Day: news for Ada"
    assert filled.text == (
        "Dear Ada,\n\nEngagement Day is soon. Manage your booking (" + LINK + ") or go to " + LINK
    )
    assert "<strong>Engagement Day</strong>" in filled.html
    links = [attrs["href"] for tag, attrs in _Tags(filled.html).tags if tag == "a"]
    assert links == [LINK, LINK]  # the words of the organiser's own link, and the bare one


@pytest.mark.parametrize(
    "typed",
    ["{firstname}", "{first_name.upper}", "{0}", "{first_name!r}", "{event_title:>99}", "{}"],
)
def test_anything_else_in_braces_stays_as_typed(typed):
    filled = fill(f"Hi {typed}", f"Hi {typed}", _values())
    assert filled.subject == f"Hi {typed}"
    assert typed in filled.text
    assert unknown_placeholders(f"Hi {typed}") == ([typed] if typed != "{}" else [])


def test_str_format_would_have_read_the_values_attributes():
    """Why not str.format: a typed placeholder reaches into the objects it is given."""
    typed = "{first_name.__class__.__mro__}"
    assert "object" in typed.format(**_values())
    assert fill(typed, typed, _values()).subject == typed


def test_unknown_placeholders_are_listed_once_each_in_order():
    found = unknown_placeholders("Hi {name} {first_name}", "{venue} and {name} {manage_link}")
    assert found == ["{name}", "{venue}"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_first_name_is_text_in_the_html_and_as_typed_in_the_text(name):
    filled = fill("Hello {first_name}", "Dear {first_name}, see you.", _values(name))
    assert _Tags(filled.html).tags == [("p", {})]  # nothing the name wrote became markup
    one_line = " ".join(name.split())
    assert filled.text == f"Dear {one_line}, see you."
    assert filled.subject == f"Hello {one_line}"
    assert "{manage_link}" not in name or LINK not in filled.text  # not filled in twice


def test_control_a_name_put_into_the_markdown_unescaped_becomes_a_link():
    """Control: the check above catches a name pasted into the Markdown as it is."""
    careless = render("Dear {first_name}, see you.".replace("{first_name}", HOSTILE_NAMES[2]))
    assert ("a", {"href": "https://evil.example/phish", "rel": "noopener noreferrer nofollow"}) in (
        _Tags(careless).tags
    )


def test_the_link_is_asked_for_only_by_its_placeholder():
    assert uses_link("Hi", "Go to {manage_link}")
    assert not uses_link("Hi {first_name}", "See {event_title}")
