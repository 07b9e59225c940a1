"""What the events feature tells the features built on it, as blinker signals (as Flask's own).

Events sit below registrations: they never import them. When something about
an event changes, the events feature sends one of these signals and the
registrations feature acts on it. Receivers run inside the sender's
transaction, so what they write (emails, promotions) commits or rolls back
with the change itself. A receiver of a `*_changing` signal refuses a change
by raising a FieldError, before anything is written.
"""

from __future__ import annotations

from blinker import Namespace, Signal

_signals = Namespace()

#: sender: the event; returns how many of its places are taken.
places_taken = _signals.signal("places-taken")
#: sender: the event; returns its attendees counted by status, for the event's page.
attendee_counts = _signals.signal("attendee-counts")
#: sender: the event (old values still on it); fields: the new values. May raise.
event_changing = _signals.signal("event-changing")
#: sender: the event (new values); previous: the old values of what changed.
schedule_changed = _signals.signal("schedule-changed")
#: sender: the event, after its capacity went up (or the limit was lifted).
capacity_raised = _signals.signal("capacity-raised")
#: sender: the event, just called off.
event_cancelled = _signals.signal("event-cancelled")
#: sender: a programme session (old values); fields: the new values. May raise.
session_changing = _signals.signal("session-changing")
#: sender: a programme session (new values); previous: the old values of what changed.
session_changed = _signals.signal("session-changed")
#: sender: a programme session about to be deleted.
session_removed = _signals.signal("session-removed")


def total(signal: Signal, sender, **values) -> int:
    """Send the signal and add up what its receivers return (people told, places taken)."""
    return sum(result or 0 for _receiver, result in signal.send(sender, **values))


def first(signal: Signal, sender, **values):
    """Send the signal and return the first answer a receiver gave (None if none did)."""
    return next((result for _receiver, result in signal.send(sender, **values) if result), None)
