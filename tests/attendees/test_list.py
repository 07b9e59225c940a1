"""The attendee list: counts, the filtered table, its form and pages, and its cost at scale."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import selectinload

from engage.accounts.models import Role, User
from engage.attendees import listing
from engage.extensions import db
from engage.registrations.models import Registration
from tests.attendees.conftest import workshop_ids
from tests.attendees.pages import counting_queries, result_rows
from tests.attendees.seeding import seed_registrations
from tests.registrations.conftest import NOW


def test_counts_and_rows_of_the_list(small_event, staff_client):
    event, ids = small_event
    page = staff_client(event).get(f"/admin/events/{event.id}/attendees/").get_data(as_text=True)

    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert counts == {
        "Confirmed": "3",
        "On the waiting list": "2",
        "Cancelled": "1",
        "Checked in": "1",
        "Places left": "0 of 3",
    }
    assert "<tr><td>Learning from failure</td><td>1 of 2</td></tr>" in page
    assert "5 of 6 registrations match" in page
    rows = result_rows(page)
    assert [row[0] for row in rows] == [
        "Cat Adams",
        "Bob Brown",
        "Dan Dune",
        "Ada Lovelace",
        "Zoë Ørsted",
    ]  # sorted by last name; Fay (cancelled) is not in the default list
    by_name = {row[0]: row for row in rows}
    assert by_name["Ada Lovelace"][1:5] == [
        "Northbridge Police",
        "Police officer",
        "Confirmed, checked in 1 December 2026, 1pm",
        "Learning from failure",
    ]
    assert by_name["Dan Dune"][3] == "Waiting list, number 1"
    assert by_name["Zoë Ørsted"][3] == "Waiting list, number 2"
    # Booked at midday UTC: 1pm in the event's own zone, with the machine-readable time.
    assert by_name["Ada Lovelace"][5] == "1 December 2026, 1pm"
    assert '<time datetime="2026-12-01T12:00:00Z">' in page
    assert "booking times in Europe/Paris" in page
    assert f'href="/admin/events/{event.id}/attendees/{ids["Ada"]}">Ada Lovelace</a>' in page
    assert 'href="/admin/events/1/attendees/export"' in page
    assert f'href="/admin/events/{event.id}/messages"' in page
    assert '<a href="/admin/events/1/">' in page  # the breadcrumbs name the event


def test_requirements_are_no_column_but_can_be_filtered_on(small_event, staff_client):
    event, _ = small_event
    client = staff_client(event)
    page = client.get(f"/admin/events/{event.id}/attendees/").get_data(as_text=True)
    assert "Halal" not in page and "Step-free seat" not in page
    needs = client.get(f"/admin/events/{event.id}/attendees/?needs=1").get_data(as_text=True)
    assert [row[0] for row in result_rows(needs)] == ["Ada Lovelace"]
    assert "Halal" not in needs
    assert 'name="needs" value="1" checked' in needs


def test_the_form_shows_the_filter_and_every_link_keeps_it(app, workshop_event, staff_client):
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 120)
    app.config["ATTENDEES_PER_PAGE"] = 5
    client = staff_client(event)
    base = f"/admin/events/{event.id}/attendees/"

    page = client.get(base + "?q=PERSON1&sort=-booked&status=confirmed").get_data(as_text=True)
    # person1, person10-19 and person100-119: 31 people, newest first
    assert "31 of 120 registrations match" in page
    assert [row[0] for row in result_rows(page)][:2] == [
        "Person119 Surname00119",
        "Person118 Surname00118",
    ]
    assert 'name="q" value="PERSON1"' in page
    assert '<option value="-booked" selected>' in page
    assert '<option value="confirmed" selected>' in page
    assert "Page 1 of 7" in page
    kept = "q=PERSON1&amp;status=confirmed&amp;sort=-booked"
    assert f'href="{base}?page=2&amp;{kept}#results" rel="next"' in page
    assert f'href="/admin/events/{event.id}/attendees/export?{kept}"' in page
    # Emailing and printing act on the same people as the list shows.
    assert f'href="/admin/events/{event.id}/mailings/new?{kept}">Email these people' in page
    assert f'href="/admin/events/{event.id}/paper/?{kept}">Badges and lists' in page
    assert f'href="/admin/events/{event.id}/attendees/new">Add a registration' in page
    assert f'<a class="filters__clear" href="{base}">Clear filters</a>' in page

    second = client.get(base + "?page=2&q=PERSON1&sort=-booked&status=confirmed")
    second = second.get_data(as_text=True)
    assert "Page 2 of 7" in second
    assert f'href="{base}?page=1&amp;{kept}#results" rel="prev"' in second
    assert result_rows(second)[0][0] == "Person114 Surname00114"

    plain = client.get(base).get_data(as_text=True)
    assert "Clear filters" not in plain
    assert "120 of 120 registrations match" in plain


def test_search_ignores_case_and_accents(small_event, staff_client):
    event, _ = small_event
    client = staff_client(event)
    for query in ("ORSTED", "zoe", "universite de lyon"):
        page = client.get(f"/admin/events/{event.id}/attendees/?q={query}").get_data(as_text=True)
        assert [row[0] for row in result_rows(page)] == ["Zoë Ørsted"], query


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 1), ("0", 1), ("-3", 1), ("2", 2), ("999", 3), ("", 1)]
)
def test_junk_page_numbers_fall_back(app, workshop_event, staff_client, page, shown):
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 12)
    app.config["ATTENDEES_PER_PAGE"] = 5
    response = staff_client(event).get(f"/admin/events/{event.id}/attendees/?page={page}")
    assert response.status_code == 200
    assert f"Page {shown} of 3" in response.get_data(as_text=True)


def test_an_absurd_page_number_is_refused(app, workshop_event, staff_client):
    event = workshop_event()
    response = staff_client(event).get(f"/admin/events/{event.id}/attendees/?page=10000000")
    assert response.status_code == 404


def _queries_for_page(app, client, url: str, per_page: int) -> tuple[int, int]:
    app.config["ATTENDEES_PER_PAGE"] = per_page
    with counting_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), len(result_rows(response.get_data(as_text=True)))


def _checked_in_by_many(app, event, every: int = 2) -> None:
    """Every `every`-th registration checked in, each by a staff member of its own.

    Distinct staff, so that a row loading its own would cost a query per row.
    """
    with app.app_context():
        ids = db.session.scalars(
            db.select(Registration.id).where(Registration.event_id == event.id)
        ).all()[::every]
        db.session.execute(
            db.insert(User),
            [
                {"email": f"staff{n}@example.org", "name": f"Staff {n}", "role": Role.ORGANISER}
                for n in range(len(ids))
            ],
        )
        staff = db.session.scalars(
            db.select(User.id).where(User.email.like("staff%")).order_by(User.id)
        ).all()
        for rid, uid in zip(ids, staff, strict=True):
            db.session.execute(
                db.update(Registration)
                .where(Registration.id == rid)
                .values(checked_in_at=NOW, checked_in_by_id=uid)
            )
        db.session.commit()


def test_the_number_of_queries_does_not_grow_with_the_rows_shown(app, workshop_event, staff_client):
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 600, workshop_ids=workshop_ids(app, event), waitlisted_every=4)
    _checked_in_by_many(app, event)
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/"
    client.get(url)  # sign-in and first-request work done once, outside the count

    ten, shown_ten = _queries_for_page(app, client, url, 10)
    many, shown_many = _queries_for_page(app, client, url, 500)
    assert (shown_ten, shown_many) == (10, 500)
    assert ten == many


def test_the_query_count_catches_a_lazy_load_per_row(
    app, workshop_event, staff_client, monkeypatch
):
    """Control: without loading the page's workshops together, each row asks for its own."""
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 60, workshop_ids=workshop_ids(app, event))
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/"
    client.get(url)
    monkeypatch.setattr(listing, "row_loads", lambda: ())
    ten, _ = _queries_for_page(app, client, url, 10)
    many, _ = _queries_for_page(app, client, url, 50)
    assert many - ten == 40


