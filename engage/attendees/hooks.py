"""What the attendees feature answers when the events feature asks: receivers of its signals."""

from __future__ import annotations

from engage.attendees import listing
from engage.events import signals
from engage.events.models import Event


@signals.attendee_counts.connect
def count_attendees(event: Event) -> listing.Counts:
    """The attendee list's counts, for the event's own page."""
    return listing.counts(event)
