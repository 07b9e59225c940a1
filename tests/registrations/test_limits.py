"""Lost links and whole forces: "email me my link again", and booking limits that count
completed bookings per address and per email, with a truthful time to try again."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from limits import parse

from engage.accounts.throttle import StorageThrottle, ThrottleUnavailable, throttle
from engage.db import utcnow
from engage.errors import render_error
from engage.events.models import Event
from engage.extensions import db
from engage.mail.worker import deliver_due
from engage.registrations import services
from engage.registrations.models import Registration
from tests.conftest import london
from tests.mail.messages_helpers import by_recipient, manage_path
from tests.registrations.conftest import data, form

FORCE = {"REMOTE_ADDR": "192.0.2.10"}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Registration.id)))


def _body(response) -> str:
    # The CSRF token is off in tests; nothing else in the page may differ.
    return response.get_data(as_text=True)


def test_link_again_answers_the_same_and_mails_only_a_booking(mail_app, smtp_server, make_event):
    event = make_event(slug="day")
    with mail_app.app_context():
        # Booked an hour ago: the link sent then is not "moments ago".
        earlier = utcnow() - dt.timedelta(hours=1)
        services.register(
            db.session.get(Event, event.id), data(email="booked@example.org"), now=earlier
        )
        gone = services.register(
            db.session.get(Event, event.id), data(email="gone@example.org"), now=earlier
        )
        services.cancel(db.session.get(Registration, gone.registration.id), now=earlier)
        deliver_due()
    before = len(smtp_server.received)
    client = mail_app.test_client()
    answers = [
        client.post("/events/day/link", data={"email": email})
        for email in ("booked@example.org", "nobody@example.org", "gone@example.org")
    ]
    assert {r.status_code for r in answers} == {200}
    assert len({_body(r) for r in answers}) == 1
    assert "If that address has a booking for" in _body(answers[0])
    with mail_app.app_context():
        deliver_due()
    new = by_recipient(type("S", (), {"received": smtp_server.received[before:]})())
    assert list(new) == ["booked@example.org"]
    [message] = new["booked@example.org"]
    assert message["Subject"].startswith("Your link for")
    assert client.get(manage_path(message)).status_code == 200


def test_event_page_offers_the_link_again(client, make_event):
    make_event(slug="day")
    assert "/events/day/link" in client.get("/events/day").get_data(as_text=True)


def test_link_again_is_limited_per_address_and_per_email(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True)
    make_event(slug="day")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/events/day/link", data={"email": "a@example.org"}).status_code == 200
    blocked = client.post("/events/day/link", data={"email": "a@example.org"})
    assert blocked.status_code == 429
    assert re.search(r"try again after \d{1,2}:\d\d[ap]m", _body(blocked))
    assert 'value="a@example.org"' in _body(blocked)  # the form is kept
    # Control: another email from the same address still gets an answer, until ten in all.
    for n in range(7):
        assert (
            client.post("/events/day/link", data={"email": f"{n}@example.org"}).status_code == 200
        )
    assert client.post("/events/day/link", data={"email": "z@example.org"}).status_code == 429
    other = app.test_client()
    response = other.post(
        "/events/day/link",
        data={"email": "z@example.org"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 200


@time_machine.travel(london(2026, 12, 1, 14, 39) + dt.timedelta(seconds=30), tick=False)
def test_a_force_books_60_and_the_101st_is_refused_with_the_form_kept(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True)
    make_event(slug="day", capacity=500)
    client = app.test_client()
    for _ in range(30):  # forms sent back with errors count nothing
        bad = client.post(
            "/events/day/register", data=form(email="not an email"), environ_base=FORCE
        )
        assert bad.status_code == 200
    for n in range(100):
        response = client.post(
            "/events/day/register",
            data=form(email=f"officer{n}@police.example"),
            environ_base=FORCE,
        )
        assert response.status_code == 302, n
    refused = client.post(
        "/events/day/register",
        data=form(email="late@police.example", first_name="Latecomer"),
        environ_base=FORCE,
    )
    assert refused.status_code == 429
    page = _body(refused)
    # The first booking leaves the hour's window at 3:39:30pm: free again after 3:40pm.
    assert "You can try again after 3:40pm (UK time)." in page
    assert 'value="Latecomer"' in page and 'value="late@police.example"' in page
    assert "a few minutes" not in page
    assert _count(app) == 100
    # Control: another connection still books.
    other = client.post(
        "/events/day/register",
        data=form(email="late@police.example"),
        environ_base={"REMOTE_ADDR": "10.1.1.1"},
    )
    assert other.status_code == 302


def test_one_email_is_limited_to_five_bookings_an_hour(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=True)
    make_event(slug="day")
    client = app.test_client()
    for _ in range(5):
        assert (
            client.post("/events/day/register", data=form(email="same@example.org")).status_code
            == 302
        )
    assert (
        client.post("/events/day/register", data=form(email="same@example.org")).status_code == 429
    )
    # Control: another email from the same address books.
    assert (
        client.post("/events/day/register", data=form(email="new@example.org")).status_code == 302
    )


def test_a_link_that_does_not_work_says_how_to_get_a_new_one(client):
    response = client.get("/registrations/not-a-real-token")
    assert response.status_code == 404
    assert "Email me my link again" in _body(response)


def test_the_generic_429_page_promises_no_time_it_does_not_know(app):
    with app.test_request_context():
        page, status = render_error(429)
    assert status == 429
    assert "a few minutes" not in page and "try again" in page


@pytest.mark.parametrize("store", ["database", "limits storage"])
def test_the_counts_say_when_a_key_is_free_again(app, store):
    """Both stores (Redis is a `limits` storage, as memory:// is here) give the same time."""
    limit = parse("3 per hour")
    start = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)
    with app.app_context():
        counters = throttle() if store == "database" else StorageThrottle("memory://")
        for minutes in (0, 10, 20):
            with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
                assert counters.blocked_until(limit, "k") is None
                counters.hit(limit, "k")
        with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
            assert counters.blocked_until(limit, "k") == start + dt.timedelta(hours=1)
            assert counters.blocked_until(limit, "other") is None  # control
        with time_machine.travel(start + dt.timedelta(hours=1, seconds=1), tick=False):
            assert counters.blocked_until(limit, "k") is None


def test_booking_stays_open_when_the_counts_cannot_be_reached(make_app, make_event, monkeypatch):
    app = make_app(RATELIMIT_ENABLED=True)
    make_event(slug="day")

    def unreachable(*_args):
        raise ThrottleUnavailable()

    with app.app_context():
        counters = throttle()
    monkeypatch.setattr(counters, "blocked_until", unreachable)
    monkeypatch.setattr(counters, "hit", unreachable)
    response = app.test_client().post("/events/day/register", data=form())
    assert response.status_code == 302
    assert _count(app) == 1
