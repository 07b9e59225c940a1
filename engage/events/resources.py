"""Resources shared after the day (slides, recordings, reading): the rules for keeping them.

A resource is a title and a web address (http or https only), with an
optional description; it belongs to the event, or to one of its sessions.
The public event page shows them once the event has ended (has_ended).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from engage.audit.services import record
from engage.db import transaction, utcnow
from engage.events.models import Event, EventResource, EventSession
from engage.extensions import db
from engage.forms import FieldError

RESOURCE_FIELDS = ("title", "url", "description", "session_id")
URL_MAX = 2000


def has_ended(event: Event, now: dt.datetime | None = None) -> bool:
    """Whether the event is over: the one rule for when "After the event" shows."""
    return not event.is_cancelled and event.ends_at <= (now or utcnow())


def preload(event: Event) -> None:
    """Load the resources of the event and of all its sessions in one query, not one per session."""
    found = list(
        db.session.scalars(
            select(EventResource)
            .where(EventResource.event_id == event.id)
            .order_by(EventResource.position, EventResource.id)
        )
    )
    set_committed_value(event, "resources", found)
    by_session: dict[int, list[EventResource]] = defaultdict(list)
    for resource in found:
        if resource.session_id is not None:
            by_session[resource.session_id].append(resource)
    for session in event.sessions:
        set_committed_value(session, "resources", by_session[session.id])


def web_address_problem(url: str) -> str | None:
    """Why a resource's address cannot be used, or None: only http(s) links to a named host."""
    url = (url or "").strip()
    if not url:
        return "Enter the web address of the resource"
    if len(url) > URL_MAX:
        return f"The web address must be {URL_MAX} characters or fewer"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "The web address must not contain spaces"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return (
            "Enter a web address starting with https:// or http://, like https://example.org/slides"
        )
    if not host:
        return "Enter a full web address, with the site's name, like https://example.org/slides"
    return None


def host_of(url: str) -> str:
    """The site a link goes to, as the page names it beside the link ("example.org")."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


class ResourceRefused(FieldError):
    """A resource cannot be saved as typed; `field` says which answer."""

    field = "url"


class ResourceGone(LookupError):
    """The resource was deleted (by someone else) before this change reached it."""


def _checked(event: Event, fields: dict) -> dict:
    fields = {name: fields.get(name) for name in RESOURCE_FIELDS}
    fields["url"] = (fields["url"] or "").strip()
    if problem := web_address_problem(fields["url"]):
        raise ResourceRefused(problem, "url")
    fields["description"] = fields["description"] or ""
    session_id = fields["session_id"] or None
    if session_id is not None and db.session.get(EventSession, session_id) not in event.sessions:
        raise ResourceRefused("Choose a session of this event, or the whole event", "session_id")
    fields["session_id"] = session_id
    return fields


def add_resource(event: Event, fields: dict) -> EventResource:
    """Add a resource to the event (or one of its sessions), last in the list."""
    with transaction(lock=(Event, event.id)):
        event = db.session.get(Event, event.id, populate_existing=True)
        resource = EventResource(**_checked(event, fields))
        resource.position = max((r.position for r in event.resources), default=-1) + 1
        event.resources.append(resource)
        db.session.flush()
        record("event.resource_added", event, summary=resource.title)
    return resource


def _current(resource_id: int) -> EventResource:
    found = db.session.get(EventResource, resource_id, populate_existing=True)
    if found is None:
        raise ResourceGone()
    return found


def update_resource(resource: EventResource, fields: dict) -> EventResource:
    """Change a resource's title, address, description or session."""
    resource_id, event_id = resource.id, resource.event_id
    with transaction(lock=(Event, event_id)):
        resource = _current(resource_id)
        for name, value in _checked(resource.event, fields).items():
            setattr(resource, name, value)
        record("event.resource_changed", resource.event, summary=resource.title)
    return resource


def delete_resource(resource: EventResource) -> None:
    """Remove a resource from the event's pages."""
    resource_id, event_id = resource.id, resource.event_id
    with transaction(lock=(Event, event_id)):
        resource = _current(resource_id)
        event = resource.event
        record("event.resource_deleted", event, summary=resource.title)
        event.resources.remove(resource)
        db.session.delete(resource)


def move_resource(resource: EventResource, step: int) -> None:
    """Move a resource one place up (-1) or down (+1) the event's list."""
    resource_id, event_id = resource.id, resource.event_id
    with transaction(lock=(Event, event_id)):
        resource = _current(resource_id)
        ordered = list(resource.event.resources)
        index = ordered.index(resource)
        other = index + step
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
            for position, item in enumerate(ordered):
                item.position = position
