"""The registration rules, called without HTTP, on every backend."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from engage.db import transaction
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations import services
from engage.registrations.models import (
    AttendeeCategory,
    HistoryAction,
    ManageToken,
    Registration,
    RegistrationStatus,
)
from engage.registrations.services import (
    ChangeData,
    ConsentNeeded,
    EventFull,
    InvalidAnswer,
    Needs,
    NotChangeable,
    RegistrationClosed,
    RegistrationNotFound,
    TooManyWorkshops,
    UnknownWorkshop,
    WorkshopFull,
    WorkshopsOverlap,
)
from tests.conftest import london
from tests.registrations.conftest import NOW, book, statuses


def _ids(event):
    event = db.session.get(Event, event.id)
    return [w.id for w in event.workshops]


def _question(event, label):
    event = db.session.get(Event, event.id)
    return next(q for q in event.questions if q.label == label)


def _outbox(kind):
    return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_register_confirms_normalises_email_and_records_everything(app, make_event):
    event = make_event(capacity=5)
    with app.app_context():
        result = book(
            event, email="Ada@Example.ORG", dietary_requirements="Vegan", dietary_consent=True
        )
        registration = result.registration
        assert registration.status == RegistrationStatus.CONFIRMED
        assert registration.email == "ada@example.org"
        assert registration.confirmed_at == NOW and registration.waitlisted_at is None
        assert registration.privacy_accepted and registration.privacy_accepted_at == NOW
        assert (
            registration.dietary_consent_at == NOW and registration.dietary_requirements == "Vegan"
        )
        assert len(registration.checkin_code) == 32
        assert [h.action for h in registration.history] == [HistoryAction.REGISTERED]
        [mail] = _outbox("registration_confirmation")
        assert mail.to_address == "ada@example.org" and mail.registration_id == registration.id
        assert services.count_confirmed(registration.event) == 1


def test_checkin_codes_differ(app, make_event):
    event = make_event()
    with app.app_context():
        a = book(event, email="a@example.org").registration
        b = book(event, email="b@example.org").registration
        assert a.checkin_code != b.checkin_code


@pytest.mark.parametrize("kind", ["dietary", "access"])
def test_a_requirement_without_its_consent_is_refused_not_dropped(app, make_event, kind):
    event = make_event()
    with app.app_context():
        with pytest.raises(ConsentNeeded) as refused:
            book(event, **{f"{kind}_requirements": "Nut allergy"})
        assert refused.value.field == f"{kind}_consent"
        assert db.session.scalars(db.select(Registration)).all() == []
        assert _outbox("registration_confirmation") == []


def test_a_requirement_with_its_consent_is_kept_with_the_time(app, make_event):
    event = make_event()
    with app.app_context():
        registration = book(
            event, access_requirements="Hearing loop", access_consent=True
        ).registration
        assert registration.access_requirements == "Hearing loop"
        assert registration.access_consent and registration.access_consent_at == NOW
        assert not registration.dietary_consent and registration.dietary_consent_at is None


LATER = NOW + dt.timedelta(hours=2)


def _change_needs(registration, **needs):
    services.change(
        registration, ChangeData(workshop_ids=[], answers={}, needs=Needs(**needs)), now=LATER
    )
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def test_the_attendee_adds_changes_and_clears_needs_with_consent(app, make_event):
    event = make_event()
    with app.app_context():
        registration = book(event).registration
        registration = _change_needs(
            registration, dietary_requirements="Halal", dietary_consent=True
        )
        assert registration.dietary_requirements == "Halal"
        assert registration.dietary_consent and registration.dietary_consent_at == LATER
        assert registration.access_requirements == "" and not registration.access_consent
        assert registration.history[-1].note == services.NEEDS_CHANGED_NOTE
        assert "Halal" not in registration.history[-1].note
        registration = _change_needs(
            registration,
            dietary_requirements="Halal",
            dietary_consent=True,
            access_requirements="I use a wheelchair",
            access_consent=True,
        )
        assert registration.access_requirements == "I use a wheelchair"
        assert registration.access_consent_at == LATER
        registration = _change_needs(
            registration, access_requirements="I use a wheelchair", access_consent=True
        )
        assert registration.dietary_requirements == "" and not registration.dietary_consent
        assert registration.dietary_consent_at is None


def test_the_attendee_cannot_give_a_need_without_consent(app, make_event):
    event = make_event()
    with app.app_context():
        registration = book(event, dietary_requirements="Vegan", dietary_consent=True).registration
        history = len(registration.history)
        with pytest.raises(ConsentNeeded):
            _change_needs(registration, dietary_requirements="Vegan, no nuts")
        db.session.expire_all()
        registration = db.session.get(Registration, registration.id)
        assert registration.dietary_requirements == "Vegan"
        assert registration.dietary_consent_at == NOW
        assert len(registration.history) == history


@pytest.mark.parametrize(
    "fields",
    [
        {"is_published": False},
        {"cancelled_at": london(2026, 11, 1)},
        {"registration_opens_at": london(2026, 12, 2)},
        {"registration_closes_at": london(2026, 12, 1, 11)},
        {"starts_at": london(2026, 11, 30), "ends_at": london(2026, 12, 2)},
    ],
    ids=["unpublished", "cancelled", "not-yet-open", "closed", "started"],
)
def test_registration_only_while_open(app, make_event, fields):
    event = make_event(**fields)
    with app.app_context():
        with pytest.raises(RegistrationClosed):
            book(event)
        assert statuses(event.id) == {}


def test_open_window_accepts(app, make_event):
    """Control for the test above: inside the window it works."""
    event = make_event(
        registration_opens_at=london(2026, 12, 1, 11), registration_closes_at=london(2026, 12, 2)
    )
    with app.app_context():
        assert book(event).registration.status == RegistrationStatus.CONFIRMED


def test_one_active_registration_per_email_case_insensitive(app, make_event):
    event = make_event()
    with app.app_context():
        first = book(event, email="ada@example.org").registration
        again = book(event, email="ADA@example.org")  # answered as a booking; none is made
        assert again.registration is None and again.email == "ada@example.org"
        assert statuses(event.id) == {"ada@example.org": "confirmed"}
        services.cancel(first, now=NOW)
        again = book(event, email="Ada@example.org").registration
        assert again.id != first.id
        assert sorted(r.status.value for r in db.session.scalars(db.select(Registration))) == [
            "cancelled",
            "confirmed",
        ]


def test_the_same_email_may_book_another_event(app, make_event):
    one, two = make_event(), make_event()
    with app.app_context():
        book(one)
        assert book(two).registration.status == RegistrationStatus.CONFIRMED


def _raw(event_id, email, status):
    return Registration(
        event_id=event_id,
        status=status,
        email=email,
        first_name="A",
        last_name="B",
        organisation="O",
        job_title="J",
        category=AttendeeCategory.PARTNER,
    )


def test_database_index_refuses_a_second_active_row(app, make_event):
    """The index holds even when the friendly check is bypassed."""
    event = make_event()
    with app.app_context():
        db.session.add(_raw(event.id, "x@example.org", RegistrationStatus.CONFIRMED))
        db.session.commit()
        db.session.add(_raw(event.id, "x@example.org", RegistrationStatus.WAITLISTED))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Control: cancelled rows do not count.
        db.session.add(_raw(event.id, "x@example.org", RegistrationStatus.CANCELLED))
        db.session.add(_raw(event.id, "x@example.org", RegistrationStatus.CANCELLED))
        db.session.commit()


def test_full_event_waitlists_in_order_and_tells_position(app, make_event):
    event = make_event(capacity=2)
    with app.app_context():
        book(event, email="a@example.org")
        book(event, email="b@example.org")
        third = book(event, email="c@example.org")
        fourth = book(event, email="d@example.org")
        assert third.registration.status == RegistrationStatus.WAITLISTED
        assert (third.position, fourth.position) == (1, 2)
        assert third.registration.waitlisted_at == NOW
        assert [h.action for h in third.registration.history] == [
            HistoryAction.REGISTERED,
            HistoryAction.WAITLISTED,
        ]
        assert len(_outbox("waitlist_joined")) == 2
        assert services.count_confirmed(third.registration.event) == 2


def test_full_event_without_waiting_list_refuses(app, make_event):
    event = make_event(capacity=1, waitlist_enabled=False)
    with app.app_context():
        book(event, email="a@example.org")
        with pytest.raises(EventFull):
            book(event, email="b@example.org")
        assert len(statuses(event.id)) == 1


def test_unlimited_event_always_confirms(app, make_event):
    event = make_event(capacity=None)
    with app.app_context():
        for n in range(5):
            assert book(event, email=f"{n}@example.org").registration.status == "confirmed"


def test_workshop_rules(app, workshop_event):
    event = workshop_event(max_workshops=1)
    with app.app_context():
        a, b, c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Train"}
        with pytest.raises(TooManyWorkshops):
            book(event, workshop_ids=[a, c], answers=answers)
    event = workshop_event(max_workshops=3)
    with app.app_context():
        a, b, c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Train"}
        with pytest.raises(WorkshopsOverlap):
            book(event, workshop_ids=[a, b], answers=answers)
        with pytest.raises(UnknownWorkshop):
            book(event, workshop_ids=[a, 999_999], answers=answers)
        registration = book(event, workshop_ids=[c, a], answers=answers).registration
        assert [w.id for w in registration.workshops] == [a, c]


def test_full_workshop_is_refused_while_the_event_has_room(app, workshop_event):
    event = workshop_event(capacity=10)
    with app.app_context():
        a, b, c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Car"}
        book(event, email="1@example.org", workshop_ids=[a], answers=answers)
        book(event, email="2@example.org", workshop_ids=[a], answers=answers)
        with pytest.raises(WorkshopFull):
            book(event, email="3@example.org", workshop_ids=[a], answers=answers)
        assert services.workshop_places_left(db.session.get(Event, event.id)) == {a: 0, b: 2, c: 2}


def test_waitlisted_choice_is_kept_but_takes_no_workshop_place(app, workshop_event):
    event = workshop_event(capacity=1)
    with app.app_context():
        a, b, _c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Car"}
        book(event, email="1@example.org", workshop_ids=[a], answers=answers)
        waiting = book(event, email="2@example.org", workshop_ids=[b], answers=answers)
        assert [w.id for w in waiting.registration.workshops] == [b]
        assert services.workshop_places_left(db.session.get(Event, event.id))[b] == 2


def test_required_and_forged_answers(app, workshop_event):
    event = workshop_event()
    with app.app_context():
        travel = _question(event, "How will you travel?").id
        topics = _question(event, "Topics of interest").id
        parking = _question(event, "Need parking?").id
        with pytest.raises(InvalidAnswer):
            book(event)  # the required question unanswered
        for forged in (
            {travel: "Helicopter"},
            {travel: "Car", topics: ["Cake"]},
            {travel: "Car", parking: "maybe"},
            {travel: "Car", 999_999: "x"},
        ):
            with pytest.raises(InvalidAnswer):
                book(event, answers=forged)
        assert statuses(event.id) == {}
        result = book(
            event, answers={travel: "Car", topics: ["Data", "Leadership"], parking: "yes"}
        )
        assert result.registration.answer_for(_question(event, "Topics of interest")) == [
            "Data",
            "Leadership",
        ]


def test_cancelling_promotes_the_first_in_line_and_records_it(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        first = book(event, email="a@example.org").registration
        book(event, email="b@example.org")
        book(event, email="c@example.org")
        later = NOW + dt.timedelta(hours=1)
        services.cancel(first, now=later)
        assert statuses(event.id) == {
            "a@example.org": "cancelled",
            "b@example.org": "confirmed",
            "c@example.org": "waitlisted",
        }
        promoted = db.session.scalar(db.select(Registration).filter_by(email="b@example.org"))
        assert promoted.confirmed_at == later
        assert [(h.action, h.at) for h in promoted.history][-1] == (HistoryAction.PROMOTED, later)
        assert first.cancelled_at == later
        assert [h.action for h in first.history][-1] == HistoryAction.CANCELLED
        assert [m.to_address for m in _outbox("waitlist_promoted")] == ["b@example.org"]
        assert [m.to_address for m in _outbox("registration_cancelled")] == ["a@example.org"]
        still = db.session.scalar(db.select(Registration).filter_by(email="c@example.org"))
        assert services.waitlist_position(still) == 1


def test_leaving_the_waiting_list_promotes_nobody(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        book(event, email="a@example.org")
        waiting = book(event, email="b@example.org").registration
        third = book(event, email="c@example.org").registration
        services.cancel(waiting, now=NOW)
        assert statuses(event.id)["c@example.org"] == "waitlisted"
        assert services.waitlist_position(third) == 1
        assert _outbox("waitlist_promoted") == []


def test_promotion_leaves_out_a_workshop_that_filled_up(app, workshop_event):
    event = workshop_event(capacity=2)
    with app.app_context():
        a, b, c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Car"}
        first = book(event, email="1@example.org", workshop_ids=[b], answers=answers)
        book(event, email="2@example.org", workshop_ids=[a], answers=answers)
        book(event, email="3@example.org", workshop_ids=[a, c], answers=answers)
        # Workshop a fills up with someone already confirmed: make room in it elsewhere.
        reg2 = db.session.scalar(db.select(Registration).filter_by(email="2@example.org"))
        services.change(reg2, ChangeData(workshop_ids=[a], answers=answers), now=NOW)
        db.session.execute(
            db.update(db.metadata.tables["event_sessions"])
            .where(db.metadata.tables["event_sessions"].c.id == a)
            .values(capacity=1)
        )
        db.session.commit()
        services.cancel(first.registration, now=NOW)
        promoted = db.session.scalar(db.select(Registration).filter_by(email="3@example.org"))
        assert promoted.status == RegistrationStatus.CONFIRMED
        assert [w.id for w in promoted.workshops] == [c]
        assert "Learning from failure" in promoted.history[-1].note


def test_raising_capacity_then_promote_waiting(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        for n in range(4):
            book(event, email=f"{n}@example.org")
        with transaction(lock=(Event, event.id)):
            locked = db.session.get(Event, event.id)
            locked.capacity = 3
            promoted = services.promote_waiting(locked, now=NOW)
        assert [r.email for r in promoted] == ["1@example.org", "2@example.org"]
        assert list(statuses(event.id).values()).count("confirmed") == 3


def test_change_respects_workshop_capacity_but_keeps_your_own_place(app, workshop_event):
    event = workshop_event(capacity=10)
    with app.app_context():
        a, b, c = _ids(event)
        answers = {_question(event, "How will you travel?").id: "Car"}
        mine = book(event, email="1@example.org", workshop_ids=[a], answers=answers).registration
        book(event, email="2@example.org", workshop_ids=[a, c], answers=answers)
        book(event, email="3@example.org", workshop_ids=[c], answers=answers)
        # a is full, but I already hold a place in it.
        services.change(mine, ChangeData(workshop_ids=[a], answers=answers), now=NOW)
        with pytest.raises(WorkshopFull):
            services.change(mine, ChangeData(workshop_ids=[a, c], answers=answers), now=NOW)
        services.change(mine, ChangeData(workshop_ids=[b], answers={**answers}), now=NOW)
        db.session.expire_all()
        mine = db.session.get(Registration, mine.id)
        assert [w.id for w in mine.workshops] == [b]
        assert mine.history[-1].action == HistoryAction.CHANGED
        new_answers = {_question(event, "How will you travel?").id: "Train"}
        services.change(mine, ChangeData(workshop_ids=[b], answers=new_answers), now=NOW)
        assert mine.answer_for(_question(event, "How will you travel?")) == "Train"


def test_cancelled_registration_cannot_change(app, make_event):
    event = make_event()
    with app.app_context():
        registration = book(event).registration
        services.cancel(registration, now=NOW)
        with pytest.raises(NotChangeable):
            services.change(registration, ChangeData(workshop_ids=[], answers={}), now=NOW)


def test_tokens_are_stored_hashed_and_each_message_mints_its_own(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        registration = book(event).registration
        [mail] = _outbox("registration_confirmation")
        first = mail.body_text.split("/registrations/")[1].split()[0]
        assert services.get_by_token(first).id == registration.id
        second = services.issue_manage_token(registration)
        db.session.commit()
        assert second != first
        assert services.get_by_token(first).id == services.get_by_token(second).id
        hashes = list(db.session.scalars(db.select(ManageToken.token_hash)))
        assert len(hashes) == 2 and first not in hashes and second not in hashes
        assert len(first) >= 43  # 32 random bytes
        for wrong in ("", "x", first[:-1], first + "a", "a" * 500):
            with pytest.raises(RegistrationNotFound):
                services.get_by_token(wrong)


def test_active_registrations_leave_out_cancelled(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        gone = book(event, email="a@example.org").registration
        book(event, email="b@example.org")
        book(event, email="c@example.org")
        services.cancel(gone, now=NOW)
        found = services.active_registrations(db.session.get(Event, event.id))
        assert [(r.email, r.status.value) for r in found] == [
            ("b@example.org", "confirmed"),
            ("c@example.org", "waitlisted"),
        ]


def test_a_busy_lock_is_tried_once_more_then_reported(app, make_event, monkeypatch):
    from contextlib import contextmanager

    import engage.db as engage_db
    from engage.db import LockUnavailable

    event = make_event()
    real = engage_db.transaction
    failures = iter([True, False])

    @contextmanager
    def flaky(lock=None):
        if next(failures, True):
            raise LockUnavailable()
        with real(lock=lock) as session:
            yield session

    monkeypatch.setattr(engage_db, "transaction", flaky)
    with app.app_context():
        assert book(event).registration.status == RegistrationStatus.CONFIRMED
        with pytest.raises(LockUnavailable):  # both attempts busy
            book(event, email="b@example.org")
        assert len(statuses(event.id)) == 1
