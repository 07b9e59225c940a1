"""Every page in every state passes axe-core's WCAG 2.2 A and AA rules in a real browser.

The states are page_states(): public and staff GET pages, every form posted
empty (its error state), the booking's confirmation and the 404 page. Each
is shown in Chromium exactly as the server answered it, at the live server's
own address, so its stylesheet and scripts load as they do for a visitor.
"""

from __future__ import annotations

import pytest

from tests.core.page_states import page_states
from tests.core.test_accessibility import violations
from tests.security.world import build_world, fast_passwords

pytestmark = pytest.mark.browser
STATE_PATH = "/__page-state"
# Whether the site's own stylesheet loaded and applies.
STYLED = "[...document.styleSheets].some(s => s.href && s.href.includes('/static/') && s.cssRules.length)"
BAD = (
    '<!DOCTYPE html><html lang="en"><head><title>Bad</title>'
    '<link rel="stylesheet" href="/static/css/engage.css"></head>'
    '<body><main><h1>Bad</h1><img src="/static/missing.png"></main></body></html>'
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_state_has_no_wcag_violations(
    app, live_server, page, make_user, make_event, make_news, monkeypatch
):
    world = build_world(app, make_user, make_event, make_news, fast_passwords(monkeypatch))
    states = page_states(app, world)
    assert len(states) >= 80  # the walk really reaches the site
    shown = {}
    page.route(
        f"**{STATE_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/html", body=shown["html"]),
    )
    found, unstyled = {}, []
    for state in states:
        shown["html"] = state.html
        page.goto(live_server.url + STATE_PATH)
        if not page.evaluate(STYLED):
            unstyled.append(state.name)
        if problems := violations(page):
            found[state.name] = problems
    assert unstyled == []  # contrast is only checked against the real stylesheet
    assert found == {}


def test_control_the_walk_finds_a_violation(app, live_server, page):
    page.route(f"**{STATE_PATH}", lambda route: route.fulfill(content_type="text/html", body=BAD))
    page.goto(live_server.url + STATE_PATH)
    assert page.evaluate(STYLED)
    assert any(problem.startswith("image-alt") for problem in violations(page))
