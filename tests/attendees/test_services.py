"""The organiser's actions on one registration, through the services: rules, history, audit."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

import engage.db as engage_db
from engage.attendees import services
from engage.attendees.services import Details, NoPlaceFree, NotActive, NotWaiting
from engage.db import retrying
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import AttendeeCategory, RegistrationStatus
from engage.registrations.services import (
    AlreadyRegistered,
    RegistrationClosed,
    TooManyWorkshops,
    WorkshopFull,
    WorkshopsOverlap,
)
from tests.attendees.helpers import audit, booked, fresh, history, outbox, workshop_ids
from tests.registrations.conftest import NOW, data

LATER = NOW + dt.timedelta(hours=2)
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


def details(registration, **changes) -> Details:
    """The registration's details as they stand, with changes."""
    fields = {
        name: getattr(registration, name)
        for name in (
            "first_name",
            "last_name",
            "email",
            "organisation",
            "job_title",
            "category",
            "dietary_requirements",
            "access_requirements",
        )
    }
    return Details(**{**fields, **changes})


def _no_personal_data(summary: str) -> None:
    for personal in ("Ada", "Lovelace", "@", "Northbridge", "Inspector", "Vegan"):
        assert personal not in summary


# --- correcting details ---------------------------------------------------------------


def test_details_are_corrected_with_history_audit_and_an_email_to_the_new_address(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        changed = services.update_details(
            fresh(rid),
            details(fresh(rid), first_name="Augusta", email="Augusta@Example.org"),
            now=LATER,
        )
        assert changed == ["first name", "email address"]
        registration = fresh(rid)
        assert (registration.first_name, registration.email) == ("Augusta", "augusta@example.org")
        assert "augusta" in registration.search_text  # the staff search finds the new name
        assert history(rid)[-1] == (
            "changed",
            "first name, email address corrected by an organiser",
        )
        assert history(rid)[-1] == ("changed", fresh(rid).history[-1].note)
        assert fresh(rid).history[-1].at == LATER
        [entry] = audit()
        assert entry == ("attendee.updated", rid, f"Registration {rid}: details corrected")
        _no_personal_data(entry[2])
        assert outbox()[-1] == ("details_updated", "augusta@example.org")


def test_nothing_changed_writes_nothing(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        before = (history(rid), outbox())
        assert services.update_details(fresh(rid), details(fresh(rid)), now=LATER) == []
        assert (history(rid), outbox()) == before
        assert audit() == []


def test_dont_email_sends_nothing_but_keeps_the_record(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        sent = len(outbox())
        services.update_details(
            fresh(rid), details(fresh(rid), organisation="Southbridge"), notify=False, now=LATER
        )
        assert fresh(rid).organisation == "Southbridge"
        assert len(outbox()) == sent
        assert history(rid)[-1] == ("changed", "organisation corrected by an organiser")
        assert [a for a, *_ in audit()] == ["attendee.updated"]


def test_an_address_registered_already_is_a_field_error_and_nothing_is_written(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        other = booked(event, email="grace@example.org", first_name="Grace")
        before = (history(rid), outbox(), audit())
        with pytest.raises(AlreadyRegistered) as refused:
            services.update_details(
                fresh(rid),
                details(fresh(rid), first_name="Changed", email="GRACE@example.org"),
                now=LATER,
            )
        assert refused.value.field == "email"
        assert refused.value.registration.id == other
        assert "grace@example.org is already registered" in refused.value.message
        assert fresh(rid).first_name == "Ada"  # the name in the same form was not kept
        assert (history(rid), outbox(), audit()) == before


def test_the_unique_index_behind_the_check_is_a_field_error_too(app, make_event, monkeypatch):
    """Past the friendly check (blinded here), the database's index refuses; still no 500."""
    event = make_event()
    with app.app_context():
        rid = booked(event)
        other = booked(event, email="grace@example.org")
        real = services.registrations.active_registration
        calls = []

        def blind_once(event_id, email):
            calls.append(email)
            return None if len(calls) == 1 else real(event_id, email)

        monkeypatch.setattr(services.registrations, "active_registration", blind_once)
        with pytest.raises(AlreadyRegistered) as refused:
            services.update_details(
                fresh(rid), details(fresh(rid), email="grace@example.org"), now=LATER
            )
        assert refused.value.registration.id == other
        assert fresh(rid).email == "ada@example.org"


def test_the_address_of_a_cancelled_registration_may_be_taken(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        gone = booked(event, email="grace@example.org")
        services.cancel_registration(fresh(gone), now=NOW)
        services.update_details(fresh(rid), details(fresh(rid), email="grace@example.org"))
        assert fresh(rid).email == "grace@example.org"


def test_a_requirement_added_records_consent_given_to_the_organiser(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        assert not fresh(rid).dietary_consent
        services.update_details(
            fresh(rid), details(fresh(rid), dietary_requirements="  Vegan  "), now=LATER
        )
        registration = fresh(rid)
        assert registration.dietary_requirements == "Vegan"
        assert registration.dietary_consent and registration.dietary_consent_at == LATER
        assert not registration.access_consent
        assert ("changed", "dietary consent given to organiser") in history(rid)
        [entry] = audit()
        _no_personal_data(entry[2])


def test_consent_already_given_is_not_given_again(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event, access_requirements="Ramp", access_consent=True)
        given_at = fresh(rid).access_consent_at
        services.update_details(
            fresh(rid), details(fresh(rid), access_requirements="Ramp and a hearing loop")
        )
        assert fresh(rid).access_consent_at == given_at
        assert all("consent" not in note for _, note in history(rid))


def test_a_requirement_cleared_takes_its_consent_with_it(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event, access_requirements="Ramp", access_consent=True)
        services.update_details(fresh(rid), details(fresh(rid), access_requirements="  "))
        registration = fresh(rid)
        assert registration.access_requirements == ""
        assert not registration.access_consent and registration.access_consent_at is None


def test_a_cancelled_registration_cannot_be_corrected(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        services.cancel_registration(fresh(rid), notify=False)
        with pytest.raises(NotActive):
            services.update_details(fresh(rid), details(fresh(rid), first_name="X"))
        assert fresh(rid).first_name == "Ada"


# --- workshops -----------------------------------------------------------------------


@pytest.fixture
def full_first_workshop(app, workshop_event):
    """An event whose first workshop (2 places) is full; Ada booked on the third."""
    event = workshop_event(capacity=10)
    with app.app_context():
        first, _, third = workshop_ids(event)
        answers = {"answers": {q.id: "Car" for q in db.session.get(Event, event.id).questions[1:2]}}
        for email in ("a@example.org", "b@example.org"):
            booked(event, email=email, workshop_ids=[first], **answers)
        rid = booked(event, workshop_ids=[third], **answers)
    return event, rid


def test_a_full_workshop_is_refused_unless_the_organiser_books_them_in_knowingly(
    app, full_first_workshop
):
    event, rid = full_first_workshop
    with app.app_context():
        first, _, third = workshop_ids(event)
        before = (history(rid), outbox(), audit())
        with pytest.raises(WorkshopFull):
            services.change_workshops(fresh(rid), [first, third], now=LATER)
        assert [w.id for w in fresh(rid).workshops] == [third]
        assert (history(rid), outbox(), audit()) == before

        assert services.change_workshops(fresh(rid), [first, third], book_full=True, now=LATER)
        assert [w.id for w in fresh(rid).workshops] == [first, third]
        assert history(rid)[-1] == (
            "changed",
            "workshops changed by an organiser; booked into full workshop: Learning from failure",
        )
        assert audit() == [
            (
                "attendee.workshops_changed",
                rid,
                f"Registration {rid}: workshops changed, booked into a full one",
            )
        ]
        assert outbox()[-1] == ("details_updated", "ada@example.org")


def test_the_limit_and_overlap_rules_apply_even_when_booking_into_a_full_one(
    app, full_first_workshop
):
    event, rid = full_first_workshop
    with app.app_context():
        first, second, third = workshop_ids(event)
        with pytest.raises(WorkshopsOverlap):
            services.change_workshops(fresh(rid), [first, second], book_full=True)
        with pytest.raises(TooManyWorkshops):
            services.change_workshops(fresh(rid), [first, second, third], book_full=True)
        assert [w.id for w in fresh(rid).workshops] == [third]


def test_a_workshop_change_with_room_needs_no_override_and_can_be_quiet(app, full_first_workshop):
    event, rid = full_first_workshop
    with app.app_context():
        _, second, _ = workshop_ids(event)
        sent = len(outbox())
        assert services.change_workshops(fresh(rid), [second], notify=False, now=LATER)
        assert [w.id for w in fresh(rid).workshops] == [second]
        assert history(rid)[-1] == ("changed", "workshops changed by an organiser")
        assert len(outbox()) == sent
        assert not services.change_workshops(fresh(rid), [second])  # the same again: no change
        assert len(audit()) == 1


def test_someone_waiting_keeps_a_full_workshop_choice_as_on_the_public_form(app, workshop_event):
    event = workshop_event(capacity=2)
    with app.app_context():
        first, _, _ = workshop_ids(event)
        answers = {"answers": {db.session.get(Event, event.id).questions[1].id: "Car"}}
        booked(event, email="a@example.org", workshop_ids=[first], **answers)
        booked(event, email="b@example.org", workshop_ids=[first], **answers)
        rid = booked(event, **answers)
        assert fresh(rid).status == WAITLISTED
        services.change_workshops(fresh(rid), [first])
        assert [w.id for w in fresh(rid).workshops] == [first]


# --- cancelling ------------------------------------------------------------------------


def test_cancel_on_their_behalf_promotes_the_waiting_list(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        rid = booked(event)
        waiting = booked(event, email="grace@example.org")
        promoted = services.cancel_registration(fresh(rid), now=LATER)
        assert [p.id for p in promoted] == [waiting]
        assert fresh(rid).status == CANCELLED and fresh(rid).cancelled_at == LATER
        assert fresh(waiting).status == CONFIRMED
        assert history(rid)[-1] == ("cancelled", "cancelled by an organiser")
        assert audit() == [
            ("attendee.cancelled", rid, f"Registration {rid} cancelled by an organiser")
        ]
        assert outbox()[-2:] == [
            ("registration_cancelled", "ada@example.org"),
            ("waitlist_promoted", "grace@example.org"),
        ]


def test_cancel_without_email_still_tells_the_person_promoted(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        rid = booked(event)
        booked(event, email="grace@example.org")
        sent = len(outbox())
        services.cancel_registration(fresh(rid), notify=False, now=LATER)
        assert outbox()[sent:] == [("waitlist_promoted", "grace@example.org")]


def test_cancelling_twice_is_refused(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        services.cancel_registration(fresh(rid))
        with pytest.raises(NotActive, match="cancelled already"):
            services.cancel_registration(fresh(rid))
        assert [a for a, *_ in audit()] == ["attendee.cancelled"]


# --- promoting out of turn ----------------------------------------------------------------


def free_a_place(event) -> None:
    """One more place on the event, with people still waiting."""
    # Raised by hand, not through the event builder (which would promote in order).
    with engage_db.transaction():
        db.session.get(Event, event.id).capacity += 1


def test_promote_out_of_turn_when_a_place_is_free(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        booked(event)
        first_in_line = booked(event, email="first@example.org")
        second_in_line = booked(event, email="second@example.org")
        free_a_place(event)
        services.promote(fresh(second_in_line), now=LATER)
        assert fresh(second_in_line).status == CONFIRMED
        assert fresh(second_in_line).confirmed_at == LATER
        assert fresh(first_in_line).status == WAITLISTED
        assert history(second_in_line)[-2:] == [
            ("promoted", ""),
            ("changed", "given a place out of turn by an organiser"),
        ]
        assert audit() == [
            (
                "attendee.promoted",
                second_in_line,
                f"Registration {second_in_line} given a place out of turn",
            )
        ]
        assert outbox()[-1] == ("waitlist_promoted", "second@example.org")


def test_promote_is_refused_when_the_event_is_full(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        booked(event)
        waiting = booked(event, email="grace@example.org")
        sent = len(outbox())
        with pytest.raises(NoPlaceFree, match="All 1 places are taken"):
            services.promote(fresh(waiting))
        assert fresh(waiting).status == WAITLISTED
        assert (len(outbox()), audit()) == (sent, [])


def test_only_someone_waiting_can_be_promoted(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        with pytest.raises(NotWaiting):
            services.promote(fresh(rid))


def test_a_promoted_person_is_left_out_of_a_workshop_full_by_then(app, workshop_event):
    event = workshop_event(capacity=2)
    with app.app_context():
        first, _, _ = workshop_ids(event)
        answers = {"answers": {db.session.get(Event, event.id).questions[1].id: "Car"}}
        booked(event, email="a@example.org", workshop_ids=[first], **answers)
        booked(event, email="b@example.org", workshop_ids=[first], **answers)
        waiting = booked(event, workshop_ids=[first], **answers)
        free_a_place(event)
        services.promote(fresh(waiting), now=LATER)
        assert fresh(waiting).workshops == []
        assert history(waiting)[-2:] == [
            ("promoted", "left out full workshop: Learning from failure"),
            ("changed", "given a place out of turn by an organiser"),
        ]


# --- resending the confirmation -------------------------------------------------------------


def test_resend_sends_the_confirmation_with_a_fresh_link(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        tokens = len(fresh(rid).tokens)
        services.resend_confirmation(fresh(rid), now=LATER)
        assert len(fresh(rid).tokens) == tokens + 1
        assert outbox() == [("registration_confirmation", "ada@example.org")] * 2
        assert history(rid)[-1] == ("changed", "confirmation email sent again by an organiser")
        assert audit() == [
            ("attendee.confirmation_resent", rid, f"Registration {rid}: confirmation sent")
        ]


def test_resend_to_someone_waiting_is_their_waiting_list_email(app, make_event):
    event = make_event(capacity=0)
    with app.app_context():
        rid = booked(event)
        services.resend_confirmation(fresh(rid))
        assert outbox() == [("waitlist_joined", "ada@example.org")] * 2


def test_nothing_is_resent_for_a_cancelled_registration_or_event(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        services.cancel_registration(fresh(rid), notify=False)
        with pytest.raises(NotActive):
            services.resend_confirmation(fresh(rid))
        other = booked(event, email="grace@example.org")
        with engage_db.transaction():
            db.session.get(Event, event.id).cancelled_at = NOW
        with pytest.raises(services.EventCancelled):
            services.resend_confirmation(fresh(other))


# --- adding by hand ---------------------------------------------------------------------------


def _add(event, **fields):
    notify = fields.pop("notify", True)
    return services.add_registration(
        db.session.get(Event, event.id), data(**fields), notify=notify, now=LATER
    )


def test_an_organiser_adds_someone_by_the_same_rules(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        first = _add(event)
        second = _add(event, email="grace@example.org")
        assert (first.status, second.status) == (CONFIRMED, WAITLISTED)
        assert second.position == 1
        rid = first.registration.id
        assert history(rid) == [("registered", "added by an organiser")]
        assert audit()[0] == (
            "attendee.added",
            rid,
            f"Registration {rid} added by an organiser (confirmed)",
        )
        assert outbox() == [
            ("registration_confirmation", "ada@example.org"),
            ("waitlist_joined", "grace@example.org"),
        ]
        assert fresh(rid).privacy_accepted_at == LATER


def test_an_address_already_registered_is_named_to_the_organiser(app, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        sent = outbox()
        with pytest.raises(AlreadyRegistered) as refused:
            _add(event, email="ADA@example.org")
        assert refused.value.registration.id == rid and refused.value.field == "email"
        assert outbox() == sent  # not emailed their link, as the public form would
        assert audit() == []


def test_adding_works_while_public_booking_is_closed_but_not_once_cancelled(app, make_event):
    closed = make_event(registration_closes_at=NOW - dt.timedelta(days=1))
    draft = make_event(is_published=False)
    cancelled = make_event(cancelled_at=NOW)
    with app.app_context():
        assert _add(closed).status == CONFIRMED
        assert _add(draft).status == CONFIRMED
        with pytest.raises(RegistrationClosed, match="cancelled"):
            _add(cancelled)
        assert (
            db.session.scalar(
                db.select(db.func.count()).where(services.Registration.event_id == cancelled.id)
            )
            == 0
        )


def test_adding_without_an_email_sends_nothing(app, make_event):
    event = make_event()
    with app.app_context():
        result = _add(event, notify=False, category=AttendeeCategory.ACADEMIC)
        assert result.registration.category == AttendeeCategory.ACADEMIC
        assert outbox() == []
        assert fresh(result.registration.id).tokens == []


def test_a_full_workshop_is_refused_when_adding(app, full_first_workshop):
    event, _ = full_first_workshop
    with app.app_context():
        first, _, _ = workshop_ids(event)
        question = db.session.get(Event, event.id).questions[1].id
        with pytest.raises(WorkshopFull):
            _add(event, email="new@example.org", workshop_ids=[first], answers={question: "Car"})


# --- the event's lock ---------------------------------------------------------------------------


@pytest.fixture
def locks_taken(monkeypatch):
    """Record the lock of every transaction() that engage.db.retrying opens."""
    taken = []
    real = engage_db.transaction

    @contextmanager
    def spy(lock=None):
        taken.append(lock)
        with real(lock=lock) as session:
            yield session

    monkeypatch.setattr(engage_db, "transaction", spy)
    return taken


def _actions(event, rid, waiting):
    return {
        "update_details": lambda: services.update_details(
            fresh(rid), details(fresh(rid), first_name="Augusta")
        ),
        "change_workshops": lambda: services.change_workshops(fresh(rid), []),
        "promote": lambda: services.promote(fresh(waiting)),
        "resend_confirmation": lambda: services.resend_confirmation(fresh(rid)),
        "cancel_registration": lambda: services.cancel_registration(fresh(rid)),
        "add_registration": lambda: _add(event, email="new@example.org"),
    }


@pytest.mark.parametrize(
    "action",
    [
        "update_details",
        "change_workshops",
        "promote",
        "resend_confirmation",
        "cancel_registration",
        "add_registration",
    ],
)
def test_every_action_runs_under_the_events_lock(app, workshop_event, locks_taken, action):
    event = workshop_event(capacity=1, questions=[])
    with app.app_context():
        first, _, _ = workshop_ids(event)
        rid = booked(event, workshop_ids=[first])
        waiting = booked(event, email="grace@example.org")
        free_a_place(event)
        locks_taken.clear()
        _actions(event, rid, waiting)[action]()
        assert locks_taken == [(Event, event.id)]


def test_control_the_lock_check_sees_an_action_run_without_it(
    app, make_event, locks_taken, monkeypatch
):
    """Control: with the services' lock swapped for a bare transaction, the check fails."""
    monkeypatch.setattr(services, "_locked", lambda event_id, work: retrying(work))
    event = make_event()
    with app.app_context():
        rid = booked(event)
        locks_taken.clear()
        services.resend_confirmation(fresh(rid))
        assert locks_taken == [None]


def test_resending_to_someone_without_an_address_is_refused(app, make_event):
    """A walk-in registered at the desk may have given no address: nothing to resend."""
    event = make_event()
    with app.app_context():
        added = services.add_registration(
            db.session.get(Event, event.id), data(email=""), notify=False, now=NOW
        )
        rid = added.registration.id
        with pytest.raises(services.NoEmail):
            services.resend_confirmation(fresh(rid), now=LATER)
        assert outbox() == [] and audit()[-1][0] == "attendee.added"
