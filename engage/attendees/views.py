"""The attendee list of one event, for its organisers and admins."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from engage.access import staff_required
from engage.attendees import listing
from engage.attendees.filters import AttendeeFilter, filterable_choices
from engage.events.access import event_or_404
from engage.events.models import QuestionKind
from engage.registrations.models import CATEGORY_LABELS

bp = Blueprint("attendees", __name__, url_prefix="/admin/events/<int:event_id>/attendees")

STATUS_OPTIONS = [
    ("active", "Confirmed or waiting"),
    ("confirmed", "Confirmed"),
    ("waitlisted", "On the waiting list"),
    ("cancelled", "Cancelled"),
    ("all", "All, cancelled too"),
]
YES_NO = {"yes": "Yes", "no": "No"}
SORT_OPTIONS = [
    ("name", "Name"),
    ("organisation", "Organisation"),
    ("-booked", "Booking time, newest first"),
    ("booked", "Booking time, oldest first"),
]


def filter_choices(chosen: AttendeeFilter) -> dict:
    """What the filter form offers for the event, with the values chosen."""
    event = chosen.event
    answered = dict(chosen.answers)
    questions = []
    for question in event.questions:
        if values := filterable_choices(question):
            labels = YES_NO if question.kind == QuestionKind.YES_NO else {}
            options = [(value, labels.get(value, value)) for value in values]
            questions.append((question, options, answered.get(question.id, "")))
    return {
        "statuses": STATUS_OPTIONS,
        "sorts": SORT_OPTIONS,
        "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
        "workshops": [(str(w.id), w.title) for w in event.workshops],
        "questions": questions,
        "status_labels": listing.STATUS_LABELS,
    }


@bp.get("/")
@staff_required
def index(event_id: int):
    """Everyone registered for the event, filtered as the URL says."""
    event = event_or_404(event_id)
    chosen = AttendeeFilter.from_args(event, request.args)
    per_page = current_app.config.get("ATTENDEES_PER_PAGE", listing.PER_PAGE)
    page = listing.attendee_page(chosen, listing.page_number(request.args.get("page")), per_page)
    return render_template(
        "attendees/index.html",
        event=event,
        chosen=chosen,
        page=page,
        counts=listing.counts(event),
        **filter_choices(chosen),
    )


from engage.attendees import downloads  # noqa: E402,F401 - its routes join this blueprint
