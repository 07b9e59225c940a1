"""Every email the site sends, one function each, named by purpose.

Each function only queues: it writes an outbox row in the caller's
transaction (see engage.mail.services.queue_email). The mail worker
delivers it after commit.

Calendar invitations: each registration has one UID (registration_uid) for
life. A REQUEST carries the event's ics_sequence, which the events feature
raises on every change of date, time or place; a CANCEL carries
ics_sequence + 1 (cancel_sequence), so it is always higher than any REQUEST
that registration was sent, and calendars apply it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app, url_for
from sqlalchemy import inspect as sa_inspect

from engage.events.calendar import location
from engage.mail.attachments import QR_CONTENT_ID, checkin_qr, invitation, registration_uid
from engage.mail.services import Attachment, queue_email, site_urls
from engage.markdown import to_text
from engage.timefmt import span

# What an event change is about: the fields whose change is worth an email.
_WHEN = ("starts_at", "ends_at")
_WHERE = ("is_online", "venue_name", "venue_address")


def _site() -> dict[str, Any]:
    return {
        "site_name": current_app.config["SITE_NAME"],
        "site_url": current_app.config["SITE_URL"],
    }


def _details(registration) -> dict[str, Any]:
    # What every message about one attendee's place can show.
    event = registration.event
    with site_urls():
        event_url = url_for("events.detail", slug=event.slug, _external=True)
    return {
        **_site(),
        "registration": registration,
        "event": event,
        "event_url": event_url,
        "where": location(event),
        "travel_text": to_text(event.travel_info_md),
        "access_text": to_text(event.access_info_md),
        "qr_cid": QR_CONTENT_ID,
    }


def cancel_sequence(event) -> int:
    """The SEQUENCE of a CANCEL: above every REQUEST sent for the event's registrations."""
    return (event.ics_sequence or 0) + 1


def _invitation(registration, *, cancel: bool = False) -> Attachment:
    event = registration.event
    with site_urls():
        return invitation(
            event,
            uid=registration_uid(registration.id),
            sequence=cancel_sequence(event) if cancel else (event.ics_sequence or 0),
            attendee_email=registration.email,
            attendee_name=registration.full_name,
            cancel=cancel,
        )


def _queue_for(registration, *, kind, subject, template, context, attachments=()):
    event = registration.event
    return queue_email(
        kind=kind,
        to=registration.email,
        subject=subject,
        template=template,
        context=context,
        attachments=attachments,
        event_id=event.id,
        registration_id=registration.id,
    )


def _place_attachments(registration) -> list[Attachment]:
    return [_invitation(registration), checkin_qr(registration.checkin_code)]


def registration_confirmation(registration, manage_url: str):
    """Tell a registrant their place is confirmed, with an invitation and a check-in code."""
    return _queue_for(
        registration,
        kind="registration_confirmation",
        subject=f"Your place at {registration.event.title} is confirmed",
        template="registrations/confirmation",
        context={**_details(registration), "manage_url": manage_url},
        attachments=_place_attachments(registration),
    )


def waitlist_joined(registration, position: int, manage_url: str):
    """Tell a registrant they are on the waiting list, and where."""
    return _queue_for(
        registration,
        kind="waitlist_joined",
        subject=f"You are on the waiting list for {registration.event.title}",
        template="registrations/waitlist_joined",
        context={**_details(registration), "position": position, "manage_url": manage_url},
    )


def waitlist_promoted(registration, manage_url: str, *, dropped_workshops: Iterable = ()):
    """Tell someone on the waiting list that a place is now theirs, and which workshops are not."""
    return _queue_for(
        registration,
        kind="waitlist_promoted",
        subject=f"A place has come up: you are now booked for {registration.event.title}",
        template="registrations/promoted",
        context={
            **_details(registration),
            "manage_url": manage_url,
            "dropped_workshops": list(dropped_workshops),
        },
        attachments=_place_attachments(registration),
    )


def registration_cancelled(registration):
    """Acknowledge a cancellation; someone who held a place gets a calendar CANCEL."""
    event = registration.event
    # confirmed_at is set only when a place was held: only they were sent an invitation.
    # After the whole event was cancelled its CANCEL has gone out already.
    had_place = registration.confirmed_at is not None
    attachments = [_invitation(registration, cancel=True)] if had_place else []
    if event.is_cancelled:
        attachments = []
    return _queue_for(
        registration,
        kind="registration_cancelled",
        subject=f"Your registration for {event.title} is cancelled",
        template="registrations/cancelled",
        context={**_details(registration), "had_place": had_place},
        attachments=attachments,
    )


