"""One browser shared by an assistant booking for colleagues: each page shows only its own booking.

An assistant books Ada, then books Grace, who is registered already. Grace's page
must answer exactly as a new booking does and show nothing of Ada; Grace's own
address gets her link again, through a real SMTP server. The control shows the
test catches the old fault: a page that read the last booking made in this browser.

(60 bookings in a row from one address: test_browser_force.py in a browser, and
test_limits.py, test_a_force_books_60_and_the_101st_is_refused_with_the_form_kept, over HTTP.)
"""

import datetime as dt
import re

import pytest

from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.mail.worker import deliver_due
from engage.registrations import services
from tests.conftest import LiveServer
from tests.registrations.conftest import choose_organisation, data

pytestmark = pytest.mark.browser

ADA = {"first": "Ada", "last": "Lovelace", "email": "ada@example.org"}
GRACE = {"first": "Grace", "last": "Hopper", "email": "grace@example.org"}
ADAS_NEEDS = ("Halal, no nuts", "Step-free route to the hall")


def _book(page, url: str, person: dict, needs=("", "")) -> str:
    """Fill in and send the form as the assistant would; the page's visible text."""
    page.goto(url + "/events/day/register")
    page.get_by_label("First name").fill(person["first"])
    page.get_by_label("Last name").fill(person["last"])
    page.get_by_label("Email address").fill(person["email"])
    choose_organisation(page)
    page.get_by_label("Job title or role").fill("Analyst")
    page.get_by_label("Police staff").check()
    if needs[0]:
        page.locator("#dietary_requirements").fill(needs[0])
        page.locator("#dietary_consent").check()
    if needs[1]:
        page.locator("#access_requirements").fill(needs[1])
        page.locator("#access_consent").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/events/day/registered")
    return page.locator("main").inner_text()


@pytest.fixture
def shared_desk(mail_app, smtp_server, make_event, browser):
    """The site sending to a real SMTP server, Grace booked an hour ago, and one browser context."""
    event = make_event(slug="day", title="Engagement Day", capacity=20)
    with mail_app.app_context():
        # An hour ago: her first link is not "moments ago", so she is sent a new one.
        earlier = utcnow() - dt.timedelta(hours=1)
        services.register(db.session.get(Event, event.id), data(**_fields(GRACE)), now=earlier)
        deliver_due()
    smtp_server.inbox.received.clear()
    server = LiveServer(mail_app).start()
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.set_default_timeout(10_000)
    yield server.url, context.new_page()
    context.close()
    server.stop()


def _fields(person: dict) -> dict:
    return {"first_name": person["first"], "last_name": person["last"], "email": person["email"]}


def _journey(mail_app, smtp_server, url: str, page) -> None:
    """Ada, then Grace (booked already), in one tab; every check on what Grace's booking shows."""
    adas_page = _book(page, url, ADA, ADAS_NEEDS)
    assert "Registration complete" in adas_page and ADA["email"] in adas_page
    graces_page = _book(page, url, GRACE)
    for trace in (ADA["first"], ADA["last"], ADA["email"], *ADAS_NEEDS):
        assert trace not in graces_page
    assert page.content().count("Lovelace") == 0
    # Word for word what a new booking answers: nobody learns from it who is booked.
    assert graces_page == adas_page.replace(ADA["email"], GRACE["email"])

    with mail_app.app_context():
        deliver_due()
    to_grace = [m.message for m in smtp_server.received if m.rcpt_tos == [GRACE["email"]]]
    [again] = [m for m in to_grace if m["Subject"].startswith("You are already registered")]
    text = again.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/registrations/\S+", text).group(0)
    assert ADA["last"] not in text and ADA["email"] not in text
    # Her own link, opened in the same tab, is her own registration.
    page.goto(url + "/registrations/" + link.split("/registrations/")[1])
    own = page.locator("main").inner_text()
    assert "Place confirmed" in own and "Grace Hopper" in own and ADA["last"] not in own


def test_a_shared_browser_shows_each_booking_only_its_own_answer(
    mail_app, smtp_server, shared_desk
):
    url, page = shared_desk
    _journey(mail_app, smtp_server, url, page)


def test_control_a_page_showing_the_last_booking_in_this_browser_is_caught(
    mail_app, smtp_server, shared_desk, monkeypatch
):
    """The old fault, put back: an address booked already is answered with the last booking."""
    url, page = shared_desk
    real, last = services.register, {}

    def last_booking_shown(event, registration_data, **kwargs):
        result = real(event, registration_data, **kwargs)
        if result.registration is not None:
            last["result"] = result
        return last.get("result", result)

    monkeypatch.setattr(services, "register", last_booking_shown)
    with pytest.raises(AssertionError) as caught:
        _journey(mail_app, smtp_server, url, page)
    # Caught where it matters: Ada's address on the page Grace's booking answered with.
    assert ADA["email"] in str(caught.value)
