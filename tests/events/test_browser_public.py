"""A visitor finds an event from the home page in a real browser."""

import pytest

from tests.conftest import london

pytestmark = pytest.mark.browser


def test_visitor_finds_an_event_and_its_calendar_file(live_server, page, make_event, make_news):
    make_event(slug="day", title="Engagement Day 2027", starts_at=london(2030, 1, 21, 9, 30))
    make_news(slug="hello", title="Bookings open")
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    page.get_by_role("link", name="Engagement Day 2027").click()
    page.wait_for_url("**/events/day")
    assert page.locator("h1").inner_text() == "Engagement Day 2027"
    assert "(UK time)" in page.locator(".summary-list").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename == "day.ics"


def test_skip_link_is_first_and_moves_focus(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_pages_fit_a_320px_screen(live_server, page, make_event):
    make_event(slug="day", title="A long event title that has to wrap on a small phone screen")
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/events/", "/events/day", "/news/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_csp_blocks_nothing_of_ours(live_server, page, make_event):
    make_event(slug="day")
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(live_server.url + "/events/day")
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    assert violations == []