def password_reset(user, reset_url: str):
    """Send a staff member a link to choose a new password."""
    return queue_email(
        kind="password_reset",
        to=user.email,
        subject=f"Reset your {current_app.config['SITE_NAME']} password",
        template="accounts/password_reset",
        context={**_site(), "user": user, "reset_url": reset_url},
    )


def organiser_invitation(user, invite_url: str, invited_by):
    """Invite a new organiser to set a password and sign in."""
    return queue_email(
        kind="organiser_invitation",
        to=user.email,
        subject=f"You have been invited to run events on {current_app.config['SITE_NAME']}",
        template="accounts/invitation",
        context={**_site(), "user": user, "invite_url": invite_url, "invited_by": invited_by},
    )


def _where(is_online: bool, venue_name: str, venue_address: str) -> str:
    if is_online:
        return "Online"
    return ", ".join(part for part in (venue_name, venue_address) if part) or "To be confirmed"


def schedule_changes(event, previous: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """What changed about when and where, as [{"what", "was", "now"}].

    `previous` holds the old values; without it they are read from the
    event's unsaved attribute history, so call this before anything flushes.
    """
    state = sa_inspect(event)

    def old(name: str):
        if previous is not None and name in previous:
            return previous[name]
        history = state.attrs[name].history
        return history.deleted[0] if history.deleted else getattr(event, name)

    changes = []
    was_when = span(old("starts_at"), old("ends_at"), event.timezone)
    now_when = span(event.starts_at, event.ends_at, event.timezone)
    if was_when != now_when:
        changes.append({"what": "When", "was": was_when, "now": now_when})
    was_where = _where(*(old(name) for name in _WHERE))
    now_where = _where(*(getattr(event, name) for name in _WHERE))
    if was_where != now_where:
        changes.append({"what": "Where", "was": was_where, "now": now_where})
    return changes


def event_changed(event, *, previous: Mapping[str, Any] | None = None) -> int:
    """Tell every active attendee that the date, time or venue changed; how many were told.

    Confirmed attendees get an updated invitation (their UID, the event's
    ics_sequence, which the caller has raised); people waiting get a notice.
    Every message carries a fresh self-service link.
    """
    from engage.registrations import services as registrations

    changes = schedule_changes(event, previous)  # before any query flushes the history
    told = 0
    for registration in registrations.active_registrations(event):
        confirmed = registration.status == registrations.CONFIRMED
        token = registrations.issue_manage_token(registration)
        _queue_for(
            registration,
            kind="event_changed",
            subject=f"{event.title} has changed: please check the new details",
            template="events/changed",
            context={
                **_details(registration),
                "changes": changes,
                "confirmed": confirmed,
                "position": None if confirmed else registrations.waitlist_position(registration),
                "manage_url": registrations.manage_url(token),
            },
            attachments=[_invitation(registration)] if confirmed else [],
        )
        told += 1
    return told


def event_cancelled(event) -> int:
    """Tell every active attendee that the event is cancelled; how many were told.

    Confirmed attendees get a calendar CANCEL (their UID, cancel_sequence).
    """
    from engage.registrations import services as registrations

    told = 0
    for registration in registrations.active_registrations(event):
        confirmed = registration.status == registrations.CONFIRMED
        _queue_for(
            registration,
            kind="event_cancelled",
            subject=f"Cancelled: {event.title}",
            template="events/cancelled",
            context={**_details(registration), "confirmed": confirmed},
            attachments=[_invitation(registration, cancel=True)] if confirmed else [],
        )
        told += 1
    return told


def reminder(registration, manage_url: str, *, offset_hours: int):
    """Remind a confirmed attendee that the event is coming up, with their check-in code."""
    event = registration.event
    return _queue_for(
        registration,
        kind="reminder",
        subject=f"Reminder: {event.title}, {span(event.starts_at, event.ends_at, event.timezone)}",
        template="reminders/reminder",
        context={
            **_details(registration),
            "manage_url": manage_url,
            "offset_hours": offset_hours,
        },
        attachments=[checkin_qr(registration.checkin_code)],
    )
