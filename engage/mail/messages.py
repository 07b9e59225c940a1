"""Every email the site sends, one function each, named by purpose.

Each function only queues: it writes an outbox row in the caller's
transaction (see engage.mail.services.queue_email). The mail worker
delivers it after commit.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from engage.mail.services import queue_email


def _site() -> dict[str, Any]:
    return {
        "site_name": current_app.config["SITE_NAME"],
        "site_url": current_app.config["SITE_URL"],
    }


def registration_confirmation(registration, manage_url: str):
    """Tell a registrant their place is confirmed."""
    event = registration.event
    return queue_email(
        kind="registration_confirmation",
        to=registration.email,
        subject=f"Your place at {event.title} is confirmed",
        template="registrations/confirmation",
        context={**_site(), "registration": registration, "event": event, "manage_url": manage_url},
        event_id=event.id,
        registration_id=registration.id,
    )


def waitlist_joined(registration, position: int, manage_url: str):
    """Tell a registrant they are on the waiting list, and where."""
    event = registration.event
    return queue_email(
        kind="waitlist_joined",
        to=registration.email,
        subject=f"You are on the waiting list for {event.title}",
        template="registrations/waitlist_joined",
        context={
            **_site(),
            "registration": registration,
            "event": event,
            "position": position,
            "manage_url": manage_url,
        },
        event_id=event.id,
        registration_id=registration.id,
    )


def waitlist_promoted(registration, manage_url: str):
    """Tell someone on the waiting list that a place is now theirs."""
    event = registration.event
    return queue_email(
        kind="waitlist_promoted",
        to=registration.email,
        subject=f"A place has come up: you are now booked for {event.title}",
        template="registrations/promoted",
        context={**_site(), "registration": registration, "event": event, "manage_url": manage_url},
        event_id=event.id,
        registration_id=registration.id,
    )


def registration_cancelled(registration):
    """Acknowledge a cancellation."""
    event = registration.event
    return queue_email(
        kind="registration_cancelled",
        to=registration.email,
        subject=f"Your registration for {event.title} is cancelled",
        template="registrations/cancelled",
        context={**_site(), "registration": registration, "event": event},
        event_id=event.id,
        registration_id=registration.id,
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


def event_changed(event) -> int:
    """Tell every active attendee that the date, time or venue changed; how many were told.

    Queues nothing until registrations exist: the registration and mail features fill it in.
    """
    return 0


def event_cancelled(event) -> int:
    """Tell every active attendee that the event is cancelled; how many were told.

    Queues nothing until registrations exist: the registration and mail features fill it in.
    """
    return 0
