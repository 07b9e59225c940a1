"""The anonymous event page's one-second cache: the same page, and never staler than allowed.

Bookings go through the real registration service and edits through the real
event service; a second app object on the same database stands in for a second
server process. Time is moved with time-machine, never slept.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
import time_machine
from flask import flash
from sqlalchemy import event as sa_event

from engage.events import manage_services
from engage.events.models import Event
from engage.extensions import db
from engage.pagecache import PageCache, for_visitors
from engage.registrations import services
from tests.conftest import london
from tests.registrations.conftest import data

NOW = london(2026, 12, 1, 12)
PLACES = re.compile(r"(\d+) places? left")


def _places(client, slug: str = "day") -> int:
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    return int(PLACES.search(response.get_data(as_text=True))[1])


def _book(app, email: str) -> None:
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug="day"))
        services.register(event, data(email=email), now=NOW)


@contextmanager
def counting_queries(app):
    """The SQL statements the app sends while the block runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def count_queries():
    return counting_queries


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_cached_page_is_the_rendered_page(make_app, make_event, clock):
    cached_app = make_app()
    rendered_app = make_app(PAGE_CACHE_SECONDS=0)
    make_event(slug="day", description_md="Come **along**.")
    first = cached_app.test_client().get("/events/day")
    again = cached_app.test_client().get("/events/day")  # from the cache
    rendered = rendered_app.test_client().get("/events/day")
    assert again.get_data() == first.get_data() == rendered.get_data()
    assert again.headers == rendered.headers
    assert again.headers["Vary"] == "Cookie"
    assert "Content-Security-Policy" in again.headers


def test_the_second_visit_is_served_without_the_database(app, make_event, clock, count_queries):
    make_event(slug="day")
    client = app.test_client()
    with count_queries(app) as queries:
        client.get("/events/day")
    assert queries  # the control: the first visit read the database
    with count_queries(app) as queries:
        for _ in range(5):
            assert client.get("/events/day").status_code == 200
    assert queries == []


def test_a_booking_in_this_process_shows_at_once(app, make_event, clock):
    make_event(slug="day", capacity=50)
    client = app.test_client()
    assert _places(client) == 50
    _book(app, "ada@example.org")
    assert _places(client) == 49


def test_the_control_without_clearing_shows_the_old_places(app, make_event, clock, monkeypatch):
    # Proves the test above can fail: with the clearing switched off, the booking is not seen.
    monkeypatch.setattr(PageCache, "forget", lambda self, written: None)
    make_event(slug="day", capacity=50)
    client = app.test_client()
    assert _places(client) == 50
    _book(app, "ada@example.org")
    assert _places(client) == 50
    clock.shift(1)
    assert _places(client) == 49  # and the second bounds it even so


def test_an_organisers_edit_shows_at_once(app, make_event, clock):
    event = make_event(slug="day", title="Engagement Day", capacity=50)
    client = app.test_client()
    assert "Engagement Day" in client.get("/events/day").get_data(as_text=True)
    with app.app_context():
        fields = {
            "title": "Renamed Day",
            "slug": "day",
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "capacity": 40,
        }
        manage_services.update_event(db.session.get(Event, event.id), fields)
    page = client.get("/events/day").get_data(as_text=True)
    assert "Renamed Day" in page
    assert "40 places left" in page


def test_another_servers_booking_shows_within_a_second(make_app, make_event, clock):
    reader, booker = make_app(), make_app()  # two servers on one database
    make_event(slug="day", capacity=50)
    client = reader.test_client()
    assert _places(client) == 50
    _book(booker, "ada@example.org")
    clock.shift(0.5)
    assert _places(client) == 50  # this server's copy, at most a second old
    clock.shift(0.5)
    assert _places(client) == 49


def test_a_clock_set_back_does_not_keep_the_copy(make_app, make_event, clock):
    reader, booker = make_app(), make_app()
    make_event(slug="day", capacity=50)
    client = reader.test_client()
    assert _places(client) == 50
    _book(booker, "ada@example.org")
    clock.shift(-5)
    assert _places(client) == 49


def test_staff_never_get_the_cached_page(app, make_event, make_user, sign_in, clock):
    make_event(slug="day")
    visitor = app.test_client()
    assert "Sign out" not in visitor.get("/events/day").get_data(as_text=True)
    staff = app.test_client()
    sign_in(staff, make_user("organiser@example.org"))
    response = staff.get("/events/day")
    assert "Sign out" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    # Nor does a staff visit fill the cache for visitors.
    assert "Sign out" not in visitor.get("/events/day").get_data(as_text=True)


