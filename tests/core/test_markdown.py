"""Markdown is rendered, and nothing executable survives sanitising."""

from html.parser import HTMLParser

import pytest
from flask import render_template_string

from engage.markdown import ALLOWED_TAGS, render, to_text

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://example.org"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '[x](https://example.org "a" onmouseover="alert(1)")',
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
]


class _Elements(HTMLParser):
    """Collects the tags and attributes a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_executable_survives(payload):
    for tag, attrs in _elements(str(render(payload))):
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert value == "" or value.startswith(("http:", "https:", "mailto:")), value


def test_the_check_sees_a_real_handler():
    """Control: the parser used above does report a live event handler."""
    assert _elements('<img src=x onerror="alert(1)">') == [
        ("img", {"src": "x", "onerror": "alert(1)"})
    ]


def test_markdown_is_rendered():
    html = str(render("# Title\n\nSome **bold** text and a [link](https://example.org)."))
    assert "<h2>Title</h2>" in html  # the page keeps the only h1
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_mailto_links_are_kept():
    assert 'href="mailto:events@example.org"' in str(render("[mail](mailto:events@example.org)"))


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ('Parking & access <b>now</b> "quoted"', 'Parking & access <b>now</b> "quoted"'),
        ("Some **bold** and *light* `<code>` text", "Some bold and light <code> text"),
        ("Fish &amp; chips, 5 &lt; 6, \\*not emphasis\\*", "Fish & chips, 5 < 6, *not emphasis*"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        (
            "[the map](https://example.org/map) and ![a gate](https://example.org/g.png)",
            "the map and a gate",
        ),
    ],
)
def test_plain_text_is_what_was_typed_without_the_markdown(source, text):
    """Plain text is not HTML: nothing is escaped, so nothing arrives as "&amp;"."""
    assert to_text(source) == text


def test_plain_text_keeps_paragraphs_lists_and_code():
    source = "\n".join(
        ["# Getting there", "", "By train:", "to Leeds.", "", "- Bus 1", "- Bus 2", "",
         "3. Left", "4. Right", "", "```", "a < b && c", "```"]
    )  # fmt: skip
    assert to_text(source) == "\n".join(
        ["Getting there", "", "By train:", "to Leeds.", "", "- Bus 1", "- Bus 2", "",
         "3. Left", "4. Right", "", "a < b && c"]
    )  # fmt: skip


def test_plain_text_is_escaped_where_it_meets_html(app):
    """Control: in an HTML template the plain text is text again, not markup."""
    with app.test_request_context():
        page = render_template_string("<p>{{ text }}</p>", text=to_text("<b>A</b> & B"))
    assert page == "<p>&lt;b&gt;A&lt;/b&gt; &amp; B</p>"


def test_empty_input():
    assert render(None) == "" and render("") == ""


def test_plain_text_can_keep_each_links_address():
    source = (
        "See [the venue](https://example.org/venue), <https://example.org/a> or <ada@example.org>."
    )
    assert to_text(source) == "See the venue, https://example.org/a or ada@example.org."
    assert to_text(source, link_urls=True) == (
        "See the venue (https://example.org/venue), https://example.org/a or ada@example.org."
    )
    assert to_text("- [One](https://example.org/1)", link_urls=True) == (
        "- One (https://example.org/1)"
    )


def test_a_text_is_rendered_once_per_process_and_an_edit_anew():
    from engage import markdown

    text = "Talks and **workshops** (rendered-once test)"
    before = markdown._rendered.cache_info()
    first = render(text)
    second = render(text)
    after = markdown._rendered.cache_info()
    assert first == second
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    assert "<strong>talks</strong>" in render(text.lower().replace("**workshops**", "**talks**"))
