"""The record, its forms and the attendee's check-in code in a real browser: 320px, axe, CSP."""

from __future__ import annotations

import re

import pytest

from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.attendees.helpers import booked
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations
from tests.registrations.conftest import workshop

pytestmark = pytest.mark.browser


def _csp_errors(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security" in m.text else None)
    return found


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_attendee_sees_their_check_in_code_at_320px(app, live_server, page, make_event):
    event = make_event(slug="day")
    with app.app_context():
        booked(event)
        body = db.session.scalar(db.select(OutboxMessage.body_text))
    token = re.search(r"/registrations/(\S+)", body).group(1)
    errors = _csp_errors(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/registrations/{token}")
    code = page.get_by_role("img", name="Your check-in QR code")
    box = code.bounding_box()
    assert box["width"] >= 200 and box["width"] == pytest.approx(box["height"], abs=2)
    assert _overflow(page) <= 0
    assert errors == []
    assert violations(page) == []


def test_the_organiser_pages_fit_320px_and_pass_axe(app, live_server, page, make_event, make_user):
    from engage.accounts.models import Role
    from tests.conftest import hash_for_tests

    make_user("admin@example.org", role=Role.ADMIN, password_hash=hash_for_tests(TEST_PASSWORD))
    event = make_event(sessions=[workshop("A workshop with a long title to wrap", 11, 5)])
    with app.app_context():
        rid = booked(event, dietary_requirements="Vegan", dietary_consent=True)
    errors = _csp_errors(page)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    base = f"{live_server.url}/admin/events/{event.id}/attendees"
    for path in (f"/{rid}", f"/{rid}/details", f"/{rid}/workshops", f"/{rid}/cancel", "/new"):
        page.goto(base + path)
        assert _overflow(page) <= 0, path
        assert violations(page) == [], path
    page.goto(f"{base}/new")
    page.get_by_role("button", name="Add the registration").click()
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Error: ")
    assert violations(page) == []
    assert errors == []
