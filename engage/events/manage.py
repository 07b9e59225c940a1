"""The event builder for organisers and admins: list, create, edit, publish, cancel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from engage.access import staff_required
from engage.events import manage_services as services
from engage.events import services as public_services
from engage.events import signals
from engage.events.access import event_or_404, managed_events
from engage.events.forms import CancelEventForm, EventForm, event_fields
from engage.events.manage_services import EventChangeRefused
from engage.events.models import Event
from engage.extensions import db
from engage.forms import ConfirmForm, show_field_error
from engage.mail import services as mail_services
from engage.mail import views as mail_views
from engage.markdown import render

bp = Blueprint("manage_events", __name__, url_prefix="/admin/events")


@bp.get("/")
@staff_required
def index():
    """The events this user may manage, latest first."""
    events = db.session.scalars(
        managed_events(current_user).order_by(Event.starts_at.desc(), Event.id.desc())
    ).all()
    return render_template("events/manage/index.html", events=events)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create():
    """A new event (unpublished until someone publishes it)."""
    form = EventForm()
    if form.validate_on_submit() and not form.preview.data:
        try:
            event = services.create_event(event_fields(form), creator=current_user)
        except EventChangeRefused as refused:
            show_field_error(form, refused)
        else:
            flash(
                f"“{event.title}” has been created. It is not public until you publish it.",
                "success",
            )
            return redirect(url_for(".show", event_id=event.id))
    return _edit_page(form, None)


@bp.get("/<int:event_id>/")
@staff_required
def show(event_id: int):
    """One event's details, programme, questions and actions."""
    event = event_or_404(event_id)
    return render_template(
        "events/manage/show.html",
        event=event,
        confirmed=public_services.places_taken(event),
        attendees=signals.first(signals.attendee_counts, event),
        action_form=ConfirmForm(),
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(event_id: int):
    """Change an event's details."""
    event = event_or_404(event_id)
    form = EventForm(obj=event)
    if form.validate_on_submit() and not form.preview.data:
        try:
            result = services.update_event(event, event_fields(form))
        except EventChangeRefused as refused:
            show_field_error(form, refused)
        else:
            message = "Your changes have been saved."
            if result.schedule_changed:
                message += (
                    f" The date, time or venue changed: {result.attendees_told} attendee(s) told."
                )
            if result.promoted:
                message += f" {result.promoted} people moved from the waiting list into places."
            flash(message, "success")
            return redirect(url_for(".show", event_id=event.id))
    return _edit_page(form, event)


def _edit_page(form: EventForm, event: Event | None):
    preview = render(form.description_md.data) if form.preview.data else None
    return render_template("events/manage/edit.html", form=form, event=event, preview=preview)


@bp.post("/<int:event_id>/publish")
@staff_required
def publish(event_id: int):
    """Put the event on the public site."""
    event = event_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        services.publish_event(event)
        flash(f"“{event.title}” is now on the public events list.", "success")
    return redirect(url_for(".show", event_id=event.id))


@bp.post("/<int:event_id>/unpublish")
@staff_required
def unpublish(event_id: int):
    """Take the event off the public site."""
    event = event_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        services.unpublish_event(event)
        flash(f"“{event.title}” is no longer public.", "success")
    return redirect(url_for(".show", event_id=event.id))


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel(event_id: int):
    """Confirm cancelling the event, with a reason for attendees."""
    event = event_or_404(event_id)
    form = CancelEventForm()
    if not event.is_cancelled and form.validate_on_submit():
        try:
            told = services.cancel_event(event, form.reason.data)
        except EventChangeRefused as refused:
            show_field_error(form, refused)
        else:
            flash(
                f"“{event.title}” is cancelled. {told} attendee(s) will be told by email.",
                "success",
            )
            return redirect(url_for(".show", event_id=event.id))
    return render_template("events/manage/cancel.html", event=event, form=form)


@bp.get("/<int:event_id>/messages")
@staff_required
def messages(event_id: int):
    """The emails sent, or waiting to be sent, about one event."""
    event = event_or_404(event_id)
    status = mail_views.status_filter()
    query = mail_services.messages_query(event_id=event.id, status=status)
    page = db.paginate(query, per_page=mail_views.PER_PAGE)
    return render_template("mail/event_messages.html", event=event, page=page, status=status)


# Their routes join this blueprint.
from engage.events import manage_programme, manage_resources  # noqa: E402,F401
