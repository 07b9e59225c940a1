"""Staff pages pass axe-core's WCAG 2.2 A and AA rules too, walked from the URL map.

Every GET page under /admin and /account (the back office and the account
pages), with the security suite's world behind it (an event with workshops,
questions and a booking), seen by an admin in a real browser. A new staff
page is walked the moment it exists.
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations
from tests.security.world import build_world, fast_passwords, url_for_rule

pytestmark = pytest.mark.browser

STAFF_PREFIXES = ("/admin", "/account")
# Leaving: signing out is a POST, and its GET only redirects.
SKIP = {"accounts.sign_out", "attendees.room_list"}  # the room list is a CSV or Excel file
# Files to save (the venue's PDFs): a browser downloads them rather than showing a page.
DOWNLOADS = (".pdf",)


def staff_pages(app, world: dict) -> list[str]:
    """A URL for every GET route of the back office and the account pages."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.rule.startswith(STAFF_PREFIXES)
        and rule.endpoint not in SKIP
        and not rule.rule.endswith(DOWNLOADS)
    ]
    return sorted({url_for_rule(app, rule, world) for rule in rules})


def test_every_staff_page_has_no_wcag_violations(
    app, live_server, page, make_user, make_event, make_news, monkeypatch
):
    world = build_world(app, make_user, make_event, make_news, fast_passwords(monkeypatch))
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    pages = staff_pages(app, world)
    assert len(pages) >= 15  # the walk really reaches the back office
    found, statuses = {}, {}
    for path in pages:
        statuses[path] = page.goto(live_server.url + path).status
        problems = violations(page)
        if problems:
            found[path] = problems
    # Each page was the page itself, not a redirect to sign in or an error.
    assert {path: status for path, status in statuses.items() if status != 200} == {}
    assert found == {}
