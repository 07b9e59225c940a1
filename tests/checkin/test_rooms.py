"""Workshop rooms through the services: once per person and room, not booked, anyway, undo."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from engage.checkin import services
from engage.checkin.rooms import (
    NotBooked,
    RoomFull,
    RoomTotals,
    check_in_to_room,
    room_totals,
    undo_room_check_in,
)
from engage.checkin.services import Waitlisted
from engage.events.models import Event, EventSession
from engage.extensions import db
from engage.registrations.models import RegistrationStatus, WorkshopCheckIn
from tests.attendees.helpers import audit, booked, fresh, history, workshop_ids
from tests.checkin.helpers import log
from tests.checkin.test_services import LATER, ON_THE_DAY, SEARCH, _event, _user

FAILURE, WELLBEING, EVIDENCE = "Learning from failure", "Well-being", "Evidence-based practice"


def _room(event, index: int) -> EventSession:
    return db.session.get(Event, event.id).workshops[index]


def _in_rooms() -> list[tuple[int, int, int | None]]:
    """(registration id, session id, by user id) for every room check-in."""
    rows = db.session.scalars(db.select(WorkshopCheckIn).order_by(WorkshopCheckIn.id))
    return [(r.registration_id, r.session_id, r.by_user_id) for r in rows]


@pytest.fixture
def rooms(app, workshop_event, desk_staff):
    """A workshop event (2 places each), its staff, and Ada booked on the first workshop."""
    event = workshop_event(capacity=5, questions=[])
    sam, alex = desk_staff(event)
    with app.app_context():
        first, second, third = workshop_ids(event)
        ada = booked(event, workshop_ids=[first, third])
    return {"event": event, "sam": sam, "alex": alex, "ada": ada, "ids": (first, second, third)}


def test_a_code_at_the_door_checks_them_into_the_room_and_the_event_once(app, rooms):
    event, sam, alex, ada = rooms["event"], rooms["sam"], rooms["alex"], rooms["ada"]
    first = rooms["ids"][0]
    with app.app_context():
        code = fresh(ada).checkin_code
        result = check_in_to_room(
            _event(event), _room(event, 0), code=code, by=_user(sam), now=ON_THE_DAY
        )
        assert not result.already and result.checked_in_at_event
        assert (result.by.name, result.at) == ("Sam Desk", ON_THE_DAY)
        assert _in_rooms() == [(ada, first, sam.id)]
        # One action at the door: checked in at the event too, each logged with the room named.
        assert fresh(ada).checked_in_at == ON_THE_DAY
        assert log() == [
            (ada, "checked_in", sam.id, "room", "at the door of Learning from failure (Room 11)"),
            (ada, "checked_in", sam.id, "room", "Learning from failure (Room 11)"),
        ]
        actions = [a for a, *_ in audit() if a.startswith("checkin.")]
        assert actions == ["checkin.checked_in", "checkin.room_checked_in"]
        assert all("Ada" not in summary for *_, summary in audit())
        # A second door (or a second scan) records nothing more and says who was first.
        before = (_in_rooms(), log(), audit())
        again = check_in_to_room(
            _event(event), _room(event, 0), registration_id=ada, by=_user(alex), now=LATER
        )
        assert again.already and not again.checked_in_at_event
        assert (again.by.name, again.at) == ("Sam Desk", ON_THE_DAY)
        assert (_in_rooms(), log(), audit()) == before
        assert room_totals(_room(event, 0)) == RoomTotals(in_room=1, places=2, booked=1)


def test_someone_checked_in_at_the_desk_is_only_checked_into_the_room(app, rooms):
    event, sam, ada = rooms["event"], rooms["sam"], rooms["ada"]
    with app.app_context():
        services.check_in(
            _event(event), registration_id=ada, by=_user(sam), source=SEARCH, now=ON_THE_DAY
        )
        result = check_in_to_room(
            _event(event), _room(event, 2), registration_id=ada, by=_user(sam), now=LATER
        )
        assert not result.checked_in_at_event
        assert fresh(ada).checked_in_at == ON_THE_DAY  # the desk's check-in stands
        assert [row[3] for row in log()] == ["search", "room"]


def test_someone_not_booked_is_told_what_they_are_booked_on_and_nothing_is_written(app, rooms):
    event, sam, ada = rooms["event"], rooms["sam"], rooms["ada"]
    with app.app_context():
        before = (_in_rooms(), log(), audit())
        with pytest.raises(NotBooked) as refused:
            check_in_to_room(
                _event(event), _room(event, 1), registration_id=ada, by=_user(sam), now=LATER
            )
        assert refused.value.message == (
            "Ada Lovelace is not booked on Well-being. Booked on: Learning from failure "
            "(11am, Room 11); Evidence-based practice (2pm, Room 14). If they should stay, "
            "you can book them on it and let them in."
        )
        assert refused.value.offer == "add_to_workshop"
        assert (_in_rooms(), log(), audit()) == before
        assert fresh(ada).checked_in_at is None  # not even at the event: one action or none


def test_anyway_books_them_on_it_in_place_of_a_clashing_workshop(app, rooms):
    event, sam, ada = rooms["event"], rooms["sam"], rooms["ada"]
    _, second, third = rooms["ids"]
    with app.app_context():
        result = check_in_to_room(
            _event(event),
            _room(event, 1),
            registration_id=ada,
            by=_user(sam),
            add_to_workshop=True,
            now=LATER,
        )
        assert result.added_to_workshop and not result.already
        assert [w.id for w in fresh(ada).workshops] == [second, third]
        assert history(ada)[-1] == (
            "changed",
            f"booked on {WELLBEING} by an organiser at its door; in place of {FAILURE}",
        )
        assert _in_rooms() == [(ada, second, sam.id)]


def test_a_full_workshop_takes_them_only_knowingly_over_its_places(app, rooms):
    event, sam, ada = rooms["event"], rooms["sam"], rooms["ada"]
    second = rooms["ids"][1]
    with app.app_context():
        booked(event, email="b@example.org", workshop_ids=[second])
        booked(event, email="c@example.org", workshop_ids=[second])
        room = _room(event, 1)
        with pytest.raises(RoomFull) as refused:
            check_in_to_room(
                _event(event), room, registration_id=ada, by=_user(sam), add_to_workshop=True
            )
        assert refused.value.offer == "over_places"
        assert "All 2 places in Well-being are booked" in refused.value.message
        assert _in_rooms() == [] and fresh(ada).checked_in_at is None
        check_in_to_room(
            _event(event),
            _room(event, 1),
            registration_id=ada,
            by=_user(sam),
            add_to_workshop=True,
            over_places=True,
            now=LATER,
        )
        assert history(ada)[-1][1].endswith("over its places")
        assert room_totals(_room(event, 1)) == RoomTotals(in_room=1, places=2, booked=3)


def test_someone_waitlisted_needs_the_events_confirmation_first(app, rooms):
    event, sam = rooms["event"], rooms["sam"]
    first = rooms["ids"][0]
    with app.app_context():
        for n in range(4):
            booked(event, email=f"p{n}@example.org")
        waiting = booked(event, email="w@example.org", workshop_ids=[first])
        assert fresh(waiting).status == RegistrationStatus.WAITLISTED
        with pytest.raises(Waitlisted):
            check_in_to_room(_event(event), _room(event, 0), registration_id=waiting, by=_user(sam))
        # The event is full too: a place is given only over capacity.
        result = check_in_to_room(
            _event(event),
            _room(event, 0),
            registration_id=waiting,
            by=_user(sam),
            anyway=True,
            over_capacity=True,
            now=LATER,
        )
        assert result.given_place and result.checked_in_at_event
        assert fresh(waiting).status == RegistrationStatus.CONFIRMED


def test_undo_takes_them_out_of_the_room_once_and_leaves_the_event_check_in(app, rooms):
    event, sam, alex, ada = rooms["event"], rooms["sam"], rooms["alex"], rooms["ada"]
    first = rooms["ids"][0]
    with app.app_context():
        check_in_to_room(
            _event(event), _room(event, 0), registration_id=ada, by=_user(sam), now=ON_THE_DAY
        )
        undone = undo_room_check_in(
            _event(event), _room(event, 0), registration_id=ada, by=_user(alex), now=LATER
        )
        assert undone.undone and not undone.already
        assert _in_rooms() == [] and fresh(ada).checked_in_at == ON_THE_DAY
        assert log()[-1] == (ada, "undone", alex.id, "room", "Learning from failure (Room 11)")
        before = (log(), audit())
        assert undo_room_check_in(
            _event(event), _room(event, 0), registration_id=ada, by=_user(alex)
        ).already
        assert (log(), audit()) == before
        # In again after the undo: a new row, logged again.
        check_in_to_room(_event(event), _room(event, 0), registration_id=ada, by=_user(alex))
        assert _in_rooms() == [(ada, first, alex.id)]


def test_the_unique_constraint_is_what_refuses_a_second_row(app, rooms):
    """Control: the guarantee rests on the table, which refuses a second row outright."""
    event, sam, ada = rooms["event"], rooms["sam"], rooms["ada"]
    first = rooms["ids"][0]
    with app.app_context():
        check_in_to_room(_event(event), _room(event, 0), registration_id=ada, by=_user(sam))
        db.session.add(WorkshopCheckIn(registration_id=ada, session_id=first, at=LATER))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
