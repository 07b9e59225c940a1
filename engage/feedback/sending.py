"""Sending the survey after the day: one invitation per person, then one reminder, each once.

Once the event's end plus send_after_hours has passed, and while the survey
is switched on and open, each person who came (checked in; or every confirmed
person when the event used no check-in at all) is invited. Each invitation is
one transaction: a survey_invitations row under a unique (survey,
registration) constraint and its outbox message. A second run finds the row
and skips; a parallel run that races past the check hits the constraint,
rolls back its own attempt and skips.

reminder_after_days after the invitation, those who have not answered get
one reminder: a conditional UPDATE sets reminded_at only while it is empty
(and answered_at too), and the message is queued in the same transaction
only if that UPDATE moved the row.

The mail worker runs this every minute (a periodic job, engage.mail.jobs);
without a worker, run `flask --app wsgi engage feedback send` from cron.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from engage.db import end_read, retrying, utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.feedback import emails
from engage.feedback.models import Survey, SurveyInvitation
from engage.feedback.services import is_open, new_token
from engage.mail.jobs import periodic
from engage.registrations.models import Registration, RegistrationStatus

log = logging.getLogger("engage.feedback")
CHECK_EVERY = dt.timedelta(minutes=1)


@periodic("feedback", every=CHECK_EVERY)
def send_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Queue every invitation and reminder due at `now`; (invitations, reminders) queued."""
    now = now or utcnow()
    invited = reminded = 0
    for survey_id in _open_surveys(now):
        for registration_id in _to_invite(survey_id):
            if _invite_one(survey_id, registration_id, now):
                invited += 1
        for invitation_id in _to_remind(survey_id, now):
            if _remind_one(invitation_id, now):
                reminded += 1
    if invited or reminded:
        log.info("feedback: %d invitations, %d reminders queued", invited, reminded)
    return invited, reminded


def due_to_send(survey: Survey, now: dt.datetime) -> bool:
    """Whether the survey's invitations may go out now."""
    return is_open(survey, now) and survey.event.is_published and survey.sends_at <= now


def _open_surveys(now: dt.datetime) -> list[int]:
    query = (
        select(Survey)
        .join(Event, Event.id == Survey.event_id)
        .where(Survey.is_enabled.is_(True), Event.ends_at <= now, Event.cancelled_at.is_(None))
    )
    found = [survey.id for survey in db.session.scalars(query) if due_to_send(survey, now)]
    end_read()  # each invitation has its own transaction
    return found


def _attendees(event_id: int):
    """Who is asked: those checked in; everyone confirmed if nobody was (no check-in used)."""
    confirmed = (
        Registration.event_id == event_id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email != "",
    )
    any_checked_in = select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None)
    )
    if db.session.scalar(any_checked_in):
        return (*confirmed, Registration.checked_in_at.is_not(None))
    return confirmed


def _to_invite(survey_id: int) -> list[int]:
    survey = db.session.get(Survey, survey_id)
    invited = select(SurveyInvitation.id).where(
        SurveyInvitation.survey_id == survey_id,
        SurveyInvitation.registration_id == Registration.id,
    )
    query = (
        select(Registration.id)
        .where(*_attendees(survey.event_id), ~invited.exists())
        .order_by(Registration.id)
    )
    ids = list(db.session.scalars(query))
    end_read()
    return ids


def _recorded(survey_id: int, registration_id: int) -> bool:
    query = select(SurveyInvitation.id).where(
        SurveyInvitation.survey_id == survey_id,
        SurveyInvitation.registration_id == registration_id,
    )
    return db.session.scalar(query) is not None


def _claim(survey_id: int, registration_id: int, now: dt.datetime) -> str | None:
    """A new invitation row and its link's secret, or None if another run has it."""
    if _recorded(survey_id, registration_id):
        return None
    token, token_hash = new_token()
    db.session.add(
        SurveyInvitation(
            survey_id=survey_id, registration_id=registration_id, token_hash=token_hash, sent_at=now
        )
    )
    db.session.flush()  # a parallel run's committed row makes this raise IntegrityError
    return token


def _invite_one(survey_id: int, registration_id: int, now: dt.datetime) -> bool:
    """Queue one invitation with its record in one transaction; whether it was queued."""
    try:
        return retrying(lambda: _invite_locked(survey_id, registration_id, now), attempts=3)
    except IntegrityError:
        # Another run recorded this invitation between our check and our insert.
        try:
            if not _recorded(survey_id, registration_id):
                raise
        finally:
            end_read()
        log.info("feedback invitation %s/%s was queued by another run", survey_id, registration_id)
        return False


def _invite_locked(survey_id: int, registration_id: int, now: dt.datetime) -> bool:
    survey = db.session.get(Survey, survey_id, populate_existing=True)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    # Checked again inside the transaction: a cancellation, or the survey switched off.
    if survey is None or not due_to_send(survey, now):
        return False
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return False
    if not registration.email:
        return False
    token = _claim(survey_id, registration_id, now)
    if token is None:
        return False
    emails.invitation(registration, survey, token)
    return True


def _to_remind(survey_id: int, now: dt.datetime) -> list[int]:
    survey = db.session.get(Survey, survey_id)
    due_before = now - dt.timedelta(days=survey.reminder_after_days)
    query = (
        select(SurveyInvitation.id)
        .where(
            SurveyInvitation.survey_id == survey_id,
            SurveyInvitation.answered_at.is_(None),
            SurveyInvitation.reminded_at.is_(None),
            SurveyInvitation.sent_at <= due_before,
        )
        .order_by(SurveyInvitation.id)
    )
    ids = list(db.session.scalars(query))
    end_read()
    return ids


def _remind_one(invitation_id: int, now: dt.datetime) -> bool:
    """Queue one reminder, once: only if this run's conditional UPDATE marked it reminded."""
    return retrying(lambda: _remind_locked(invitation_id, now), attempts=3)


def _not_reminded_or_answered() -> tuple:
    """The reminder's condition: what makes a second run's UPDATE move nothing."""
    return (SurveyInvitation.reminded_at.is_(None), SurveyInvitation.answered_at.is_(None))


def _remind_locked(invitation_id: int, now: dt.datetime) -> bool:
    invitation = db.session.get(SurveyInvitation, invitation_id, populate_existing=True)
    if invitation is None:
        return False
    survey = invitation.survey
    registration = db.session.get(Registration, invitation.registration_id)
    # Checked again inside the transaction: the survey closed, or the person cancelled.
    if not due_to_send(survey, now) or registration.status != RegistrationStatus.CONFIRMED:
        return False
    token, token_hash = new_token()
    moved = db.session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, *_not_reminded_or_answered())
        .values(reminded_at=now, reminder_token_hash=token_hash)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False  # another run reminded them, or they answered meanwhile
    emails.reminder(registration, survey, token)
    return True
