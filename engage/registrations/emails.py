"""Every email to an attendee, one function each, named by purpose.

Each function only queues: it writes an outbox row in the caller's
transaction (engage.mail.queue_email); the mail worker delivers it after
commit. Templates live in templates/emails/registrations/.

Calendar invitations: each registration has one UID (registration_uid) for
life. A REQUEST carries the event's ics_sequence, which rises on every change
of date, time or place; a CANCEL carries ics_sequence + 1 (cancel_sequence),
so it is always higher than any REQUEST that registration was sent, and
calendars apply it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engage.events.contact import event_contact
from engage.events.models import WHERE_FIELDS, Event, EventSession, location_line
from engage.mail.services import Attachment, external_url, queue_email
from engage.markdown import to_text
from engage.registrations.attachments import (
    QR_CONTENT_ID,
    checkin_link,
    checkin_qr,
    invitation,
    registration_uid,
)
from engage.registrations.models import Registration
from engage.registrations.summary import told_us
from engage.timefmt import span

TEMPLATES = "registrations"


def checks_in_at_desk(event: Event) -> bool:
    """Whether attendees show a check-in code at a desk: not at an online event."""
    return not event.is_online


def _details(registration: Registration) -> dict[str, Any]:
    # What every message about one attendee's place can show. The travel text is
    # written for people deciding whether to book: it stays on the event page.
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "where": event.location,
        "access_text": to_text(event.access_info_md),
        "note_text": to_text(event.attendee_note_md, link_urls=True),
        "told_us": told_us(registration, unconsented_needs=False),
        "desk": checks_in_at_desk(event),
        "contact": event_contact(event),
        "qr_cid": QR_CONTENT_ID,
    }


def manage_link(token: str) -> str:
    """The attendee's self-service link for a token."""
    return external_url("registrations.manage", token=token)


def cancel_sequence(event: Event) -> int:
    """The SEQUENCE of a CANCEL: above every REQUEST sent for the event's registrations."""
    return (event.ics_sequence or 0) + 1


def _invitation(
    registration: Registration, *, cancel: bool = False, sequence: int | None = None
) -> Attachment:
    event = registration.event
    if sequence is None:
        sequence = cancel_sequence(event) if cancel else (event.ics_sequence or 0)
    return invitation(
        event,
        uid=registration_uid(registration.id),
        sequence=sequence,
        attendee_email=registration.email,
        attendee_name=registration.full_name,
        cancel=cancel,
        joining=event.online_join_details if event.is_online else "",
    )


def personal_invitation(registration: Registration) -> Attachment:
    """The calendar invitation a confirmation email carries, for the self-service page too."""
    return _invitation(registration)


def _send(registration: Registration, *, kind, subject, template, context, attachments=()):
    # A walk-in may have given no address: every email to an attendee passes here,
    # so none is ever queued for an empty one.
    if not registration.email:
        return None
    return queue_email(
        kind=kind,
        to=registration.email,
        subject=subject,
        template=f"{TEMPLATES}/{template}",
        context={**_details(registration), **context},
        attachments=attachments,
        event_id=registration.event_id,
        registration_id=registration.id,
        reply_to=event_contact(registration.event),
    )


def _checkin_code(registration: Registration) -> list[Attachment]:
    # Online, there is no desk to show it at.
    if not checks_in_at_desk(registration.event):
        return []
    return [checkin_qr(checkin_link(registration.checkin_code))]


def _place_attachments(registration: Registration) -> list[Attachment]:
    return [_invitation(registration), *_checkin_code(registration)]


def confirmation(registration: Registration, token: str):
    """Tell a registrant their place is confirmed, with an invitation and a check-in code."""
    return _send(
        registration,
        kind="registration_confirmation",
        subject=f"Your place at {registration.event.title} is confirmed",
        template="confirmation",
        context={"manage_url": manage_link(token)},
        attachments=_place_attachments(registration),
    )


def waitlist_joined(registration: Registration, position: int, token: str):
    """Tell a registrant they are on the waiting list, and where."""
    return _send(
        registration,
        kind="waitlist_joined",
        subject=f"You are on the waiting list for {registration.event.title}",
        template="waitlist_joined",
        context={"position": position, "manage_url": manage_link(token)},
    )


def already_registered(registration: Registration, token: str, *, position: int | None):
    """Tell an address already registered, that someone tried to book again, its own link."""
    return _send(
        registration,
        kind="already_registered",
        subject=f"You are already registered for {registration.event.title}",
        template="already_registered",
        context={"manage_url": manage_link(token), "position": position},
    )


def link_again(registration: Registration, token: str, *, position: int | None):
    """Send the self-service link someone asked for again."""
    return _send(
        registration,
        kind="manage_link_again",
        subject=f"Your link for {registration.event.title}",
        template="link_again",
        context={"manage_url": manage_link(token), "position": position},
    )


