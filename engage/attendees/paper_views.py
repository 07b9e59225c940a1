"""The venue's paperwork for one event: badges, sign-in sheet, room lists and catering, as PDFs."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from engage.access import staff_required
from engage.attendees import paper
from engage.attendees import paper_services as services
from engage.attendees.filters import AttendeeFilter
from engage.attendees.record import registration_or_404
from engage.db import utcnow
from engage.events.access import event_or_404
from engage.events.models import Event, EventSession, SessionKind
from engage.extensions import db
from engage.forms import ConfirmForm
from engage.registrations import services as registrations

bp = Blueprint("attendee_paper", __name__, url_prefix="/admin/events/<int:event_id>/paper")


def _pdf(event: Event, name: str, content: bytes) -> Response:
    """A PDF to save, named after the event (slugs are lower-case letters, digits and hyphens)."""
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-{name}.pdf"'},
    )


def _workshop_or_404(event: Event, session_id: int) -> EventSession:
    """One of the event's workshops (not a plenary or a break, nor another event's)."""
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event.id or session.kind != SessionKind.WORKSHOP:
        abort(404)
    return session


@bp.get("/")
@staff_required
def index(event_id: int):
    """The documents there are to print, what each holds, and where to get them."""
    event = event_or_404(event_id)
    list_filter = AttendeeFilter.from_args(event, request.args)
    return render_template(
        "attendees/paper.html",
        event=event,
        list_filter=list_filter,
        badge_count=services.count_chosen(list_filter),
        confirmed=registrations.count_confirmed(event),
        booked={w.id: registrations.workshop_booked(w) for w in event.workshops},
        form=ConfirmForm(),
    )


@bp.get("/badges.pdf")
@staff_required
def badges(event_id: int):
    """Badges for everyone confirmed, or for the people the list's filter in the URL picks."""
    event = event_or_404(event_id)
    people = services.chosen(AttendeeFilter.from_args(event, request.args))
    return _pdf(event, "badges", paper.badges_pdf(event, people, now=utcnow()))


@bp.get("/badges/<int:registration_id>.pdf")
@staff_required
def badge(event_id: int, registration_id: int):
    """One person's badge again, for a lost or misspelt one."""
    registration = registration_or_404(event_id, registration_id)
    event = registration.event
    content = paper.badges_pdf(event, [registration], now=utcnow())
    return _pdf(event, f"badge-{registration.id}", content)


@bp.get("/sign-in-sheet.pdf")
@staff_required
def sign_in_sheet(event_id: int):
    """Everyone confirmed, by surname, with a column to sign."""
    event = event_or_404(event_id)
    content = paper.sign_in_sheet_pdf(event, services.confirmed(event), now=utcnow())
    return _pdf(event, "sign-in-sheet", content)


@bp.get("/rooms.pdf")
@staff_required
def rooms(event_id: int):
    """A room list for every workshop, each on a page of its own."""
    event = event_or_404(event_id)
    content = paper.room_lists_pdf(event, event.workshops, services.confirmed(event), now=utcnow())
    return _pdf(event, "room-lists", content)


@bp.get("/rooms/<int:session_id>.pdf")
@staff_required
def room(event_id: int, session_id: int):
    """The room list of one workshop."""
    event = event_or_404(event_id)
    workshop = _workshop_or_404(event, session_id)
    content = paper.room_lists_pdf(event, [workshop], services.booked_on(workshop), now=utcnow())
    return _pdf(event, f"room-list-{workshop.id}", content)


@bp.post("/catering.pdf")
@staff_required
def catering(event_id: int):
    """The catering sheet: a POST, since every download of it is written to the audit log."""
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".index", event_id=event.id))
    return _pdf(event, "catering", services.catering_sheet(event, now=utcnow()))
