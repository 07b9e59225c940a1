"""Reminders: due at the right time, to the right people, exactly once, even in parallel."""

from __future__ import annotations

import collections
import datetime as dt
import threading

import pytest
from sqlalchemy import insert, select

from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.mail.qrcode import qr_png
from engage.mail.worker import deliver_due
from engage.registrations import reminders, services
from engage.registrations.models import (
    AttendeeCategory,
    Registration,
    RegistrationStatus,
    ReminderSend,
)
from tests.conftest import london
from tests.mail.messages_helpers import attachments, html, manage_path, text
from tests.registrations.conftest import book, data, qr_link

START = london(2027, 1, 21, 9, 30)  # make_event's default start
HOUR = dt.timedelta(hours=1)


def at(hours_before: float) -> dt.datetime:
    """A moment so many hours before the event starts."""
    return START - hours_before * HOUR


def _run(app, now) -> int:
    with app.app_context():
        return reminders.queue_due_reminders(now=now)


def _sent(app) -> collections.Counter:
    """(email, offset) -> how many reminders are in the outbox."""
    with app.app_context():
        rows = db.session.execute(
            select(Registration.email, ReminderSend.offset_hours)
            .join(OutboxMessage, OutboxMessage.id == ReminderSend.outbox_message_id)
            .join(Registration, Registration.id == ReminderSend.registration_id)
        ).all()
        outbox = db.session.scalar(
            select(db.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "reminder")
        )
    assert outbox == len(rows)  # every reminder in the outbox has its record
    return collections.Counter(rows)


def _per_registration(app) -> collections.Counter:
    """registration id -> reminders in the outbox, however they got there."""
    with app.app_context():
        return collections.Counter(
            db.session.scalars(
                select(OutboxMessage.registration_id).where(OutboxMessage.kind == "reminder")
            )
        )


def test_each_reminder_falls_due_at_its_time_and_goes_once(app, make_event):
    event = make_event()  # reminders 168h and 24h before
    with app.app_context():
        book(event, email="ada@example.org")
    assert _run(app, at(169)) == 0
    assert _run(app, at(168)) == 1
    assert _run(app, at(167)) == 0  # already sent
    assert _run(app, at(25)) == 0
    assert _run(app, at(23)) == 1
    assert _run(app, at(1)) == 0
    assert _sent(app) == {("ada@example.org", 168): 1, ("ada@example.org", 24): 1}


def test_nothing_after_the_start_and_only_the_latest_when_both_are_due(app, make_event):
    early, late = make_event(), make_event()
    with app.app_context():
        book(early, email="ada@example.org")
        book(late, email="bob@example.org")
    assert _run(app, START) == 0  # the event has started
    assert _run(app, START + HOUR) == 0
    # The job did not run for a week: only the 24h reminder goes, not a pile.
    assert _run(app, at(2)) == 2
    assert _run(app, at(1)) == 0
    assert _sent(app) == {("ada@example.org", 24): 1, ("bob@example.org", 24): 1}


def test_late_registrants_skip_the_stale_reminder(app, make_event):
    event = make_event()
    with app.app_context():
        book(event, email="early@example.org")  # 2026-12-01, weeks before
        services.register(
            db.session.get(Event, event.id), data(email="late@example.org"), now=at(100)
        )
    assert _run(app, at(99)) == 1
    assert _run(app, at(23)) == 2
    assert _sent(app) == {
        ("early@example.org", 168): 1,
        ("early@example.org", 24): 1,
        ("late@example.org", 24): 1,
    }


