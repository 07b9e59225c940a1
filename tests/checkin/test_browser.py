"""The desk in a real browser at phone size: search as you type, one tap, undo, a scanner, axe.

A barcode scanner is a keyboard: it types the code into the focused box, then
Enter. The camera is tested with Chromium's fake camera and a stand-in for
BarcodeDetector (Linux Chromium has none), which proves the page may use the
camera (Permissions-Policy) and that a code read is sent as a scanner's is.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engage.accounts.models import Role
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import CheckIn
from tests.attendees.helpers import booked, fresh
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, TEST_PASSWORD, browser_sign_in, hash_for_tests
from tests.core.test_accessibility import violations
from tests.registrations.conftest import workshop

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    """A browser tab the size of a phone."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def day(app, make_event, make_user):
    """An event with two people booked, and an admin to run the desk."""
    make_user("admin@example.org", role=Role.ADMIN, password_hash=hash_for_tests(TEST_PASSWORD))
    event = make_event(title="Engagement Day", sessions=[workshop("Leadership", 11, 20)])
    with app.app_context():
        ada = booked(
            event,
            workshop_ids=[fresh_workshop_id(event)],
            access_requirements="Hearing loop, please",
            access_consent=True,
        )
        grace = booked(event, email="grace@example.org", first_name="Grace", last_name="Hopper")
        grace_code = fresh(grace).checkin_code
    return {"event": event, "ada": ada, "grace": grace, "grace_code": grace_code}


def fresh_workshop_id(event) -> int:
    """The event's first workshop's id."""
    return db.session.get(Event, event.id).workshops[0].id


