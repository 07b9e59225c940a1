"""iCalendar files: one event's "Add to calendar" download and the feed of upcoming events."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from icalendar import Calendar
from icalendar import Event as VEvent

from engage.db import utcnow
from engage.events.models import Event
from engage.markdown import to_text
from engage.urls import external_url

PRODID = "-//Engage//Events//EN"


def event_uid(event: Event) -> str:
    """A UID that stays the same for the life of the event."""
    return f"event-{event.id}@{current_app.config['ICS_UID_DOMAIN']}"


def vevent(event: Event, *, uid: str | None = None, sequence: int | None = None) -> VEvent:
    """The VEVENT for an event; times in UTC."""
    item = VEvent()
    item.add("uid", uid or event_uid(event))
    item.add("dtstamp", utcnow())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    item.add("sequence", event.ics_sequence if sequence is None else sequence)
    url = external_url("events.detail", slug=event.slug)
    item.add("url", url)
    description = "\n\n".join(filter(None, [event.summary, to_text(event.description_md), url]))
    item.add("description", description)
    if where := event.location:
        item.add("location", where)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return item


def calendar(
    events: Iterable[Event], *, name: str | None = None, method: str | None = None
) -> bytes:
    """A VCALENDAR holding the given events."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(vevent(event))
    return cal.to_ical()