def test_promotion_after_the_reminder_time_counts_as_late(app, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        ada = book(event, email="ada@example.org").registration
        book(event, email="bob@example.org")  # waitlisted
        services.cancel(ada, now=at(30))  # Bob is promoted 30h before
    assert _run(app, at(29)) == 0  # 168h is stale for Bob; Ada has cancelled
    assert _run(app, at(23)) == 1
    assert _sent(app) == {("bob@example.org", 24): 1}


def test_cancelled_waitlisted_and_unpublished_get_none(app, make_event):
    event = make_event(capacity=2)
    hidden = make_event(is_published=False)
    called_off = make_event(cancelled_at=london(2026, 11, 20), cancellation_reason="Flood")
    with app.app_context():
        book(event, email="ada@example.org")
        cat = book(event, email="cat@example.org").registration
        book(event, email="bob@example.org")  # waitlisted
        book(event, email="dan@example.org")  # waitlisted
        services.cancel(cat)  # Bob is promoted; Dan still waits
        for other in (hidden, called_off):
            db.session.add(
                Registration(
                    event_id=other.id,
                    status=RegistrationStatus.CONFIRMED,
                    email="eve@example.org",
                    first_name="Eve",
                    last_name="E",
                    organisation="O",
                    job_title="J",
                    category=AttendeeCategory.PARTNER,
                    confirmed_at=london(2026, 11, 1),
                )
            )
        db.session.commit()
    assert _run(app, at(23)) == 2
    assert set(_sent(app)) == {("ada@example.org", 24), ("bob@example.org", 24)}


def test_a_cancellation_between_reading_and_queueing_is_respected(app, make_event, monkeypatch):
    event = make_event()
    with app.app_context():
        ada_id = book(event, email="ada@example.org").registration.id
    real = reminders._candidates

    def candidates_then_cancel(event_id, offset):
        ids = real(event_id, offset)
        services.cancel(db.session.get(Registration, ada_id))
        return ids

    monkeypatch.setattr(reminders, "_candidates", candidates_then_cancel)
    assert _run(app, at(23)) == 0


def test_offsets_are_per_event(app, make_event):
    event = make_event(reminder_offsets_hours=[2])
    silent = make_event(reminder_offsets_hours=[])
    with app.app_context():
        book(event, email="ada@example.org")
        book(silent, email="bob@example.org")
    assert _run(app, at(23)) == 0
    assert _run(app, at(1.5)) == 1
    assert _sent(app) == {("ada@example.org", 2): 1}


def test_the_reminder_arrives_with_details_code_and_a_working_link(
    mail_app, smtp_server, make_event
):
    event = make_event(title="Engagement Day", venue_address="1 River Street, Leeds")
    with mail_app.app_context():
        ada = book(event, email="ada@example.org").registration
        code = ada.checkin_code
        assert reminders.queue_due_reminders(now=at(23)) == 1
        assert deliver_due().sent == 2  # the confirmation and the reminder
    message = smtp_server.received[-1].message
    assert message["Subject"] == (
        "Reminder: Engagement Day, Thursday 21 January 2027, 9:30am to 4:30pm (UK time)"
    )
    body = text(message)
    assert "When: Thursday 21 January 2027, 9:30am to 4:30pm (UK time)" in body
    assert "Where: Riverside Conference Centre, 1 River Street, Leeds" in body
    assert "<" not in body and "{{" not in body
    assert set(attachments(message)) == {"check-in-code.png"}
    assert attachments(message)["check-in-code.png"].get_content() == qr_png(
        qr_link(mail_app, code)
    )
    assert '<img src="cid:check-in-code"' in html(message)
    assert "Place confirmed" in mail_app.test_client().get(manage_path(message)).text


def test_the_cli_queues_due_reminders_for_cron(app, make_event):
    now = dt.datetime.now(dt.UTC)
    event = make_event(starts_at=now + 10 * HOUR, ends_at=now + 12 * HOUR)
    with app.app_context():
        services.register(db.session.get(Event, event.id), data(), now=now - 48 * HOUR)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["engage", "reminders"])
    assert first.exit_code == 0 and first.output.strip() == "Reminders: 1 queued."
    assert runner.invoke(args=["engage", "reminders"]).output.strip() == "Reminders: 0 queued."


def test_the_worker_loop_queues_reminders_each_pass(app, make_event):
    from engage.mail.worker import run

    now = dt.datetime.now(dt.UTC)
    event = make_event(starts_at=now + 10 * HOUR, ends_at=now + 12 * HOUR)
    with app.app_context():
        services.register(db.session.get(Event, event.id), data(), now=now - 48 * HOUR)
        run(once=True)
    assert sum(_per_registration(app).values()) == 1


# --- exactly once, run twice and in parallel ------------------------------------