def promoted(registration: Registration, token: str, *, dropped_workshops: Iterable = ()):
    """Tell someone on the waiting list that a place is now theirs, and which workshops are not."""
    return _send(
        registration,
        kind="waitlist_promoted",
        subject=f"A place has come up: you are now booked for {registration.event.title}",
        template="promoted",
        context={"manage_url": manage_link(token), "dropped_workshops": list(dropped_workshops)},
        attachments=_place_attachments(registration),
    )


def cancelled(registration: Registration):
    """Acknowledge a cancellation; someone who held a place gets a calendar CANCEL."""
    event = registration.event
    # confirmed_at is set only when a place was held: only they were sent an invitation.
    # After the whole event was cancelled its CANCEL has gone out already.
    had_place = registration.confirmed_at is not None
    attachments = [_invitation(registration, cancel=True)] if had_place else []
    if event.is_cancelled:
        attachments = []
    return _send(
        registration,
        kind="registration_cancelled",
        subject=f"Your registration for {event.title} is cancelled",
        template="cancelled",
        context={"had_place": had_place},
        attachments=attachments,
    )


def schedule_changes(event: Event, previous: Mapping[str, Any]) -> list[dict[str, str]]:
    """What changed about when and where, as [{"what", "was", "now"}], from the old values."""

    def old(name: str):
        return previous.get(name, getattr(event, name))

    changes = []
    was_when = span(old("starts_at"), old("ends_at"), event.timezone)
    now_when = span(event.starts_at, event.ends_at, event.timezone)
    if was_when != now_when:
        changes.append({"what": "When", "was": was_when, "now": now_when})
    was_where = location_line(*(old(name) for name in WHERE_FIELDS)) or "To be confirmed"
    now_where = event.location or "To be confirmed"
    if was_where != now_where:
        changes.append({"what": "Where", "was": was_where, "now": now_where})
    return changes


def event_changed(registration: Registration, changes, *, token: str, position: int | None):
    """Tell one attendee the date, time or venue changed; confirmed ones get a new invitation."""
    confirmed = position is None
    return _send(
        registration,
        kind="event_changed",
        subject=f"{registration.event.title} has changed: please check the new details",
        template="event_changed",
        context={
            "changes": changes,
            "confirmed": confirmed,
            "position": position,
            "manage_url": manage_link(token),
        },
        attachments=[_invitation(registration)] if confirmed else [],
    )


def event_cancelled(registration: Registration, *, confirmed: bool, sequence: int | None = None):
    """Tell one attendee the event is cancelled; confirmed ones get a calendar CANCEL.

    `sequence` is the CANCEL's, as cancel_sequence() gave it when the event was
    called off (the notice may be written later, by the mail worker).
    """
    attachments = [_invitation(registration, cancel=True, sequence=sequence)] if confirmed else []
    return _send(
        registration,
        kind="event_cancelled",
        subject=f"Cancelled: {registration.event.title}",
        template="event_cancelled",
        context={"confirmed": confirmed},
        attachments=attachments,
    )


def workshop_changed(registration: Registration, workshop: EventSession, changes, token: str):
    """Tell someone booked on a workshop that its time or room changed."""
    return _send(
        registration,
        kind="workshop_changed",
        subject=f"{registration.event.title}: “{workshop.title}” has changed",
        template="workshop_changed",
        context={"workshop": workshop, "changes": changes, "manage_url": manage_link(token)},
    )


def workshop_removed(registration: Registration, title: str, token: str):
    """Tell someone booked on a workshop that it no longer runs."""
    return _send(
        registration,
        kind="workshop_removed",
        subject=f"{registration.event.title}: “{title}” will not run",
        template="workshop_removed",
        context={"workshop_title": title, "manage_url": manage_link(token)},
    )


def reminder(registration: Registration, token: str, *, offset_hours: int):
    """Remind a confirmed attendee that the event is coming up, with their check-in code."""
    event = registration.event
    return _send(
        registration,
        kind="reminder",
        subject=f"Reminder: {event.title}, {span(event.starts_at, event.ends_at, event.timezone)}",
        template="reminder",
        context={"manage_url": manage_link(token), "offset_hours": offset_hours},
        attachments=_checkin_code(registration),
    )


def details_updated(registration: Registration, token: str, *, changed: Iterable[str], position):
    """Tell an attendee the organisers changed their registration, and what it now holds."""
    return _send(
        registration,
        kind="details_updated",
        subject=f"Your registration for {registration.event.title} has been updated",
        template="details_updated",
        context={"changed": list(changed), "position": position, "manage_url": manage_link(token)},
    )
