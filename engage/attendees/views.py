"""The attendee list of one event, for its organisers and admins."""

from __future__ import annotations

from flask import Blueprint, render_template

from engage.access import staff_required
from engage.events.access import event_or_404

bp = Blueprint("attendees", __name__, url_prefix="/admin/events/<int:event_id>/attendees")


@bp.get("/")
@staff_required
def index(event_id: int):
    """Everyone registered for the event, filtered as the URL says."""
    event = event_or_404(event_id)
    return render_template("attendees/index.html", event=event)