def _csp_errors(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security" in m.text else None)
    return found


def _totals(page) -> str:
    return " ".join(page.locator("#checkin-totals").inner_text().split())


def _box_is_focused(page) -> bool:
    # The page's script gives the box the focus once the page has loaded: wait for it.
    expect(page.locator("input[name=q]")).to_be_focused()
    return page.evaluate("document.activeElement && document.activeElement.name === 'q'")


def _fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_search_check_in_undo_then_a_scanner_at_phone_size(app, live_server, phone, day):
    page = phone
    errors = _csp_errors(page)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{day['event'].id}/check-in")
    assert _totals(page) == "0 of 2 checked in (50 places)"
    assert _box_is_focused(page) and _fits(page)
    assert violations(page) == [], "empty desk"
    # No "Scan with camera" where the browser cannot read QR codes.
    assert page.get_by_role("button", name="Scan with camera").is_hidden()

    # Search as you type: no Enter, no reload.
    page.get_by_label("Name, email, organisation or check-in code").press_sequentially("lovel")
    results = page.locator("#checkin-results")
    results.get_by_role("heading", name="Ada Lovelace").wait_for()
    assert "1 person found" in results.inner_text()
    assert _box_is_focused(page) and _fits(page)
    assert violations(page) == [], "results"

    page.get_by_role("button", name="Check in (Ada Lovelace)").click()
    panel = page.get_by_role("status").filter(has_text="Checked in: Ada Lovelace")
    panel.wait_for()
    assert "Hearing loop, please" in panel.inner_text() and "Leadership" in panel.inner_text()
    assert _totals(page) == "1 of 2 checked in (50 places)"
    assert violations(page) == [], "checked-in panel"

    page.get_by_role("button", name="Undo check-in (Ada Lovelace)").click()
    page.get_by_role("heading", name="Check-in undone: Ada Lovelace").wait_for()
    assert _totals(page) == "0 of 2 checked in (50 places)"

    # The scanner: the box has the focus, the code is typed, then Enter.
    assert _box_is_focused(page)
    page.keyboard.type(day["grace_code"])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Checked in: Grace Hopper").wait_for()
    assert _totals(page) == "1 of 2 checked in (50 places)"
    assert _box_is_focused(page)
    assert page.get_by_label("Name, email, organisation or check-in code").input_value() == ""

    # A code no one has: refused, loudly, and the box ready for the next one.
    page.keyboard.type("f" * 32)
    page.keyboard.press("Enter")
    page.get_by_role("alert").filter(
        has_text="No one is registered with this check-in code"
    ).wait_for()
    assert _box_is_focused(page) and _fits(page)
    assert violations(page) == [], "refusal"
    assert errors == []
    with app.app_context():
        sources = [
            c.source.value for c in db.session.scalars(db.select(CheckIn).order_by(CheckIn.id))
        ]
    assert sources == ["search", "search", "code"]  # check-in, undo, the scanner


def test_the_walk_in_form_and_the_qr_link_page_pass_axe_at_phone_size(app, live_server, phone, day):
    page = phone
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{day['event'].id}/check-in")
    page.get_by_role("link", name="Register someone at the desk").click()
    assert violations(page) == [] and _fits(page)
    page.get_by_role("button", name="Register and check in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert violations(page) == [] and _fits(page)
    page.goto(f"{live_server.url}/c/{day['grace_code']}")
    assert violations(page) == [] and _fits(page)
    page.get_by_role("button", name="Check in (Grace Hopper)").click()
    page.get_by_role("heading", name="Checked in: Grace Hopper").wait_for()
    assert violations(page) == []
    page.goto(f"{live_server.url}/c/{'0' * 32}")
    assert violations(page) == []


def test_room_mode_at_phone_size_a_scanner_lets_people_into_the_room(app, live_server, phone, day):
    page = phone
    errors = _csp_errors(page)
    with app.app_context():
        ada_code = fresh(day["ada"]).checkin_code
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{day['event'].id}/check-in")
    page.get_by_label("Show one workshop's count").select_option(label="Leadership (11am)")
    page.get_by_role("button", name="Check people into its room").click()
    banner = page.locator("#room-mode")
    assert "Room mode: checking people into Leadership (Room 11)" in " ".join(
        banner.inner_text().split()
    )
    assert _totals(page).startswith("0 of 20 in Leadership")
    assert _box_is_focused(page) and _fits(page)
    assert violations(page) == [], "room mode, empty"

    # The scanner at the door: Ada is booked on it, and is checked in at the event too.
    page.keyboard.type(ada_code)
    page.keyboard.press("Enter")
    panel = page.get_by_role("status").filter(has_text="In Leadership: Ada Lovelace")
    panel.wait_for()
    assert "Checked in at the event too" in panel.inner_text()
    assert _totals(page).startswith("1 of 20 in Leadership")
    assert _box_is_focused(page) and _fits(page)
    assert violations(page) == [], "room mode, let in"

    # Grace is booked on no workshop: told so, then let in with one more tap.
    page.keyboard.type(day["grace_code"])
    page.keyboard.press("Enter")
    refusal = page.get_by_role("alert").filter(has_text="Not let in: Grace Hopper")
    refusal.wait_for()
    assert "Booked on: no workshops" in refusal.inner_text()
    assert violations(page) == [], "room mode, not booked"
    page.get_by_role(
        "button", name="Book them on Leadership and let them in (Grace Hopper)"
    ).click()
    page.get_by_role("heading", name="In Leadership: Grace Hopper").wait_for()
    assert _totals(page).startswith("2 of 20 in Leadership")

    page.get_by_role("button", name="Undo room check-in (Grace Hopper)").click()
    page.get_by_role("heading", name="Taken out of Leadership: Grace Hopper").wait_for()
    assert _totals(page).startswith("1 of 20 in Leadership")
    assert _fits(page) and violations(page) == [], "room mode, undone"
    assert errors == []


# A stand-in for BarcodeDetector: "reads" the code it is given once the video plays.
FAKE_DETECTOR = """
window.BarcodeDetector = class {
  constructor(options) { this.formats = options.formats; }
  async detect(video) {
    if (!video.srcObject || video.readyState < 2) { return []; }
    return [{ rawValue: window.__qr }];
  }
};
"""


@pytest.fixture
def camera_browser(browser):
    """Chromium with a fake camera that it may use without asking (from the same Playwright)."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield chromium
    chromium.close()


def test_scan_with_camera_reads_the_qr_link_and_checks_them_in(
    app, live_server, camera_browser, day
):
    context = camera_browser.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = _csp_errors(page)
    page.add_init_script(FAKE_DETECTOR)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{day['event'].id}/check-in")
    link = app.config["SITE_URL"] + "/c/" + day["grace_code"]
    page.evaluate("qr => { window.__qr = qr; }", link)
    page.get_by_role("button", name="Scan with camera").click()
    page.get_by_role("heading", name="Checked in: Grace Hopper").wait_for()
    assert _totals(page) == "1 of 2 checked in (50 places)"
    assert errors == []
    context.close()


def test_control_the_camera_is_refused_where_the_policy_keeps_it_off(
    live_server, camera_browser, day
):
    """The same fake camera on a page without camera=(self): the browser refuses it."""
    context = camera_browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/events/")
    outcome = page.evaluate(
        """() => navigator.mediaDevices.getUserMedia({video: true})
              .then(() => 'allowed', error => error.name)"""
    )
    assert outcome == "NotAllowedError"
    context.close()
