"""The survey goes out after the day, once per person; one reminder goes to those who have not answered."""

from __future__ import annotations

import collections
import threading

import pytest
import time_machine
from sqlalchemy import select

from engage.events.models import Event
from engage.extensions import db
from engage.feedback import sending, services
from engage.feedback.models import SurveyInvitation
from engage.mail.models import OutboxMessage
from engage.mail.worker import deliver_due
from engage.registrations.models import Registration, RegistrationStatus
from tests.feedback.conftest import CLOSES, DAY, ENDS, SENDS, invitations, people
from tests.mail.messages_helpers import text


def _run(app, now) -> tuple[int, int]:
    with app.app_context():
        return sending.send_due(now=now)


def _queued(app) -> collections.Counter:
    """(address, kind) -> how many messages of the survey are in the outbox."""
    with app.app_context():
        rows = db.session.execute(
            select(OutboxMessage.to_address, OutboxMessage.kind).where(
                OutboxMessage.kind.like("feedback_%")
            )
        )
        return collections.Counter((to, kind) for to, kind in rows)


def test_nothing_before_the_time_then_each_person_once(app, survey_event):
    event, _ = survey_event()
    people(app, event, 3)
    assert _run(app, ENDS) == (0, 0)
    assert _run(app, SENDS - DAY / 24 / 60) == (0, 0)
    assert _run(app, SENDS) == (3, 0)
    assert _run(app, SENDS + DAY / 24) == (0, 0)
    assert set(_queued(app).values()) == {1} and len(_queued(app)) == 3


