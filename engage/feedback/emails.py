"""The survey's emails: the invitation after the day, and one reminder. Queued, never sent here."""

from __future__ import annotations

from engage.certificates.emails import after_the_day
from engage.mail.services import external_url, queue_email
from engage.registrations.models import Registration


def survey_link(token: str) -> str:
    """The person's own link to the survey."""
    return external_url("feedback.answer", token=token)


def _send(
    registration: Registration, survey, *, kind: str, subject: str, template: str, token, extra=None
):
    event = registration.event
    return queue_email(
        kind=kind,
        to=registration.email,
        subject=subject,
        template=f"feedback/{template}",
        context={
            "registration": registration,
            "event": event,
            "survey": survey,
            "survey_url": survey_link(token),
            **(extra or {}),
        },
        event_id=event.id,
        registration_id=registration.id,
    )


def invitation(registration: Registration, survey, token: str):
    """Ask an attendee for their feedback on the day, with their own link."""
    return _send(
        registration,
        survey,
        kind="feedback_invitation",
        subject=f"How was {registration.event.title}? Tell us in a few minutes",
        template="invitation",
        token=token,
        # Those who came get their certificate and the day's resources with it.
        extra={"after": after_the_day(registration) if registration.checked_in_at else None},
    )


def reminder(registration: Registration, survey, token: str):
    """Remind an attendee who has not answered yet, once."""
    return _send(
        registration,
        survey,
        kind="feedback_reminder",
        subject=f"Reminder: your feedback on {registration.event.title}",
        template="reminder",
        token=token,
    )
