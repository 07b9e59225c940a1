"""One attendee's record, and what an organiser may do for them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from engage.access import staff_required
from engage.events.access import event_or_404
from engage.extensions import db
from engage.registrations.models import Registration

bp = Blueprint("attendee_record", __name__, url_prefix="/admin/events/<int:event_id>/attendees")


def registration_or_404(event_id: int, registration_id: int) -> Registration:
    """The registration, if it belongs to an event the signed-in user may manage."""
    event = event_or_404(event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.get("/<int:registration_id>")
@staff_required
def show(event_id: int, registration_id: int):
    """Everything the person gave, and what happened to their registration."""
    registration = registration_or_404(event_id, registration_id)
    return render_template(
        "attendees/record.html", event=registration.event, registration=registration
    )