def test_a_visitor_with_a_cookie_gets_a_fresh_page(make_app, make_event, clock):
    reader, booker = make_app(), make_app()
    make_event(slug="day", capacity=50)
    assert _places(reader.test_client()) == 50
    _book(booker, "ada@example.org")
    with_cookie = reader.test_client()
    with_cookie.set_cookie("session", "anything")
    assert _places(with_cookie) == 49
    assert _places(reader.test_client()) == 50  # cookie-less visitors: the copy, for the second


def test_the_cache_can_be_turned_off(make_app, make_event, clock):
    reader, booker = make_app(PAGE_CACHE_SECONDS=0), make_app()
    make_event(slug="day", capacity=50)
    assert _places(reader.test_client()) == 50
    _book(booker, "ada@example.org")
    assert _places(reader.test_client()) == 49


def test_the_cache_keeps_at_most_a_second(make_app):
    assert make_app(PAGE_CACHE_SECONDS=30).extensions["engage.page_cache"].seconds == 1


def test_a_missing_page_is_not_kept(make_app, make_event, clock):
    client = make_app().test_client()  # make_event writes through another app
    assert client.get("/events/later").status_code == 404
    make_event(slug="later")
    assert client.get("/events/later").status_code == 200


def test_the_home_and_news_pages_are_kept_for_a_second(make_app, make_news, clock):
    client = make_app().test_client()  # make_news writes through another app
    for path in ("/", "/news/"):
        assert "Fresh news" not in client.get(path).get_data(as_text=True)
    item = make_news(title="Fresh news", slug="fresh", published_at=NOW - dt.timedelta(hours=1))
    assert "Fresh news" not in client.get("/news/").get_data(as_text=True)
    clock.shift(1)
    for path in ("/", "/news/", f"/news/{item.slug}"):
        assert "Fresh news" in client.get(path).get_data(as_text=True)


def test_a_page_that_writes_the_session_is_not_kept(app):
    # A page with a form (its CSRF token) or a flash is the visitor's own: never shared.
    rendered = []

    def with_flash():
        rendered.append(1)
        flash("Only for you")
        return f"page {len(rendered)}"

    def plain():
        rendered.append(1)
        return f"page {len(rendered)}"

    app.add_url_rule("/with-flash", "with_flash", for_visitors(with_flash))
    app.add_url_rule("/plain", "plain", for_visitors(plain))
    assert app.test_client().get("/with-flash").get_data() == b"page 1"
    assert app.test_client().get("/with-flash").get_data() == b"page 2"
    # The control: a page that writes nothing is kept.
    assert app.test_client().get("/plain").get_data() == b"page 3"
    assert app.test_client().get("/plain").get_data() == b"page 3"


def test_a_remembered_value_outlives_bookings_but_not_a_write_to_its_own_tables(
    app, make_event, clock
):
    from engage.organisations import services as organisations
    from engage.organisations.models import OrganisationKind
    from engage.pagecache import remembered

    make_event(slug="day", capacity=50)
    made = []

    def options():
        made.append(1)
        return len(made)

    def read():
        with app.test_request_context():
            return remembered(("test",), options, tables=frozenset({"organisations"}))

    assert read() == read() == 1
    _book(app, "ada@example.org")
    assert read() == 1  # a booking writes other tables: kept
    with app.app_context():
        organisations.add("Northbridge Police", OrganisationKind.POLICE_FORCE)
    assert read() == 2  # the list changed here: made again at once
    clock.shift(1)
    assert read() == 3  # and never older than a second


def test_a_rolled_back_write_forgets_what_its_transaction_may_have_read(app, clock):
    from engage.organisations.models import Organisation, OrganisationKind
    from engage.pagecache import remembered

    def read():
        return remembered(
            ("names",),
            lambda: list(db.session.scalars(db.select(Organisation.name))),
            tables=frozenset({"organisations"}),
        )

    with app.test_request_context():
        db.session.add(Organisation(name="Gone", name_key="gone", kind=OrganisationKind.OTHER))
        db.session.flush()
        assert read() == ["Gone"]
        db.session.rollback()
        assert read() == []
