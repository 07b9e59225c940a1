"""A force books 60 colleagues in an afternoon from one shared address, in a real browser.

With the booking limits on (as deployed: 100 completed bookings an hour per
client address, 5 per email), one browser at one address fills in the form 60
times for 60 people; every booking completes. Forms sent back with errors on
the way cost nothing. The HTTP-level test in test_limits.py goes on to the
101st and its refusal; this one shows the people's way through the pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engage.extensions import db
from engage.registrations.models import Registration
from tests.conftest import LiveServer
from tests.registrations.conftest import choose_organisation

# Sixty bookings take a while in a browser: once, on SQLite (the limits' storage is
# proven on both databases, and across workers, in test_limits*.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
COLLEAGUES = 60


@pytest.fixture
def force_desk(make_app, make_event, browser):
    """The site with the booking limits on, an event with room for everyone, one browser tab."""
    app = make_app(RATELIMIT_ENABLED=True)
    make_event(slug="day", title="Engagement Day", capacity=200)
    server = LiveServer(app).start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield app, server.url, context.new_page()
    context.close()
    server.stop()


def _book(page, url: str, number: int, *, email: str | None = None) -> None:
    page.goto(url + "/events/day/register")
    page.get_by_label("First name").fill("Officer")
    page.get_by_label("Last name").fill(f"Number {number}")
    page.get_by_label("Email address").fill(email or f"officer{number}@police.example")
    choose_organisation(page, "Northbridge Police")
    page.get_by_label("Job title or role").fill("Constable")
    page.get_by_label("Police officer").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()


def test_a_force_books_60_colleagues_from_one_address(force_desk):
    app, url, page = force_desk
    assert app.config["RATELIMIT_ENABLED"]  # the limits this test is about are on
    for number in range(5):  # slips on the way: sent back, and they count nothing
        _book(page, url, number, email="not an email")
        expect(page).to_have_title(re.compile("^Error: "))
    for number in range(COLLEAGUES):
        _book(page, url, number)
        page.wait_for_url("**/events/day/registered")
        assert page.get_by_role("heading", level=1).inner_text() == "Registration complete", number
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == COLLEAGUES
