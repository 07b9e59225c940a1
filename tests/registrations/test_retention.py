"""Answers go first, the rest at the end of the retention period; counts stay. Time is frozen."""

import datetime as dt

import time_machine
from sqlalchemy import func, select

from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.registrations.figures import event_figures
from engage.registrations.models import (
    EventAggregate,
    ManageToken,
    Registration,
    RegistrationHistory,
)
from engage.registrations.needs import ERASED, ERASED_AFTER_EVENT
from engage.registrations.retention import purge
from tests.registrations.retention_world import (
    ALL_GO,
    ENDED,
    KEPT,
    NEEDS_GO,
    PURGED,
    build,
    places_holding,
)

MINUTE = dt.timedelta(minutes=1)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _needs(registration_id):
    r = db.session.get(Registration, registration_id)
    return (r.dietary_requirements, r.access_requirements, r.dietary_consent, r.access_consent)


def test_answers_stay_until_their_day_then_go_and_nothing_else_does(app, make_event, make_user):
    world = build(app, make_event, make_user)
    with app.app_context():
        with time_machine.travel(NEEDS_GO - MINUTE, tick=False):
            report = purge()
        assert report.needs_erased == 0 and report.registrations == 0
        assert _needs(world.ids["ada"]) == ("Vegan", "Step-free route", True, True)

        with time_machine.travel(NEEDS_GO + MINUTE, tick=False):
            report = purge()
        db.session.expire_all()
        assert (report.needs_events, report.needs_erased) == (1, 1)  # Bob's went at cancellation
        ada = db.session.get(Registration, world.ids["ada"])
        assert _needs(ada.id) == ("", "", False, False)
        assert (ada.dietary_consent_at, ada.access_consent_at) == (None, None)
        assert ada.history[-1].note == ERASED_AFTER_EVENT
        # Everything else stays until the full purge.
        assert (ada.email, ada.first_name, ada.organisation) == (
            "ada@example.org",
            "Ada",
            "Northbridge Police",
        )
        assert _count(Registration, Registration.event_id == world.event_id) == 4
        # Emails sent may have quoted the answers: blanked. The one still to go is left alone.
        ada_sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.registration_id == ada.id)
        ).all()
        pending = [m for m in ada_sent if m.subject == "Pending"]
        assert [m.body_text for m in pending] == ["Vegan"]
        assert {m.body_text for m in ada_sent if m.subject != "Pending"} == {ERASED}
        event = db.session.get(Event, world.event_id)
        assert event.needs_erased_at == NEEDS_GO + MINUTE and event.data_purged_at is None
        # Kim's event keeps answers 30 days.
        kim = db.session.scalar(select(Registration).where(Registration.email == KEPT))
        assert kim.dietary_requirements == "Halal"

        history = _count(RegistrationHistory)
        with time_machine.travel(NEEDS_GO + dt.timedelta(days=1), tick=False):
            again = purge()
        assert again.needs_erased == 0 and _count(RegistrationHistory) == history


def test_the_purge_removes_every_trace_and_keeps_the_counts(app, make_event, make_user):
    world = build(app, make_event, make_user)
    with app.app_context():
        before = event_figures(db.session.get(Event, world.event_id))
        assert not before.kept
        for address in PURGED:
            assert places_holding(address)  # control: the scan finds them while held

        with time_machine.travel(ALL_GO - MINUTE, tick=False):
            assert purge().registrations == 0
        with time_machine.travel(ALL_GO + MINUTE, tick=False):
            report = purge()
        db.session.expire_all()

        assert (report.events, report.registrations) == (1, 4)
        for address in PURGED:
            assert places_holding(address) == [], address
        for name in ("Ada Tester", "Cy Tester", "Dee Tester"):
            assert places_holding(name) == [], name
        assert "registrations.email" in places_holding(KEPT)  # the other event is untouched
        assert _count(Registration) == 1 and _count(ManageToken) == 1

        # Audit entries stay (who did what, when), without the people in them.
        summaries = db.session.scalars(select(AuditEntry.summary).order_by(AuditEntry.id)).all()
        assert "Wrote to [erased] about parking" in summaries
        assert "[erased]: details corrected" in summaries
        purged = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "registrations.purged")
        ).all()
        assert len(purged) == 1 and purged[0].summary.startswith("4 registration(s)")

        after = event_figures(db.session.get(Event, world.event_id))
        assert after.kept and after.metrics == before.metrics
        assert after.get("status", "confirmed") == 2 and after.get("waiting_list", "peak") == 2
        assert db.session.get(Event, world.event_id).data_purged_at == ALL_GO + MINUTE


def test_purging_twice_is_harmless(app, make_event, make_user):
    world = build(app, make_event, make_user)
    with app.app_context():
        with time_machine.travel(ALL_GO + MINUTE, tick=False):
            first = purge()
        rows = _count(EventAggregate)
        audit = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        with time_machine.travel(ALL_GO + dt.timedelta(days=2), tick=False):
            second = purge()
        assert first.aggregates == rows > 0
        assert (second.events, second.registrations, second.aggregates) == (0, 0, 0)
        assert _count(EventAggregate) == rows
        assert db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all() == audit
        assert event_figures(db.session.get(Event, world.event_id)).get("registrations") == 4


def test_the_management_page_says_when_each_kind_of_data_goes(
    app, client, make_event, make_user, login_as
):
    world = build(app, make_event, make_user)
    login_as(client, make_user("boss@example.org", role="admin"))
    page = client.get(f"/admin/events/{world.event_id}/").get_data(as_text=True)
    assert (
        "Dietary and access answers will be erased on "
        '<time datetime="2027-01-28T16:30:00Z">Thursday 28 January 2027</time> '
        "(7 days after the event)"
    ) in page
    assert "Names, emails and other answers will be deleted on " in page
    assert "Saturday 20 February 2027</time> (30 days after the event)" in page
    assert "Counts are kept" in page
    with app.app_context(), time_machine.travel(ALL_GO + MINUTE, tick=False):
        purge()
    page = client.get(f"/admin/events/{world.event_id}/").get_data(as_text=True)
    assert "Dietary and access answers were erased on" in page
    assert "Names, emails and other answers were deleted on" in page
    assert "Saturday 20 February 2027</time>." in page


def test_purge_command_says_what_it_did_in_counts_only(app, runner, make_event, make_user):
    build(app, make_event, make_user)
    with time_machine.travel(ENDED + dt.timedelta(days=1), tick=False):
        output = runner.invoke(args=["engage", "purge"]).output
    assert "erased from 0 registration(s) of 0 event(s)" in output
    assert "Purged 0 registration(s) of 0 event(s)" in output
    with time_machine.travel(ALL_GO + MINUTE, tick=False):
        output = runner.invoke(args=["engage", "purge"]).output
    assert "erased from 2 registration(s) of 2 event(s)" in output  # Kim's too, at 30 days
    assert "Purged 4 registration(s) of 1 event(s)" in output
    assert "@" not in output and "Tester" not in output
