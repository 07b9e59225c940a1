"""Registering someone by hand: the public form's fields and rules, for an organiser."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from engage.access import staff_required
from engage.attendees import services
from engage.attendees.forms import add_registration_form
from engage.attendees.record import Attempt, attempt, bp
from engage.events.access import event_or_404
from engage.registrations import services as registrations


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new(event_id: int):
    """Add a registration: a place, or the waiting list when the event is full."""
    event = event_or_404(event_id)
    form = add_registration_form(event)
    outcome = Attempt()
    if not event.is_cancelled and form.validate_on_submit():
        outcome = attempt(
            form,
            lambda: services.add_registration(event, form.to_data(), notify=form.notify.data),
        )
        if outcome.done:
            registration = outcome.result.registration
            flash(_added(registration, outcome.result.position, form.notify.data), "success")
            return redirect(url_for(".show", event_id=event.id, registration_id=registration.id))
    return render_template(
        "attendees/new.html",
        event=event,
        form=form,
        problem=outcome.problem,
        duplicate=outcome.duplicate,
        places=registrations.workshop_places_left(event),
        has_place=registrations.has_place(event),
    )


def _added(registration, position: int | None, notify: bool) -> str:
    where = f"on the waiting list, number {position}" if position else "booked"
    told = " They have been emailed." if notify else " They have not been emailed."
    return f"{registration.full_name} has been added, {where}.{told}"
