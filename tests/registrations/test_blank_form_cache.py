"""The blank registration form, kept for a second per process with each visitor's own CSRF token.

Bookings go through the real service; a second app object on the same
database stands in for a second server process. Time is moved with
time-machine, never slept.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from flask import flash

from engage.events import programme_services
from engage.events.models import Event, QuestionKind
from engage.extensions import db
from engage.formcache import BlankForm
from engage.pagecache import PageCache
from engage.registrations import services
from tests.conftest import london
from tests.events.test_page_cache import counting_queries
from tests.registrations.conftest import data, form, workshop

NOW = london(2026, 12, 1, 12)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PATH = "/events/day/register"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _book(app, email: str, **fields) -> None:
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug="day"))
        services.register(event, data(email=email, **fields), now=NOW)


def _page(client) -> str:
    response = client.get(PATH)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _without_token(page: str) -> str:
    return TOKEN.sub("", page)


def test_the_kept_form_is_the_drawn_form_with_each_visitors_own_token(make_app, make_event, clock):
    kept_app = make_app(WTF_CSRF_ENABLED=True)
    drawn_app = make_app(WTF_CSRF_ENABLED=True, PAGE_CACHE_SECONDS=0)
    make_event(slug="day", capacity=50)
    first, second = kept_app.test_client(), kept_app.test_client()
    page_one, page_two = _page(first), _page(second)  # the second from the copy
    drawn = _page(drawn_app.test_client())
    assert _without_token(page_two) == _without_token(page_one) == _without_token(drawn)
    token_one, token_two = TOKEN.search(page_one)[1], TOKEN.search(page_two)[1]
    assert token_one != token_two
    # Each token is good for its own visitor's session only.
    booked = second.post(PATH, data=form(email="bob@example.org", csrf_token=token_two))
    assert booked.status_code == 302
    refused = first.post(PATH, data=form(email="cy@example.org", csrf_token=token_two))
    assert refused.status_code == 400
    response = kept_app.test_client().get(PATH)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "session=" in response.headers["Set-Cookie"]


def test_the_second_visitor_is_served_from_the_copy(app, make_event, clock):
    make_event(slug="day", capacity=50)
    _page(app.test_client())
    with counting_queries(app) as queries:
        _page(app.test_client())
    # The event and its places are read for every visitor; the organisation list is not.
    assert queries and not any("organisations" in q for q in queries)
    with counting_queries(app) as queries:
        _page(app.test_client().__class__(app, use_cookies=True))
    assert not any("organisations" in q for q in queries)


def test_the_control_without_a_copy_reads_the_list_every_time(make_app, make_event, clock):
    app = make_app(PAGE_CACHE_SECONDS=0)
    make_event(slug="day", capacity=50)
    _page(app.test_client())
    with counting_queries(app) as queries:
        _page(app.test_client())
    assert any("organisations" in q for q in queries)


def test_a_booking_anywhere_that_fills_the_event_shows_at_once(make_app, make_event, clock):
    reader, booker = make_app(), make_app()
    make_event(slug="day", capacity=1)
    assert "Register for" in _page(reader.test_client())
    _book(booker, "ada@example.org")  # another server, and no time passes
    assert "Join the waiting list for" in _page(reader.test_client())


def test_workshop_places_show_at_once_after_a_booking_anywhere(make_app, make_event, clock):
    reader, booker = make_app(), make_app()
    make_event(slug="day", capacity=50, sessions=[workshop("Data", 10, capacity=3)])
    assert "3 places left" in _page(reader.test_client())
    with booker.app_context():
        [data_workshop] = db.session.scalar(db.select(Event).filter_by(slug="day")).workshops
        chosen = [data_workshop.id]
    _book(booker, "ada@example.org", workshop_ids=chosen)
    assert "2 places left" in _page(reader.test_client())


def test_a_new_question_shows_at_once_here_and_within_a_second_elsewhere(
    make_app, make_event, clock
):
    here, elsewhere = make_app(), make_app()
    event = make_event(slug="day", capacity=50)
    for app in (here, elsewhere):
        assert "Bringing a laptop?" not in _page(app.test_client())
    with here.app_context():
        programme_services.add_question(
            db.session.get(Event, event.id),
            {"kind": QuestionKind.YES_NO, "label": "Bringing a laptop?"},
        )
    assert "Bringing a laptop?" in _page(here.test_client())
    assert "Bringing a laptop?" not in _page(elsewhere.test_client())  # its copy, under a second
    clock.shift(1)
    assert "Bringing a laptop?" in _page(elsewhere.test_client())


def test_the_control_that_never_forgets_shows_the_old_form(
    make_app, make_event, clock, monkeypatch
):
    # Proves the test above can fail: with forgetting switched off, the question is not seen.
    monkeypatch.setattr(PageCache, "forget", lambda self, written: None)
    app = make_app()
    event = make_event(slug="day", capacity=50)
    _page(app.test_client())
    with app.app_context():
        programme_services.add_question(
            db.session.get(Event, event.id),
            {"kind": QuestionKind.YES_NO, "label": "Bringing a laptop?"},
        )
    assert "Bringing a laptop?" not in _page(app.test_client())


def test_a_form_sent_back_with_errors_is_never_kept(app, make_event, clock):
    make_event(slug="day", capacity=50)
    client = app.test_client()
    answer = client.post(PATH, data=form(first_name="")).get_data(as_text=True)
    assert "Enter your first name" in answer
    assert "Enter your first name" not in _page(client)
    assert "Enter your first name" not in _page(app.test_client())
    kept = app.extensions["engage.page_cache"].entries.values()
    assert all(
        b"Enter your first name" not in b"".join(v.pieces)
        for _, v, _ in kept
        if isinstance(v, BlankForm)
    )


def test_staff_and_visitors_with_a_message_get_a_drawn_form(
    app, make_event, login_as, make_user, clock
):
    @app.get("/test-flash")
    def flashing():
        flash("Only for you")
        return "ok"

    make_event(slug="day", capacity=50)
    assert "Sign out" not in _page(app.test_client())  # fills the copy
    staff = app.test_client()
    login_as(staff, make_user())
    assert "Sign out" in _page(staff)
    visitor = app.test_client()
    visitor.get("/test-flash")
    assert "Only for you" in _page(visitor)
    assert "Only for you" not in _page(app.test_client())