def test_the_query_count_catches_a_lazy_load_of_who_checked_each_row_in(
    app, workshop_event, staff_client, monkeypatch
):
    """Control: without loading who checked the page's rows in, each checked-in row asks."""
    event = workshop_event()
    with app.app_context():
        seed_registrations(event.id, 60, workshop_ids=workshop_ids(app, event))
    _checked_in_by_many(app, event, every=1)
    client = staff_client(event)
    url = f"/admin/events/{event.id}/attendees/"
    client.get(url)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"checked in <time[^>]*>[^<]+</time> by Staff \d+<", page)
    monkeypatch.setattr(listing, "row_loads", lambda: (selectinload(Registration.workshops),))
    ten, _ = _queries_for_page(app, client, url, 10)
    many, _ = _queries_for_page(app, client, url, 50)
    assert many - ten == 40


def test_ten_thousand_registrations_render(app, workshop_event, staff_client):
    event = workshop_event(capacity=None)
    with app.app_context():
        seed_registrations(
            event.id, 10_000, workshop_ids=workshop_ids(app, event), waitlisted_every=10
        )
    client = staff_client(event)
    page = client.get(f"/admin/events/{event.id}/attendees/").get_data(as_text=True)
    assert "10,000 of 10,000 registrations match" in page
    assert "Page 1 of 200" in page and len(result_rows(page)) == listing.PER_PAGE
    assert "<dt>Places left</dt><dd>No limit</dd>" in page
    found = client.get(f"/admin/events/{event.id}/attendees/?q=surname09999&status=waitlisted")
    assert [row[0] for row in result_rows(found.get_data(as_text=True))] == [
        "Person9999 Surname09999"
    ]


def test_the_event_page_links_to_the_list_with_its_counts(small_event, staff_client):
    event, _ = small_event
    page = staff_client(event).get(f"/admin/events/{event.id}/").get_data(as_text=True)
    assert "3 confirmed, 2 on the waiting list, 1 cancelled, 1 checked in. 0 places left." in page
    assert f'<a href="/admin/events/{event.id}/attendees/">Attendee list' in page
    assert f'<a href="/admin/events/{event.id}/messages">Emails sent about this event</a>' in page
    for path, text in (
        ("attendees/new", "Add a registration"),
        ("mailings/", "Messages to attendees"),
        ("paper/", "Badges and lists to print"),
    ):
        assert f'<a href="/admin/events/{event.id}/{path}">{text}</a>' in page


def test_the_dashboard_links_admins_to_every_email(app, make_user, login_as):
    admin, organiser = make_user("admin@example.org", role=Role.ADMIN), make_user()
    for user, shown in ((admin, True), (organiser, False)):
        client = app.test_client()
        login_as(client, user)
        page = client.get("/admin/").get_data(as_text=True)
        assert ('<a href="/admin/messages">Emails</a>' in page) is shown
