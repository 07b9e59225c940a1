"""The desk's rules through the services: check-in, undo, idempotence, refusals, walk-ins, totals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

import engage.db as engage_db
from engage.accounts.models import User
from engage.attendees import services as attendee_services
from engage.checkin import services
from engage.checkin.services import (
    Cancelled,
    EventCancelled,
    NoPlaceFree,
    OtherEvent,
    RegisteredAgain,
    UnknownCode,
    Waitlisted,
)
from engage.checkin.walk_ins import WalkIn, register_walk_in
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import (
    AttendeeCategory,
    CheckInSource,
    Registration,
    RegistrationStatus,
)
from engage.registrations.services import AlreadyRegistered
from tests.attendees.helpers import audit, booked, fresh, history, outbox, workshop_ids
from tests.attendees.test_services import free_a_place
from tests.checkin.helpers import log
from tests.conftest import london
from tests.registrations.conftest import NOW, data

ON_THE_DAY = london(2027, 1, 21, 9, 5)
LATER = ON_THE_DAY + dt.timedelta(minutes=3)
CONFIRMED = RegistrationStatus.CONFIRMED
CODE = CheckInSource.CODE
SEARCH = CheckInSource.SEARCH


def _event(event) -> Event:
    return db.session.get(Event, event.id)


def _user(user) -> User:
    return db.session.get(User, user.id)


def _no_personal_data(summary: str) -> None:
    for personal in ("Ada", "Lovelace", "@", "Northbridge", "Grace", "Hopper"):
        assert personal not in summary


def _walk_in(**fields) -> WalkIn:
    values = dict(
        first_name="Grace",
        last_name="Hopper",
        email="",
        organisation="Navy",
        category=AttendeeCategory.PARTNER,
        privacy_accepted=True,
    )
    values.update(fields)
    return WalkIn(**values)


def _written() -> tuple:
    return (log(), audit(), outbox())


# --- checking in ----------------------------------------------------------------------


def test_a_code_checks_the_person_in_with_who_when_log_and_audit(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        code = fresh(rid).checkin_code
        result = services.check_in(
            _event(event), code=code, by=_user(sam), source=CODE, now=ON_THE_DAY
        )
        assert not result.already and not result.given_place
        assert (result.registration.id, result.by.name, result.at) == (rid, "Sam Desk", ON_THE_DAY)
        registration = fresh(rid)
        assert (registration.checked_in_at, registration.checked_in_by_id) == (ON_THE_DAY, sam.id)
        assert log() == [(rid, "checked_in", sam.id, "code", "")]
        assert fresh(rid).checkins[0].at == ON_THE_DAY
        [entry] = [a for a in audit() if a[0].startswith("checkin.")]
        assert entry == ("checkin.checked_in", rid, f"Registration {rid} checked in")
        _no_personal_data(entry[2])


def test_checking_in_twice_records_one_check_in_and_says_who_was_first(app, make_event, desk_staff):
    event = make_event()
    sam, alex = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        services.check_in(
            _event(event), registration_id=rid, by=_user(sam), source=SEARCH, now=ON_THE_DAY
        )
        before = _written()
        again = services.check_in(
            _event(event), code=fresh(rid).checkin_code, by=_user(alex), source=CODE, now=LATER
        )
        assert again.already
        assert (again.by.name, again.at) == ("Sam Desk", ON_THE_DAY)  # the first, not Alex
        assert (fresh(rid).checked_in_at, fresh(rid).checked_in_by_id) == (ON_THE_DAY, sam.id)
        assert _written() == before  # no second log row, no second audit entry


def test_undo_clears_the_check_in_once_and_a_new_check_in_is_logged_again(
    app, make_event, desk_staff
):
    event = make_event()
    sam, alex = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        services.check_in(
            _event(event), registration_id=rid, by=_user(sam), source=SEARCH, now=ON_THE_DAY
        )
        undone = services.undo_check_in(
            _event(event), registration_id=rid, by=_user(alex), source=SEARCH, now=LATER
        )
        assert undone.undone and not undone.already
        assert (fresh(rid).checked_in_at, fresh(rid).checked_in_by_id) == (None, None)
        before = _written()
        twice = services.undo_check_in(
            _event(event), registration_id=rid, by=_user(alex), source=SEARCH, now=LATER
        )
        assert twice.already  # they were not checked in: nothing to undo
        assert _written() == before
        services.check_in(
            _event(event),
            registration_id=rid,
            by=_user(alex),
            source=CheckInSource.RECORD,
            now=LATER,
        )
        assert log() == [
            (rid, "checked_in", sam.id, "search", ""),
            (rid, "undone", alex.id, "search", ""),
            (rid, "checked_in", alex.id, "record", ""),
        ]
        actions = [a for a, *_ in audit() if a.startswith("checkin.")]
        assert actions == ["checkin.checked_in", "checkin.undone", "checkin.checked_in"]


def test_the_log_keeps_its_rows_when_a_staff_account_goes(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        services.check_in(
            _event(event), registration_id=rid, by=_user(sam), source=SEARCH, now=ON_THE_DAY
        )
        with engage_db.transaction():
            db.session.execute(db.delete(User).where(User.id == sam.id))
        assert fresh(rid).checked_in_at == ON_THE_DAY
        assert fresh(rid).checked_in_by_id is None
        assert log() == [(rid, "checked_in", None, "search", "")]


# --- codes that do not check anyone in ---------------------------------------------------


def test_an_unknown_code_is_refused_and_writes_nothing(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        booked(event)
        before = _written()
        with pytest.raises(UnknownCode):
            services.check_in(_event(event), code="f" * 32, by=_user(sam), source=CODE)
        assert _written() == before


def test_another_events_code_names_that_event_when_it_is_public(app, make_event, desk_staff):
    event = make_event()
    other = make_event(title="Spring Seminar")
    draft = make_event(title="Secret Planning Day", is_published=False)
    sam, alex = desk_staff(event)
    with app.app_context():
        booked(event)
        other_code = fresh(booked(other, email="o@example.org")).checkin_code
        added = attendee_services.add_registration(
            _event(draft), data(email="d@example.org"), now=NOW
        )
        draft_code = added.registration.checkin_code
        before = _written()
        with pytest.raises(OtherEvent) as public:
            services.check_in(_event(event), code=other_code, by=_user(sam), source=CODE)
        assert public.value.message == "This check-in code is for “Spring Seminar”, not this one."
        with pytest.raises(OtherEvent) as hidden:
            services.check_in(_event(event), code=draft_code, by=_user(sam), source=CODE)
        assert hidden.value.message == "This check-in code is for another event, not this one."
        with pytest.raises(OtherEvent) as for_admin:
            services.check_in(_event(event), code=draft_code, by=_user(alex), source=CODE)
        assert "“Secret Planning Day”" in for_admin.value.message  # the admin manages it
        assert _written() == before


def test_a_cancelled_event_checks_no_one_in(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        with engage_db.transaction():
            _event(event).cancelled_at = NOW
        with pytest.raises(EventCancelled):
            services.check_in(_event(event), registration_id=rid, by=_user(sam), source=SEARCH)
        assert fresh(rid).checked_in_at is None and log() == []


def test_a_cancelled_persons_code_says_so_and_anyway_gives_them_a_place(
    app, make_event, desk_staff
):
    event = make_event(capacity=2)
    sam, _ = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        with engage_db.transaction():
            fresh(rid).status = RegistrationStatus.CANCELLED
        before = _written()
        with pytest.raises(Cancelled) as refused:
            services.check_in(
                _event(event), code=fresh(rid).checkin_code, by=_user(sam), source=CODE
            )
        assert refused.value.offer == "anyway" and refused.value.registration.id == rid
        assert "Ada Lovelace cancelled their registration" in refused.value.message
        assert _written() == before and fresh(rid).checked_in_at is None

        result = services.check_in(
            _event(event),
            code=fresh(rid).checkin_code,
            by=_user(sam),
            source=CODE,
            anyway=True,
            now=ON_THE_DAY,
        )
        assert result.given_place and not result.already
        assert (fresh(rid).status, fresh(rid).confirmed_at) == (CONFIRMED, ON_THE_DAY)
        assert history(rid)[-1] == (
            "changed",
            "given a place by an organiser: checked in at the desk",
        )
        assert log() == [(rid, "checked_in", sam.id, "code", "given a place at the desk")]
        checkin_audit = [a for a in audit() if a[0].startswith("checkin.")]
        assert checkin_audit == [
            (
                "checkin.place_given",
                rid,
                f"Registration {rid} (cancelled) given a place at the desk",
            ),
            ("checkin.checked_in", rid, f"Registration {rid} checked in"),
        ]
        assert outbox() == before[2]  # they are standing there: no email


def test_a_waitlisted_person_needs_a_place_or_a_knowing_over_capacity(app, make_event, desk_staff):
    event = make_event(capacity=1)
    sam, _ = desk_staff(event)
    with app.app_context():
        booked(event)
        waiting = booked(event, email="grace@example.org", first_name="Grace")
        before = _written()
        with pytest.raises(Waitlisted) as refused:
            services.check_in(_event(event), registration_id=waiting, by=_user(sam), source=SEARCH)
        assert "on the waiting list (number 1 in line)" in refused.value.message
        with pytest.raises(NoPlaceFree) as full:
            services.check_in(
                _event(event), registration_id=waiting, by=_user(sam), source=SEARCH, anyway=True
            )
        assert full.value.offer == "over_capacity"
        assert full.value.message == "All 1 places are taken. They can only come in over capacity."
        assert _written() == before and fresh(waiting).status == RegistrationStatus.WAITLISTED

        result = services.check_in(
            _event(event),
            registration_id=waiting,
            by=_user(sam),
            source=SEARCH,
            anyway=True,
            over_capacity=True,
            now=ON_THE_DAY,
        )
        assert result.given_place and fresh(waiting).status == CONFIRMED
        assert history(waiting)[-1] == (
            "promoted",
            "given a place by an organiser: checked in at the desk; over capacity",
        )
        assert any(a[2].endswith("given a place at the desk, over capacity") for a in audit())
        assert services.totals(_event(event)) == services.Totals(1, 2, 1)


def test_a_place_given_at_the_desk_leaves_out_a_full_workshop(app, workshop_event, desk_staff):
    event = workshop_event(capacity=2, questions=[])
    sam, _ = desk_staff(event)
    with app.app_context():
        first = workshop_ids(event)[0]
        booked(event, workshop_ids=[first])
        booked(event, email="b@example.org", workshop_ids=[first])
        waiting = booked(event, email="c@example.org", workshop_ids=[first])
        free_a_place(event)
        # Two places on the workshop, both taken by now.
        registration = fresh(waiting)
        assert registration.status == RegistrationStatus.WAITLISTED
        services.check_in(
            _event(event),
            registration_id=waiting,
            by=_user(sam),
            source=SEARCH,
            anyway=True,
            now=ON_THE_DAY,
        )
        assert fresh(waiting).workshops == []
        assert "left out full workshop: Learning from failure" in history(waiting)[-1][1]


def test_a_cancelled_registration_whose_address_booked_again_points_to_the_new_one(
    app, make_event, desk_staff
):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        old = booked(event)
        with engage_db.transaction():
            fresh(old).status = RegistrationStatus.CANCELLED
        new = booked(event)
        with pytest.raises(RegisteredAgain) as refused:
            services.check_in(
                _event(event), registration_id=old, by=_user(sam), source=SEARCH, anyway=True
            )
        assert refused.value.registration.id == new
        assert fresh(old).status == RegistrationStatus.CANCELLED and log() == []


# --- walk-ins ---------------------------------------------------------------------------


def test_a_walk_in_with_an_email_is_registered_checked_in_and_sent_a_confirmation(
    app, make_event, desk_staff
):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        result = register_walk_in(
            _event(event), _walk_in(email="Grace@Example.org"), by=_user(sam), now=ON_THE_DAY
        )
        rid = result.registration.id
        registration = fresh(rid)
        assert (registration.status, registration.email) == (CONFIRMED, "grace@example.org")
        assert (registration.checked_in_at, registration.checked_in_by_id) == (ON_THE_DAY, sam.id)
        assert history(rid) == [("registered", "walk-in, registered at the desk")]
        assert log() == [(rid, "checked_in", sam.id, "desk", "walk-in")]
        assert [a for a, *_ in audit()] == ["checkin.walk_in", "checkin.checked_in"]
        for _, _, summary in audit():
            _no_personal_data(summary)
        assert outbox() == [("registration_confirmation", "grace@example.org")]


def test_a_walk_in_typing_a_listed_organisation_is_recorded_as_listed(
    app, make_event, desk_staff, make_organisation
):
    event = make_event()
    sam, _ = desk_staff(event)
    listed = make_organisation("Northbridge Police")
    make_organisation("Old Constabulary", active=False)
    with app.app_context():
        typed = {"northbridge POLICE": (listed.id, "Northbridge Police")}
        typed |= {"Old Constabulary": (None, "Old Constabulary"), "Navy": (None, "Navy")}
        for n, (name, expected) in enumerate(typed.items()):
            result = register_walk_in(
                _event(event), _walk_in(first_name=f"G{n}", organisation=name), by=_user(sam)
            )
            registration = fresh(result.registration.id)
            assert (registration.organisation_id, registration.organisation) == expected


def test_walk_ins_without_an_email_are_many_and_emailed_nothing(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        first = register_walk_in(_event(event), _walk_in(), by=_user(sam))
        second = register_walk_in(_event(event), _walk_in(first_name="Anne"), by=_user(sam))
        assert first.registration.email == second.registration.email == ""
        assert outbox() == []
        assert services.totals(_event(event)) == services.Totals(2, 2, 50)


def test_a_walk_in_at_a_full_event_comes_in_only_over_capacity_never_waitlisted(
    app, make_event, desk_staff
):
    event = make_event(capacity=1)
    sam, _ = desk_staff(event)
    with app.app_context():
        booked(event)
        before = _written()
        with pytest.raises(NoPlaceFree):
            register_walk_in(_event(event), _walk_in(), by=_user(sam))
        assert _written() == before
        assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1
        result = register_walk_in(_event(event), _walk_in(), by=_user(sam), over_capacity=True)
        assert fresh(result.registration.id).status == CONFIRMED
        assert history(result.registration.id) == [
            ("registered", "walk-in, registered at the desk, over capacity")
        ]
        assert audit()[-2][2].endswith("(walk-in), over capacity")


def test_a_walk_in_whose_address_is_registered_is_told_so(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        rid = booked(event)
        before = _written()
        with pytest.raises(AlreadyRegistered) as refused:
            register_walk_in(_event(event), _walk_in(email="ADA@example.org"), by=_user(sam))
        assert refused.value.registration.id == rid and refused.value.field == "email"
        assert _written() == before


def test_a_walk_in_at_a_cancelled_event_is_refused(app, make_event, desk_staff):
    event = make_event()
    sam, _ = desk_staff(event)
    with app.app_context():
        with engage_db.transaction():
            _event(event).cancelled_at = NOW
        with pytest.raises(EventCancelled):
            register_walk_in(_event(event), _walk_in(), by=_user(sam))


def test_the_index_allows_many_empty_addresses_but_not_a_real_one_twice(app, make_event):
    """The database itself: the one-active-address rule skips empty addresses only."""
    event = make_event()

    def insert(email: str) -> None:
        with engage_db.transaction():
            db.session.add(
                Registration(
                    event_id=event.id,
                    status=CONFIRMED,
                    email=email,
                    first_name="A",
                    last_name="B",
                    organisation="C",
                    job_title="",
                    category=AttendeeCategory.PARTNER,
                )
            )

    with app.app_context():
        insert("")
        insert("")
        insert("x@example.org")
        with pytest.raises(IntegrityError):
            insert("x@example.org")


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
        ("  0123456789ABCDEF0123456789ABCDEF \n", "0123456789abcdef0123456789abcdef"),
        (
            "https://events.example.org/c/0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef",
        ),
        (
            "http://127.0.0.1:5000/c/0123456789abcdef0123456789abcdef/",
            "0123456789abcdef0123456789abcdef",
        ),
        ("Ada Lovelace", None),
        ("0123456789abcdef", None),
        ("0123456789abcdef0123456789abcdefff", None),
        ("https://evil.example/x/0123456789abcdef0123456789abcdef", None),
        ("", None),
    ],
)
def test_a_code_is_read_bare_or_from_the_qr_link(typed, code):
    assert services.code_in(typed) == code


def test_totals_count_confirmed_places_and_one_workshops_people(app, workshop_event, desk_staff):
    event = workshop_event(capacity=3, questions=[])
    sam, _ = desk_staff(event)
    with app.app_context():
        first, _, third = workshop_ids(event)
        a = booked(event, workshop_ids=[first])
        b = booked(event, email="b@example.org", workshop_ids=[first, third])
        booked(event, email="c@example.org", workshop_ids=[third])
        booked(event, email="d@example.org")  # waitlisted: not expected
        for rid in (a, b):
            services.check_in(_event(event), registration_id=rid, by=_user(sam), source=SEARCH)
        stored = _event(event)
        assert services.totals(stored) == services.Totals(checked_in=2, expected=3, places=3)
        workshop = stored.workshops[0]
        assert services.totals(stored, workshop) == services.Totals(2, 2, 2)
        assert services.totals(stored, stored.workshops[2]) == services.Totals(1, 2, 2)


def test_the_search_finds_folded_names_and_cancelled_people_too(app, make_event):
    event = make_event()
    with app.app_context():
        zoe = booked(event, first_name="Zoë", last_name="Brontë")
        gone = booked(event, email="z2@example.org", first_name="Zoe", last_name="Smith")
        booked(event, email="x@example.org", first_name="Xavier", last_name="Ng")
        with engage_db.transaction():
            fresh(gone).status = RegistrationStatus.CANCELLED
        found, count = services.search(_event(event), "ZOE")
        assert count == 2 and {r.id for r in found} == {zoe, gone}
        assert services.search(_event(event), "bronte")[1] == 1
