"""The error summary links each error to its field itself, in the order the page shows them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import render_template_string
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from engage.forms import EngageForm, in_page_order, one_newline, options
from engage.registrations.forms import Choice, MultiCheckbox
from engage.timefields import LocalDateTimeField

FIELD_TAGS = {"input", "select", "textarea"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[tuple[str, str]] = []  # (id, tag), in page order
        self.links: list[str] = []  # the summary's link targets
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "error-summary__list" in (found.get("class") or ""):
            self._in_summary = True
        if self._in_summary and tag == "a":
            self.links.append(found["href"].removeprefix("#"))
        if found.get("id"):
            self.ids.append((found["id"], tag))

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary = False


def summary_and_fields(html: str) -> tuple[list[str], dict[str, str], list[str]]:
    """The summary's targets; each id's tag; the ids of form fields in page order."""
    page = _Page()
    page.feed(html)
    tags = dict(page.ids)
    return page.links, tags, [id_ for id_, tag in page.ids if tag in FIELD_TAGS]


def assert_links_land_on_fields_in_page_order(html: str) -> list[str]:
    """Every summary link targets a field (input, select, textarea), in page order."""
    links, tags, fields = summary_and_fields(html)
    assert links, "no error summary"
    for target in links:
        assert tags.get(target) in FIELD_TAGS, f"#{target} is a {tags.get(target)}, not a field"
    assert links == sorted(links, key=fields.index)
    return links


class Probe(EngageForm):
    """One field of each kind the macros draw, declared in an order the page does not follow."""

    agree = BooleanField("I agree")
    topics = MultiCheckbox("Topics", choices=options([("a", "A"), ("b", "B")]))
    starts_at = LocalDateTimeField("Starts")
    colour = Choice("Colour", choices=options([("red", "Red"), ("blue", "Blue")]))
    notes = TextAreaField("Notes")
    email = StringField("Email")
    team = SelectField("Team", choices=options([("x", "X"), ("y", "Y")]))
    name = StringField("Name")


PAGE = """{% extends "base.html" %}
{% from "_macros.html" import error_summary, field, checkbox, choices %}
{% block content %}{{ error_summary(form) }}
<form method="post" novalidate>
{{ field(form.name) }}{{ field(form.email, type="email") }}{{ field(form.notes) }}
{{ field(form.team) }}{{ field(form.starts_at) }}{{ choices(form.colour) }}
{{ choices(form.topics, multiple=True) }}{{ checkbox(form.agree) }}
</form>{% endblock %}"""
PAGE_ORDER = ["name", "email", "notes", "team", "starts_at", "colour-0", "topics-0", "agree"]


@pytest.fixture
def probe_page(app):
    """The probe form's page with an error on every field; `filtered` False skips in_page_order."""

    def render(filtered: bool = True) -> str:
        with app.test_request_context("/", method="POST"):
            form = Probe(meta={"csrf": False})
            for each in form:
                each.errors = [f"{each.label.text} is wrong"]
            if not filtered:
                app.jinja_env.filters["in_page_order"] = lambda html: html
            try:
                return render_template_string(PAGE, form=form)
            finally:
                app.jinja_env.filters["in_page_order"] = in_page_order

    return render


def test_every_kind_of_field_is_linked_by_itself_in_page_order(probe_page):
    links = assert_links_land_on_fields_in_page_order(probe_page())
    # A radio or checkbox group is linked by its first input, never by its wrapper.
    assert links == PAGE_ORDER


def test_control_without_the_sorting_the_summary_follows_the_form_not_the_page(probe_page):
    links, _, fields = summary_and_fields(probe_page(filtered=False))
    assert links != sorted(links, key=fields.index)


SNIPPET = Markup(
    '<ul class="error-summary__list"><li><a href="#gone">Gone</a></li>'
    '<li><a href="#b">B &lt;b&gt;</a></li><li><a href="#a">A</a></li></ul>'
    '<input id="a"><input id="b">'
)


def test_sorting_puts_ids_the_page_lacks_last_and_keeps_escaping():
    html = in_page_order(SNIPPET)
    assert isinstance(html, Markup)
    assert html.index("#a") < html.index("#b") < html.index("#gone")
    assert "B &lt;b&gt;" in html
    # Only escaped markup is sorted: plain text is left as it came.
    plain = str(SNIPPET)
    assert in_page_order(plain) is plain
    assert in_page_order(Markup("<p>No summary</p>")) == Markup("<p>No summary</p>")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("a\r\n\r\nb", "a\n\nb"), ("a\rb", "a\nb"), ("a\nb", "a\nb"), (None, None)],
)
def test_text_areas_keep_lf_line_breaks(app, sent, kept):
    assert one_newline(sent) == kept
    with app.test_request_context("/", method="POST"):
        form = Probe(MultiDict({"notes": sent or "", "name": "a\r\nb"}), meta={"csrf": False})
    assert form.notes.data == (kept or "")
    assert form.name.data == "a\r\nb"  # one-line fields keep what came, for SingleLine to refuse