def _many(app, event, count: int) -> None:
    rows = [
        {
            "event_id": event.id,
            "status": RegistrationStatus.CONFIRMED,
            "email": f"person{n}@example.org",
            "first_name": f"Person{n}",
            "last_name": "Test",
            "organisation": "Org",
            "job_title": "Role",
            "category": AttendeeCategory.ACADEMIC,
            "created_at": london(2026, 11, 1),
            "confirmed_at": london(2026, 11, 1),
            "checkin_code": f"{n:032x}",
        }
        for n in range(count)
    ]
    with app.app_context():
        db.session.execute(insert(Registration), rows)
        db.session.commit()


def test_run_twice_queues_each_reminder_once(app, make_event):
    event = make_event(capacity=None)
    _many(app, event, 60)
    assert _run(app, at(23)) == 60
    assert _run(app, at(23)) == 0
    assert _run(app, at(22)) == 0
    per = _per_registration(app)
    assert len(per) == 60 and set(per.values()) == {1}


def _bypass_the_record(monkeypatch):
    # The control: queue without checking or writing reminder_sends.
    monkeypatch.setattr(
        reminders,
        "_claim",
        lambda session, rid, offset, now, recorded: ReminderSend(offset_hours=offset),
    )


def test_control_without_the_record_running_twice_duplicates(app, make_event, monkeypatch):
    event = make_event(capacity=None)
    _many(app, event, 10)
    _bypass_the_record(monkeypatch)
    _run(app, at(23))
    _run(app, at(23))
    assert set(_per_registration(app).values()) == {2}  # the check above would catch it


def _in_parallel(make_app, now, runners: int = 2) -> list:
    apps = [make_app() for _ in range(runners)]  # each with its own engine and session
    barrier = threading.Barrier(runners)
    results: list = [None] * runners

    def work(index):
        with apps[index].app_context():
            barrier.wait()
            try:
                results[index] = reminders.queue_due_reminders(now=now)
            except Exception as error:  # reported by the assertions below
                results[index] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.mark.parametrize("count", [300])
def test_parallel_runs_queue_each_reminder_once(app, make_app, make_event, count):
    event = make_event(capacity=None)
    _many(app, event, count)
    results = _in_parallel(make_app, at(23))
    assert all(isinstance(r, int) for r in results), results  # nobody crashed
    assert sum(results) == count
    per = _per_registration(app)
    assert len(per) == count and set(per.values()) == {1}
    assert sum(_sent(app).values()) == count


def test_control_parallel_runs_without_the_record_duplicate(app, make_app, make_event, monkeypatch):
    event = make_event(capacity=None)
    _many(app, event, 40)
    _bypass_the_record(monkeypatch)
    results = _in_parallel(make_app, at(23))
    assert sum(results) == 80
    assert set(_per_registration(app).values()) == {2}


def test_a_run_that_loses_the_race_skips_without_crashing(app, make_event, monkeypatch):
    # Another run commits its record after our check: the unique constraint
    # refuses our insert, and this run rolls back its attempt and moves on.
    event = make_event()
    with app.app_context():
        ada_id = book(event, email="ada@example.org").registration.id
    assert _run(app, at(23)) == 1
    monkeypatch.setattr(reminders, "_recorded", lambda session, ids, offset: set())
    with app.app_context():
        assert reminders._queue_one(ada_id, 24, at(23)) is False
    assert _sent(app) == {("ada@example.org", 24): 1}
    assert sum(_per_registration(app).values()) == 1


def test_a_batch_meeting_another_runs_records_queues_the_rest_one_by_one(
    app, make_event, monkeypatch
):
    # Another run recorded some of our candidates after we read them: our batch
    # hits the constraint and rolls back, and each is tried alone, so that only
    # the ones it took are skipped.
    event = make_event(capacity=None)
    _many(app, event, reminders.BATCH_SIZE + 5)
    with app.app_context():
        ids = reminders._candidates(event.id, 24)
        for registration_id in ids[3:8]:
            assert reminders._queue_one(registration_id, 24, at(23))
    monkeypatch.setattr(reminders, "_candidates", lambda event_id, offset: ids)
    monkeypatch.setattr(reminders, "_recorded", lambda session, ids, offset: set())
    assert _run(app, at(23)) == len(ids) - 5
    per = _per_registration(app)
    assert len(per) == len(ids) and set(per.values()) == {1}
