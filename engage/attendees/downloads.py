"""The exports: the filtered list with the columns chosen, and the ready-made venue lists."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from slugify import slugify

from engage.access import staff_required
from engage.attendees import export_data, exports, listing
from engage.attendees.export_forms import ExportForm, VenueListForm
from engage.attendees.filters import AttendeeFilter
from engage.attendees.views import bp
from engage.db import utcnow
from engage.events.access import event_or_404
from engage.events.models import Event, EventSession, SessionKind
from engage.extensions import db
from engage.timefmt import local


def _filename(event: Event, what: str) -> str:
    today = local(utcnow(), event.timezone).date().isoformat()
    return f"{event.slug}-{what}-{today}"


@bp.route("/export", methods=["GET", "POST"])
@staff_required
def export(event_id: int):
    """Choose the columns and format of an export of the list as filtered; the POST downloads it."""
    event = event_or_404(event_id)
    # The filter travels as hidden fields, so the file is the list the organiser was looking at.
    source = request.form if request.method == "POST" else request.args
    chosen = AttendeeFilter.from_args(event, source)
    form = ExportForm(export_data.columns_for(event))
    if form.validate_on_submit():
        filename = _filename(event, "attendees")
        sheet = export_data.export_attendees(chosen, form.keys(), form.file_format.data)
        return exports.download([sheet], form.file_format.data, filename)
    return render_template(
        "attendees/export.html",
        event=event,
        chosen=chosen,
        form=form,
        matched=listing.matched(chosen),
        workshops=event.workshops,
        formats=exports.FORMATS,
    )


@bp.post("/export/catering")
@staff_required
def catering(event_id: int):
    """The catering list: dietary requirements of confirmed people who agreed to share them."""
    event = event_or_404(event_id)
    form = VenueListForm()
    if not form.validate_on_submit():
        return redirect(url_for(".export", event_id=event.id))
    filename = _filename(event, "catering")
    sheets = export_data.export_catering(event, form.file_format.data)
    return exports.download(sheets, form.file_format.data, filename)


@bp.get("/export/workshops/<int:session_id>")
@staff_required
def room_list(event_id: int, session_id: int):
    """One workshop's room list: who is booked in, with a box to tick at the door."""
    event = event_or_404(event_id)
    workshop = db.session.get(EventSession, session_id)
    if workshop is None or workshop.event_id != event.id or workshop.kind != SessionKind.WORKSHOP:
        abort(404)
    file_format = request.args.get("format", exports.CSV)
    if file_format not in exports.FORMATS:
        file_format = exports.CSV
    name = slugify(workshop.title, max_length=60, word_boundary=True) or str(workshop.id)
    filename = _filename(event, f"room-list-{name}")
    return exports.download([export_data.room_list_sheet(workshop)], file_format, filename)
