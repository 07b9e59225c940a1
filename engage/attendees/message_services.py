"""Organisers' messages to the people an attendee filter picks: preview, test, send.

Sending records one mailing (engage.mail.mailings) with the recipients the
filter picks at that moment; the mail worker writes each person's email with
write_message() below, filling in their placeholders (and issuing their own
self-service link) there, never in the organiser's request.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from engage.attendees.filters import ACTIVE, ALL, AttendeeFilter
from engage.attendees.placeholders import Filled, fill, uses_link
from engage.audit.services import record
from engage.db import transaction
from engage.events.contact import event_contact
from engage.events.models import Event
from engage.extensions import db
from engage.forms import FieldError
from engage.mail.mailings import create_mailing, mailing_writer
from engage.mail.models import Mailing, OutboxMessage
from engage.mail.services import external_url, queue_email
from engage.registrations.models import CATEGORY_LABELS, AttendeeCategory, Registration
from engage.registrations.services import issue_manage_token

ORGANISER_MESSAGE = "organiser-message"
TEMPLATE = "attendees/message"
TEST_PREFIX = "[Test] "
# Stands in for each person's own link in previews and tests, which must not issue one.
EXAMPLE_TOKEN = "each-person-gets-their-own-link"  # noqa: S105 - not a secret
STATUS_WORDS = {
    ACTIVE: "everyone with a place or on the waiting list",
    "confirmed": "everyone with a confirmed place",
    "waitlisted": "everyone on the waiting list",
    "cancelled": "everyone who cancelled",
    ALL: "everyone who registered, cancelled or not",
}


class NoRecipients(FieldError):
    """The filter picks nobody, so there is nobody to send to."""

    field = "subject"
    message = "Nobody matches this selection, so there is nobody to send the message to"


@dataclasses.dataclass(frozen=True)
class Preview:
    """The message as one person will get it, and how many people it goes to."""

    filled: Filled
    registration: Registration | None
    count: int


def count_recipients(chosen: AttendeeFilter) -> int:
    """How many people the filter picks."""
    return db.session.scalar(select(func.count(Registration.id)).where(*chosen.conditions()))


def first_recipient(chosen: AttendeeFilter) -> Registration | None:
    """The first person the filter picks, in its order."""
    return db.session.scalars(chosen.statement().limit(1)).first()


def filter_in_words(chosen: AttendeeFilter) -> list[str]:
    """Who the filter picks, as phrases: "everyone on the waiting list", "booked on ..."."""
    event = chosen.event
    words = [STATUS_WORDS[chosen.status]]
    if chosen.category:
        words.append(f"in the category “{CATEGORY_LABELS[AttendeeCategory(chosen.category)]}”")
    if chosen.workshop:
        title = next(w.title for w in event.workshops if w.id == chosen.workshop)
        words.append(f"booked on the workshop “{title}”")
    if chosen.needs:
        words.append("who gave dietary or access requirements")
    if chosen.checked_in:
        checked_in = chosen.checked_in == "yes"
        words.append("who have checked in" if checked_in else "who have not checked in")
    labels = {question.id: question.label for question in event.questions}
    for question_id, value in chosen.answers:
        words.append(f"who answered “{labels[question_id]}” with “{value}”")
    if chosen.q:
        words.append(f"whose name, email or organisation contains “{chosen.q}”")
    return words


def values_for(registration: Registration | None, event: Event, link: str) -> dict[str, str]:
    """What the placeholders stand for in one person's message."""
    return {
        "first_name": registration.first_name if registration else "(first name)",
        "event_title": event.title,
        "manage_link": link,
    }


def _example_link() -> str:
    return external_url("registrations.manage", token=EXAMPLE_TOKEN)


def preview(chosen: AttendeeFilter, subject: str, body_md: str) -> Preview:
    """The message as the first person the filter picks will get it; changes nothing."""
    registration = first_recipient(chosen)
    values = values_for(registration, chosen.event, _example_link())
    return Preview(fill(subject, body_md, values), registration, count_recipients(chosen))


def send_test(chosen: AttendeeFilter, subject: str, body_md: str, *, to) -> OutboxMessage:
    """Send the preview to the signed-in organiser alone, marked as a test in the subject."""
    event = chosen.event
    with transaction():
        shown = preview(chosen, subject, body_md).filled
        message = _queue(event, to.email, TEST_PREFIX + shown.subject, shown, kind="organiser_test")
        record("mailing.test_sent", event, f"Test of “{subject}” sent to its author", to)
    return message


def send_message(
    chosen: AttendeeFilter, subject: str, body_md: str, *, key: str, actor
) -> tuple[Mailing, bool]:
    """Record the message for everyone the filter picks now; and whether it is new.

    The key comes from the form, so a double-click or a POST sent again finds
    the mailing it made the first time and sends nothing twice. Raises
    NoRecipients if the filter picks nobody.
    """
    event = chosen.event
    recipients = select(Registration.id).where(*chosen.conditions())
    with transaction(lock=(Event, event.id)):
        mailing, created = create_mailing(
            kind=ORGANISER_MESSAGE,
            key=f"{ORGANISER_MESSAGE}:{event.id}:{key}",
            event_id=event.id,
            params={"subject": subject, "body_md": body_md},
            recipients=recipients,
            summary=subject,
            actor=actor,
        )
        if created and not mailing.recipient_count:
            raise NoRecipients()  # rolls the empty mailing back
    return mailing, created


@mailing_writer(ORGANISER_MESSAGE)
def write_message(mailing: Mailing, registration_id: int) -> OutboxMessage | None:
    """One person's copy of an organiser's message, their placeholders filled in."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != mailing.event_id:
        return None  # purged since
    subject, body_md = mailing.params["subject"], mailing.params["body_md"]
    link = ""
    if uses_link(subject, body_md):  # a live link only for messages that offer one
        link = external_url("registrations.manage", token=issue_manage_token(registration))
    filled = fill(subject, body_md, values_for(registration, registration.event, link))
    return _queue(
        registration.event,
        registration.email,
        filled.subject,
        filled,
        kind="organiser_message",
        registration_id=registration.id,
    )


def _queue(event: Event, to: str, subject: str, filled: Filled, *, kind: str, **ids):
    return queue_email(
        kind=kind,
        to=to,
        subject=subject,
        template=TEMPLATE,
        context={
            "event": event,
            "body_text": filled.text,
            "body_html": filled.html,
            "event_url": external_url("events.detail", slug=event.slug),
            "contact": event_contact(event),
        },
        event_id=event.id,
        reply_to=event_contact(event),
        **ids,
    )
