"""Links for the emails sent after the day (the feedback survey's invitation carries them).

No email is sent from here: the self-service page is the main way to the
certificate, and the survey invitation quotes these links.
"""

from __future__ import annotations

from engage.certificates.services import is_available
from engage.events.models import Event
from engage.registrations.models import Registration
from engage.registrations.services import issue_manage_token
from engage.urls import external_url


def certificate_link(registration: Registration, token: str | None = None) -> str | None:
    """The attendee's certificate download link, or None if they have no certificate.

    Give the token the email already carries; without one, a new self-service
    token is minted, so call it inside the email's transaction.
    """
    if not is_available(registration):
        return None
    token = token or issue_manage_token(registration)
    return external_url("certificates.download", token=token)


def resources_link(event: Event) -> str | None:
    """The event page, at "After the event" if it has resources of its own; None if it has none."""
    own = any(resource.session_id is None for resource in event.resources)
    if not own and not any(session.resources for session in event.sessions):
        return None
    page = external_url("events.detail", slug=event.slug)
    return page + "#after-the-event" if own else page


def after_the_day(registration: Registration, token: str | None = None) -> dict:
    """What the "Thank you for coming" part of an email shows (see emails/certificates/).

    For a survey invitation's context: {% include "emails/certificates/_after_the_day.txt" %}.
    """
    return {
        "certificate_url": certificate_link(registration, token),
        "resources_url": resources_link(registration.event),
    }
