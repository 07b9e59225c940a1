"""Room mode over HTTP: the switch, the room's count, a code at the door, not booked, undo."""

from __future__ import annotations

import pytest

from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import WorkshopCheckIn
from tests.attendees.helpers import booked, fresh, workshop_ids
from tests.checkin.helpers import log
from tests.security.world import changed_tables, snapshot


@pytest.fixture
def door(app, client, workshop_event, desk_staff, login_as):
    """A workshop event, Ada booked on the first workshop, and Sam signed in at its room's door."""
    event = workshop_event(title="Engagement Day", capacity=5, questions=[])
    sam, _ = desk_staff(event)
    with app.app_context():
        first, second, third = workshop_ids(event)
        ada = booked(
            event, workshop_ids=[first], access_requirements="Hearing loop", access_consent=True
        )
        code = fresh(ada).checkin_code
    login_as(client, sam)
    base = f"/admin/events/{event.id}/check-in"
    return {
        "event": event,
        "ada": ada,
        "code": code,
        "ids": (first, second, third),
        "desk": base,
        "room": f"{base}?workshop={first}&room=1",
        "button": f"{base}/rooms/{first}/{ada}",
    }


def _html(response) -> str:
    return response.get_data(as_text=True)


def _rooms() -> list[tuple[int, int]]:
    rows = db.session.scalars(db.select(WorkshopCheckIn).order_by(WorkshopCheckIn.id))
    return [(r.registration_id, r.session_id) for r in rows]


def test_the_desk_offers_room_mode_and_room_mode_says_so_with_the_rooms_count(client, door):
    first = door["ids"][0]
    chosen = _html(client.get(f"{door['desk']}?workshop={first}"))
    assert "Room mode: check people into Learning from failure (Room 11)" in chosen
    assert f'href="{door["room"].replace("&", "&amp;")}"' in chosen
    assert "Check people into its room" in _html(client.get(door["desk"]))  # the chooser's button
    page = _html(client.get(door["room"]))
    assert "<title>Room check-in, Learning from failure: Engagement Day" in page
    assert (
        "<strong>Room mode:</strong> checking people into Learning from failure (Room 11)" in page
    )
    assert "<strong>0</strong> of 2 in Learning from failure" in page
    assert "Leave room mode" in page
    # The box posts in room mode; the plain desk does not mention rooms.
    assert f'action="{door["room"].replace("&", "&amp;")}"' in page
    assert "Room mode:</strong>" not in _html(client.get(door["desk"]))


def test_a_code_at_the_door_lets_them_in_and_checks_them_in_at_the_event(app, client, door):
    page = _html(client.post(door["room"], data={"q": door["code"]}))
    assert "In Learning from failure: Ada Lovelace" in page
    assert "Checked in at the event too, just now" in page
    assert "Hearing loop" in page
    assert "<strong>1</strong> of 2 in Learning from failure" in page
    again = _html(client.post(door["room"], data={"q": door["code"]}))
    assert "Already in Learning from failure: Ada Lovelace" in again
    with app.app_context():
        assert _rooms() == [(door["ada"], door["ids"][0])]
        assert fresh(door["ada"]).checked_in_at is not None
        assert [row[3] for row in log()] == ["room", "room"]


def test_the_same_code_on_the_plain_desk_checks_in_at_the_event_only(app, client, door):
    client.post(door["desk"], data={"q": door["code"]})
    with app.app_context():
        assert _rooms() == [] and fresh(door["ada"]).checked_in_at is not None


def test_someone_not_booked_is_told_where_and_may_be_let_in_with_one_more_button(app, client, door):
    second = door["ids"][1]
    room = f"{door['desk']}?workshop={second}&room=1"
    before = snapshot(app)
    page = _html(client.post(room, data={"q": door["code"]}))
    assert "Not let in: Ada Lovelace" in page
    assert "Booked on: Learning from failure (11am, Room 11)" in page
    assert changed_tables(before, snapshot(app)) == []
    button = f"{door['desk']}/rooms/{second}/{door['ada']}"
    assert f'action="{button}?workshop={second}&amp;room=1"' in page
    assert '<input type="hidden" name="add_to_workshop" value="y">' in page
    let_in = _html(client.post(button, data={"add_to_workshop": "y"}))
    assert "In Well-being: Ada Lovelace" in let_in
    assert "Booked on Well-being at the door" in let_in
    with app.app_context():
        assert _rooms() == [(door["ada"], second)]
        assert [w.id for w in fresh(door["ada"]).workshops] == [second]


def test_search_in_room_mode_finds_everyone_with_room_buttons_and_undo(app, client, door):
    second = door["ids"][1]
    with app.app_context():
        booked(db.session.get(Event, door["event"].id), email="g@example.org", first_name="Grace")
    page = _html(client.get(door["room"] + "&q=example.org"))
    assert "2 people found" in page  # Grace, booked on no workshop, is found too
    assert "Not in Learning from failure (not booked on it)" in page
    assert f'action="{door["button"]}?workshop={door["ids"][0]}&amp;room=1"' in page
    client.post(door["button"])
    found = _html(client.get(door["room"] + "&q=lovelace"))
    assert "<strong>In Learning from failure</strong> since" in found
    assert "Undo room check-in" in found
    undone = _html(client.post(door["button"] + "/undo"))
    assert "Taken out of Learning from failure: Ada Lovelace" in undone
    assert "<strong>0</strong> of 2 in Learning from failure" in undone
    with app.app_context():
        assert _rooms() == [] and fresh(door["ada"]).checked_in_at is not None
    # Another event's workshop is not found.
    assert client.post(f"{door['desk']}/rooms/{second + 999}/{door['ada']}").status_code == 404


def test_the_record_shows_the_rooms_they_were_let_into(app, client, door):
    client.post(door["button"])
    page = _html(client.get(f"/admin/events/{door['event'].id}/attendees/{door['ada']}"))
    assert "Workshop rooms" in page
    assert "Learning from failure (Room 11)" in page and "Sam Desk" in page
    assert "A workshop room&#39;s door" in page or "A workshop room's door" in page