def test_only_those_checked_in_when_the_desk_was_used(app, survey_event):
    event, _ = survey_event()
    came = people(app, event, 2, checked_in=True)
    people(app, event, 3, start=10)  # booked, never came
    people(app, event, 1, start=20, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    assert _run(app, SENDS) == (2, 0)
    assert {i.registration_id for i in invitations(app)} == set(came)


def test_everyone_confirmed_when_no_check_in_was_used(app, survey_event):
    event, _ = survey_event()
    confirmed = people(app, event, 2)
    people(app, event, 1, start=5, status=RegistrationStatus.CANCELLED)
    people(app, event, 1, start=6, email="")  # a walk-in who gave no address
    assert _run(app, SENDS) == (2, 0)
    assert {i.registration_id for i in invitations(app)} == set(confirmed)


@pytest.mark.parametrize(
    ("survey", "event_fields"),
    [({"is_enabled": False}, {}), ({}, {"is_published": False})],
    ids=["switched off", "unpublished"],
)
def test_nothing_for_a_survey_switched_off_or_an_unpublished_event(
    app, survey_event, survey, event_fields
):
    event, _ = survey_event(**survey)
    if event_fields:
        with app.app_context():
            db.session.get(Event, event.id).is_published = False
            db.session.commit()
    people(app, event, 2)
    assert _run(app, SENDS) == (0, 0)


def test_nothing_once_the_survey_has_closed(app, survey_event):
    event, _ = survey_event()
    people(app, event, 2)
    assert _run(app, CLOSES) == (0, 0)


def test_one_reminder_to_those_who_have_not_answered(app, survey_event):
    event, _ = survey_event(reminder_after_days=5)
    people(app, event, 3)
    assert _run(app, SENDS) == (3, 0)
    first = invitations(app)[0]
    with app.app_context():
        invitation = db.session.get(SurveyInvitation, first.id)
        services.submit(invitation, services.Answers(ratings={}), now=SENDS + DAY)
    assert _run(app, SENDS + 5 * DAY - DAY / 24) == (0, 0)
    assert _run(app, SENDS + 5 * DAY) == (0, 2)
    assert _run(app, SENDS + 6 * DAY) == (0, 0)
    assert _run(app, SENDS + 7 * DAY) == (0, 0)
    reminders = {to for (to, kind) in _queued(app) if kind == "feedback_reminder"}
    assert reminders == {"person1@example.org", "person2@example.org"}
    assert set(_queued(app).values()) == {1}


def test_the_cli_runs_the_job_for_cron(app, survey_event):
    event, _ = survey_event()
    people(app, event, 2)
    runner = app.test_cli_runner()
    with time_machine.travel(SENDS, tick=False):
        first = runner.invoke(args=["engage", "feedback", "send"])
        again = runner.invoke(args=["engage", "feedback", "send"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Feedback: 2 invitations and 0 reminders queued."
    assert again.output.strip() == "Feedback: 0 invitations and 0 reminders queued."


def test_a_cancellation_between_reading_and_queueing_is_respected(app, survey_event, monkeypatch):
    event, _ = survey_event()
    ids = people(app, event, 2)
    read = sending._to_invite

    def then_cancel(survey_id):
        found = read(survey_id)
        with app.app_context():
            db.session.get(Registration, ids[0]).status = RegistrationStatus.CANCELLED
            db.session.commit()
        return found

    monkeypatch.setattr(sending, "_to_invite", then_cancel)
    assert _run(app, SENDS) == (1, 0)


# --- exactly once: two workers, each running the job and draining the outbox --------------


def _bypass_the_record(monkeypatch):
    # The control: invite without checking or writing the invitation's record.
    def claim(survey_id, registration_id, now):
        return "a-token-" + "x" * 30

    monkeypatch.setattr(sending, "_claim", claim)


def _two_workers(make_app, now, smtp_server, runners: int = 2) -> list:
    # Each with its own engine and session, sending to the test SMTP server.
    apps = [
        make_app(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=smtp_server.port,
            MAIL_SUPPRESS_SEND=False,
            MAIL_TIMEOUT=5,
        )
        for _ in range(runners)
    ]
    barrier = threading.Barrier(runners)
    results: list = [None] * runners

    def work(index):
        with apps[index].app_context():
            barrier.wait()
            try:
                invited, _ = sending.send_due(now=now)
                deliver_due(now=now)
                results[index] = invited
            except Exception as error:  # reported by the assertions below
                results[index] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def _arrived(smtp_server) -> collections.Counter:
    return collections.Counter(
        r.message["To"] for r in smtp_server.received if "feedback" in text(r.message)
    )


def test_two_workers_send_each_invitation_once(mail_app, make_app, smtp_server, survey_event):
    event, _ = survey_event()
    people(mail_app, event, 120)
    results = _two_workers(make_app, SENDS, smtp_server)
    assert all(isinstance(r, int) for r in results), results  # nobody crashed
    assert sum(results) == 120
    assert len(invitations(mail_app)) == 120
    arrived = _arrived(smtp_server)
    assert len(arrived) == 120 and set(arrived.values()) == {1}


def test_control_two_workers_without_the_record_send_twice(
    mail_app, make_app, smtp_server, survey_event, monkeypatch
):
    event, _ = survey_event()
    people(mail_app, event, 20)
    _bypass_the_record(monkeypatch)
    results = _two_workers(make_app, SENDS, smtp_server)
    assert sum(results) == 40
    assert set(_arrived(smtp_server).values()) == {2}  # the check above would catch it


def test_a_run_that_loses_the_race_skips_without_crashing(app, survey_event, monkeypatch):
    # Another run commits its invitation after our check: the unique constraint
    # refuses our insert, and this run rolls back its attempt and moves on.
    event, survey_id = survey_event()
    (ada,) = people(app, event, 1)
    assert _run(app, SENDS) == (1, 0)
    real, calls = sending._recorded, []

    def misses_the_first_time(*args):
        calls.append(args)
        return len(calls) > 1 and real(*args)

    monkeypatch.setattr(sending, "_recorded", misses_the_first_time)
    with app.app_context():
        assert sending._invite_one(survey_id, ada, SENDS) is False
    assert len(calls) == 2  # the check that missed, and the look after the refusal
    assert len(invitations(app)) == 1
    assert sum(_queued(app).values()) == 1


def test_reminders_go_once_with_two_workers(app, make_app, survey_event):
    event, _ = survey_event()
    people(app, event, 60)
    assert _run(app, SENDS) == (60, 0)
    apps = [make_app() for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def work(index):
        with apps[index].app_context():
            barrier.wait()
            results[index] = sending.send_due(now=SENDS + 5 * DAY)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sum(r[1] for r in results) == 60
    reminded = [k for k in _queued(app).elements() if k[1] == "feedback_reminder"]
    assert len(reminded) == 60 and len(set(reminded)) == 60


def test_a_reminder_read_before_another_run_sent_it_is_not_sent_again(
    app, survey_event, monkeypatch
):
    # The candidates are read outside the transaction: a run that read them before
    # another run reminded everyone is stopped by the conditional UPDATE alone.
    event, _ = survey_event()
    people(app, event, 3)
    assert _run(app, SENDS) == (3, 0)
    with app.app_context():
        survey_id = invitations(app)[0].survey_id
        stale = sending._to_remind(survey_id, SENDS + 5 * DAY)
    assert _run(app, SENDS + 5 * DAY) == (0, 3)
    monkeypatch.setattr(sending, "_to_remind", lambda survey_id, now: stale)
    assert _run(app, SENDS + 5 * DAY) == (0, 0)
    reminded = [k for k in _queued(app).elements() if k[1] == "feedback_reminder"]
    assert len(reminded) == 3


def test_control_without_the_condition_the_stale_run_reminds_again(app, survey_event, monkeypatch):
    event, _ = survey_event()
    people(app, event, 3)
    assert _run(app, SENDS) == (3, 0)
    with app.app_context():
        survey_id = invitations(app)[0].survey_id
        stale = sending._to_remind(survey_id, SENDS + 5 * DAY)
    assert _run(app, SENDS + 5 * DAY) == (0, 3)
    monkeypatch.setattr(sending, "_to_remind", lambda survey_id, now: stale)
    # The control: the UPDATE's condition on reminded_at taken away.
    monkeypatch.setattr(sending, "_not_reminded_or_answered", lambda: ())
    assert _run(app, SENDS + 5 * DAY) == (0, 3)  # the check above would catch it
