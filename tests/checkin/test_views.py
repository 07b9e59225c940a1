"""The desk over HTTP: the box, the buttons, the QR code's link, walk-ins, the record page."""

from __future__ import annotations

import re

import pytest

from engage.accounts.models import User
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus
from tests.attendees.helpers import booked, fresh
from tests.checkin.helpers import log
from tests.conftest import TEST_PASSWORD, hash_for_tests
from tests.registrations.conftest import qr_link
from tests.security.world import changed_tables, snapshot


@pytest.fixture
def desk(app, client, make_event, desk_staff, login_as):
    """An event with Ada booked (access needs given), and the client signed in as Sam, its organiser."""
    event = make_event(title="Engagement Day")
    sam, alex = desk_staff(event)
    with app.app_context():
        rid = booked(event, access_requirements="Step-free route to the hall", access_consent=True)
        code = fresh(rid).checkin_code
    login_as(client, sam)
    return {
        "event": event,
        "rid": rid,
        "code": code,
        "sam": sam,
        "alex": alex,
        "url": f"/admin/events/{event.id}/check-in",
    }


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_the_desk_has_the_box_the_totals_and_may_use_the_camera(client, desk):
    response = client.get(desk["url"])
    page = _html(response)
    assert response.status_code == 200
    assert "<strong>0</strong> of 1 checked in" in page
    assert re.search(r'<input[^>]*autofocus[^>]*name="q"|<input[^>]*name="q"[^>]*autofocus', page)
    assert '<script src="/static/js/checkin.js" defer></script>' in page
    assert response.headers["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    # Every other page keeps the camera off.
    other = client.get(f"/admin/events/{desk['event'].id}/")
    assert other.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert f'href="{desk["url"]}"' in _html(other)  # the event page links to the desk


def test_a_search_shows_people_and_changes_nothing(app, client, desk):
    before = snapshot(app)
    page = _html(client.post(desk["url"], data={"q": "lovelace"}))
    assert "1 person found" in page
    assert "Ada Lovelace" in page and "Northbridge Police" in page and "Not checked in" in page
    assert f'action="{desk["url"]}/{desk["rid"]}"' in page
    assert 'Check in<span class="visually-hidden"> (Ada Lovelace)</span>' in page
    assert changed_tables(before, snapshot(app)) == []
    nobody = _html(client.post(desk["url"], data={"q": "nobody"}))
    assert "No one found" in nobody and "register them at the desk" in nobody


def test_a_code_in_the_box_checks_them_in_at_once_and_says_so_loudly(app, client, desk):
    response = client.post(desk["url"], data={"q": desk["code"]})
    page = _html(response)
    assert '<div class="checkin-panel checkin-panel--done" role="status"' in page
    assert "Checked in: Ada Lovelace" in page
    assert "Northbridge Police" in page and "Step-free route to the hall" in page
    assert "by Sam Desk" in page
    box = re.search(r'<input[^>]*name="q"[^>]*>', page)[0]
    assert 'value=""' in box and "autofocus" in box  # empty, and ready for the next person
    assert "<strong>1</strong> of 1 checked in" in page
    with app.app_context():
        assert log() == [(desk["rid"], "checked_in", desk["sam"].id, "code", "")]


def test_the_same_code_again_says_who_checked_them_in_first(app, client, desk, login_as):
    client.post(desk["url"], data={"q": desk["code"]})
    other = app.test_client()
    login_as(other, desk["alex"])
    page = _html(other.post(desk["url"], data={"q": desk["code"].upper()}))
    assert "Already checked in: Ada Lovelace" in page and "by Sam Desk" in page
    with app.app_context():
        assert len(log()) == 1


def test_the_qr_codes_link_scanned_into_the_box_checks_them_in(app, client, desk):
    page = _html(client.post(desk["url"], data={"q": qr_link(app, desk["code"])}))
    assert "Checked in: Ada Lovelace" in page


def test_a_get_with_a_code_only_shows_the_person(app, client, desk):
    before = snapshot(app)
    page = _html(client.get(desk["url"], query_string={"q": desk["code"]}))
    assert "Ada Lovelace" in page and "Not checked in" in page
    fragment = _html(client.get(desk["url"], query_string={"q": "ada", "partial": "results"}))
    assert fragment.lstrip().startswith('<div id="checkin-results"') and "<html" not in fragment
    assert "Ada Lovelace" in fragment
    assert changed_tables(before, snapshot(app)) == []


def test_check_in_and_undo_buttons(app, client, desk):
    page = _html(client.post(f"{desk['url']}/{desk['rid']}"))
    assert "Checked in: Ada Lovelace" in page
    page = _html(client.post(f"{desk['url']}/{desk['rid']}/undo"))
    assert "Check-in undone: Ada Lovelace" in page
    assert "<strong>0</strong> of 1 checked in" in page
    with app.app_context():
        assert [row[1:4] for row in log()] == [
            ("checked_in", desk["sam"].id, "search"),
            ("undone", desk["sam"].id, "search"),
        ]


def test_a_cancelled_persons_code_is_refused_with_the_offer_to_check_them_in_anyway(
    app, client, desk
):
    with app.app_context():
        fresh(desk["rid"]).status = RegistrationStatus.CANCELLED
        db.session.commit()
    page = _html(client.post(desk["url"], data={"q": desk["code"]}))
    assert '<div class="checkin-panel checkin-panel--refused" role="alert"' in page
    assert "Ada Lovelace cancelled their registration" in page
    assert '<input type="hidden" name="anyway" value="y">' in page
    page = _html(client.post(f"{desk['url']}/{desk['rid']}", data={"anyway": "y"}))
    assert "Checked in: Ada Lovelace" in page and "Given a place at the desk" in page


def test_another_events_code_names_it(app, client, desk, make_event):
    other = make_event(title="Spring Seminar")
    with app.app_context():
        code = fresh(booked(other, email="o@example.org")).checkin_code
    page = _html(client.post(desk["url"], data={"q": code}))
    assert "This check-in code is for “Spring Seminar”, not this one." in page


def test_buttons_on_the_record_check_in_and_undo_and_come_back(app, client, desk):
    record = f"/admin/events/{desk['event'].id}/attendees/{desk['rid']}"
    page = _html(client.get(record))
    assert "Not checked in yet." in page
    response = client.post(f"{desk['url']}/{desk['rid']}", data={"from_record": "y"})
    assert (response.status_code, response.headers["Location"]) == (302, record)
    page = _html(client.get(record))
    assert "Ada Lovelace is checked in." in page
    assert re.search(r'id="checked-in"><time[^>]*>[^<]*</time>, by Sam Desk', page)
    assert "This record" in page and "Undo check-in" in page  # the log, and the way back
    client.post(f"{desk['url']}/{desk['rid']}/undo", data={"from_record": "y"})
    page = _html(client.get(record))
    assert "Ada Lovelace&#39;s check-in is undone." in page and "Check-in undone" in page
    with app.app_context():
        assert [row[3] for row in log()] == ["record", "record"]


# --- the QR code's link ------------------------------------------------------------------


def test_the_link_sends_visitors_to_sign_in_and_back(app, desk):
    visitor = app.test_client()
    response = visitor.get(f"/c/{desk['code']}")
    assert response.status_code == 302
    sign_in = f"/account/sign-in?next=%2Fc%2F{desk['code']}"
    assert response.headers["Location"] == sign_in
    with app.app_context():
        user = db.session.get(User, desk["sam"].id)
        user.password_hash = hash_for_tests(TEST_PASSWORD)
        db.session.commit()
    signed_in = visitor.post(sign_in, data={"email": "sam@example.org", "password": TEST_PASSWORD})
    assert signed_in.headers["Location"] == f"/c/{desk['code']}"  # back to the person
    assert "Ada Lovelace" in _html(visitor.get(signed_in.headers["Location"]))


def test_the_link_shows_who_it_is_and_a_post_checks_them_in(app, client, desk):
    before = snapshot(app)
    page = _html(client.get(f"/c/{desk['code']}"))
    assert "Ada Lovelace" in page and "Step-free route to the hall" in page
    assert 'Check in<span class="visually-hidden"> (Ada Lovelace)</span>' in page
    assert changed_tables(before, snapshot(app)) == []
    page = _html(client.post(f"/c/{desk['code']}"))
    assert "Checked in: Ada Lovelace" in page
    with app.app_context():
        assert log() == [(desk["rid"], "checked_in", desk["sam"].id, "link", "")]


def test_the_link_of_a_waitlisted_person_offers_a_place(app, client, desk):
    with app.app_context():
        registration = fresh(desk["rid"])
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = registration.created_at
        db.session.commit()
    page = _html(client.get(f"/c/{desk['code']}"))
    assert "on the waiting list" in page
    assert f'action="/c/{desk["code"]}"' in page  # the second confirmation posts here
    page = _html(client.post(f"/c/{desk['code']}", data={"anyway": "y"}))
    assert "Checked in: Ada Lovelace" in page


@pytest.mark.parametrize("who", ["other organiser", "made-up code"])
def test_the_link_is_a_friendly_404_for_codes_one_may_not_see(app, desk, make_user, login_as, who):
    client = app.test_client()
    code = desk["code"]
    if who == "other organiser":
        login_as(client, make_user("other@example.org"))
    else:
        login_as(client, desk["sam"])
        code = "0" * 32
    response = client.get(f"/c/{code}")
    assert response.status_code == 404
    assert "Check-in code not found" in _html(response)
    assert client.post(f"/c/{code}").status_code == 404
    with app.app_context():
        assert log() == []


# --- walk-ins ------------------------------------------------------------------------------


def test_a_walk_in_is_registered_and_checked_in(app, client, desk):
    response = client.post(
        f"{desk['url']}/walk-in",
        data={
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "",
            "organisation": "Navy",
            "category": "partner",
            "privacy": "y",
        },
    )
    assert (response.status_code, response.headers["Location"]) == (302, desk["url"])
    page = _html(client.get(desk["url"]))
    assert "Grace Hopper is registered and checked in." in page
    assert "<strong>1</strong> of 2 checked in" in page
    with app.app_context():
        grace = db.session.scalar(db.select(Registration).filter_by(first_name="Grace"))
        assert grace.email == "" and grace.checked_in_by_id == desk["sam"].id


def test_the_walk_in_form_keeps_answers_and_asks_for_over_capacity_when_full(app, client, desk):
    with app.app_context():
        fresh(desk["rid"]).event.capacity = 1
        db.session.commit()
    form = {
        "first_name": "Grace",
        "last_name": "",
        "organisation": "Navy",
        "category": "partner",
        "privacy": "y",
    }
    page = _html(client.post(f"{desk['url']}/walk-in", data=form))
    assert page.count("Enter their last name") == 2  # summary and field
    assert 'value="Grace"' in page
    assert "They are here: add them over capacity" in page
    page = _html(client.post(f"{desk['url']}/walk-in", data={**form, "last_name": "Hopper"}))
    assert "<title>Error: " in page
    assert "All 1 places are taken. They can only come in over capacity." in page
    response = client.post(
        f"{desk['url']}/walk-in", data={**form, "last_name": "Hopper", "over_capacity": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Registration.id))) == 2


def test_a_walk_in_whose_address_is_booked_is_pointed_to_them(app, client, desk):
    page = _html(
        client.post(
            f"{desk['url']}/walk-in",
            data={
                "first_name": "A",
                "last_name": "L",
                "email": "ADA@example.org",
                "organisation": "N",
                "category": "partner",
                "privacy": "y",
            },
        )
    )
    assert "ada@example.org is already registered for this event" in page
    assert "Find Ada Lovelace at the desk" in page
