"""One attendee's record, and what an organiser may do for them."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engage.access import staff_required
from engage.attendees import services
from engage.attendees.forms import CancelForm, CorrectDetailsForm, workshops_form
from engage.db import LockUnavailable
from engage.events.access import event_or_404
from engage.extensions import db
from engage.forms import ConfirmForm, FieldError, show_field_error
from engage.registrations import services as registrations
from engage.registrations.models import Registration
from engage.registrations.services import AlreadyRegistered, RegistrationError, WorkshopFull

bp = Blueprint("attendee_record", __name__, url_prefix="/admin/events/<int:event_id>/attendees")

BUSY_MESSAGE = "Someone else is changing this event's registrations. Please try again."


def registration_or_404(event_id: int, registration_id: int) -> Registration:
    """The registration, if it belongs to an event the signed-in user may manage."""
    event = event_or_404(event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@dataclasses.dataclass
class Attempt:
    """What a form's service call came to: its result, or why not, for the page to show."""

    done: bool = False
    result: object = None
    problem: str | None = None  # shown above the form
    duplicate: Registration | None = None  # the booking an address already has


def attempt(form, work) -> Attempt:
    """Run a form's service call; named errors go by their fields or above the form."""
    try:
        return Attempt(done=True, result=work())
    except AlreadyRegistered as error:
        show_field_error(form, error)
        return Attempt(duplicate=error.registration)
    except FieldError as error:
        show_field_error(form, error)
    except RegistrationError as error:
        return Attempt(problem=error.message)
    except LockUnavailable:
        return Attempt(problem=BUSY_MESSAGE)
    return Attempt()


def _back(registration: Registration):
    return redirect(
        url_for(".show", event_id=registration.event_id, registration_id=registration.id)
    )


@bp.get("/<int:registration_id>")
@staff_required
def show(event_id: int, registration_id: int):
    """Everything the person gave, and what happened to their registration."""
    registration = registration_or_404(event_id, registration_id)
    return render_template(
        "attendees/record.html",
        event=registration.event,
        registration=registration,
        position=registrations.waitlist_position(registration),
        messages=services.emails_to(registration),
        has_place=registrations.has_place(registration.event),
        action_form=ConfirmForm(),
    )


@bp.route("/<int:registration_id>/details", methods=["GET", "POST"])
@staff_required
def details(event_id: int, registration_id: int):
    """Correct someone's name, email, organisation, role, category and requirements."""
    registration = registration_or_404(event_id, registration_id)
    form = CorrectDetailsForm(registration=registration)
    if request.method == "GET":
        form.category.data = registration.category.value
    outcome = Attempt()
    if registration.is_active and form.validate_on_submit():
        outcome = attempt(
            form,
            lambda: services.update_details(
                registration, form.to_details(), notify=not form.quiet.data
            ),
        )
        if outcome.done:
            flash(_saved(registration, outcome.result, form.quiet.data), "success")
            return _back(registration)
    return _page(
        "attendees/details.html",
        registration,
        form,
        outcome.problem,
        duplicate=outcome.duplicate,
    )


def _saved(registration: Registration, changed: list[str], quiet: bool) -> str:
    if not changed:
        return "Nothing was changed."
    told = "" if quiet else f" {registration.full_name} has been emailed about it."
    return f"Saved: {', '.join(changed)}.{told}"


@bp.route("/<int:registration_id>/workshops", methods=["GET", "POST"])
@staff_required
def workshops(event_id: int, registration_id: int):
    """Move someone between workshops; a full one only when the organiser says so."""
    registration = registration_or_404(event_id, registration_id)
    form = workshops_form(registration.event)
    if request.method == "GET":
        form.workshops.data = [w.id for w in registration.workshops]
    problem, full = None, False
    if registration.is_active and form.validate_on_submit():
        try:
            changed = services.change_workshops(
                registration,
                form.workshops.data or [],
                book_full=form.book_full.data,
                notify=not form.quiet.data,
            )
        except WorkshopFull as error:
            show_field_error(form, error)
            full = True  # offer to book them in all the same
        except FieldError as error:
            show_field_error(form, error)
        except RegistrationError as error:
            problem = error.message
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            flash(_workshops_saved(changed, form.quiet.data), "success")
            return _back(registration)
    return _page(
        "attendees/workshops.html",
        registration,
        form,
        problem,
        places=registrations.workshop_places_left(registration.event),
        offer_book_full=full or form.book_full.data,
    )


def _workshops_saved(changed: bool, quiet: bool) -> str:
    if not changed:
        return "Nothing was changed."
    return "Their workshops have been changed." + ("" if quiet else " They have been emailed.")


@bp.route("/<int:registration_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel(event_id: int, registration_id: int):
    """Confirm, then cancel on the person's behalf; the waiting list moves up."""
    registration = registration_or_404(event_id, registration_id)
    form = CancelForm()
    problem = None
    if registration.is_active and form.validate_on_submit():
        name = registration.full_name
        try:
            promoted = services.cancel_registration(registration, notify=not form.quiet.data)
        except RegistrationError as error:
            problem = error.message
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            message = f"{name}'s registration has been cancelled."
            if promoted:
                message += f" {len(promoted)} person(s) moved from the waiting list into places."
            flash(message, "success")
            return _back(registration)
    return _page("attendees/cancel.html", registration, form, problem)


@bp.post("/<int:registration_id>/promote")
@staff_required
def promote(event_id: int, registration_id: int):
    """Give someone on the waiting list a free place, out of turn."""
    registration = registration_or_404(event_id, registration_id)
    if ConfirmForm().validate_on_submit():
        _act(
            lambda: services.promote(registration),
            f"{registration.full_name} now has a place and has been emailed.",
        )
    return _back(registration)


@bp.post("/<int:registration_id>/resend")
@staff_required
def resend(event_id: int, registration_id: int):
    """Email the confirmation again, with a fresh self-service link."""
    registration = registration_or_404(event_id, registration_id)
    if ConfirmForm().validate_on_submit():
        _act(
            lambda: services.resend_confirmation(registration),
            f"The confirmation email has been sent again to {registration.email}.",
        )
    return _back(registration)


def _act(action, done: str) -> None:
    # A one-button action: its outcome, or why it was refused, shown on the record.
    try:
        action()
    except RegistrationError as error:
        flash(error.message, "error")
    except LockUnavailable:
        flash(BUSY_MESSAGE, "error")
    else:
        flash(done, "success")


def _page(template: str, registration: Registration, form, problem, **context):
    return render_template(
        template,
        event=registration.event,
        registration=registration,
        form=form,
        problem=problem,
        **context,
    )


from engage.attendees import add  # noqa: E402,F401 - its route joins this blueprint
