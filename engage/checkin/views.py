"""The check-in desk: one box for names and codes, the check-in buttons, walk-ins, the QR link.

The desk's answers are rendered straight from the POST, not redirected: one
round trip on venue Wi-Fi, and check-in is idempotent, so a repeated POST only
says "already checked in".
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from engage.access import staff_required
from engage.attendees.record import BUSY_MESSAGE, registration_or_404
from engage.checkin import rooms, services, walk_ins
from engage.checkin.forms import BOX_MAX, CheckInForm, DeskForm, WalkInForm
from engage.checkin.services import CheckInRefused, NoPlaceFree
from engage.db import LockUnavailable
from engage.events.access import can_manage_event, event_or_404
from engage.events.models import Event
from engage.forms import FieldError, show_field_error
from engage.registrations import services as registrations
from engage.registrations.models import CheckInSource
from engage.registrations.services import AlreadyRegistered, RegistrationError

bp = Blueprint("checkin", __name__)

DESK = "/admin/events/<int:event_id>/check-in"
# The desk may use the camera to read QR codes; every other page keeps it off.
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"


def _workshop(event: Event):
    """The workshop chosen with ?workshop=, if it is one of the event's."""
    wanted = request.args.get("workshop", "")
    return next((w for w in event.workshops if str(w.id) == wanted), None)


def _room(event: Event):
    """The workshop whose room the desk checks people into (?workshop=<id>&room=1), or None."""
    return _workshop(event) if request.args.get("room") == "1" else None


def _workshop_or_404(event: Event, session_id: int):
    """One of the event's workshops, or 404."""
    workshop = next((w for w in event.workshops if w.id == session_id), None)
    if workshop is None:
        abort(404)
    return workshop


def _attempt(action):
    """The action's result, or the refusal to show in its place."""
    try:
        return action()
    except CheckInRefused as refused:
        return refused
    except LockUnavailable:
        return CheckInRefused(BUSY_MESSAGE)


def _results(event: Event, text: str, workshop):
    """Who the box's text finds: the holder of a code typed in (read only), or a search."""
    if not text:
        return [], 0
    if code := services.code_in(text):
        try:
            return [services.by_code(event, code, current_user)], 1
        except CheckInRefused:
            return [], 0
    return services.search(event, text, workshop)


def _desk(event: Event, form: DeskForm, *, outcome=None, text: str = "", room=None, confirmed=()):
    """The desk page: totals, the box, what just happened, and who the search found.

    In room mode the search covers the whole event: someone at the wrong door
    must be found, to be told where they are booked.
    """
    room = room or _room(event)
    workshop = room or _workshop(event)
    results, found = _results(event, text, None if room else workshop)
    context = {
        "event": event,
        "workshop": workshop,
        "room": room,
        "results": results,
        "found": found,
        "searched": bool(text),
        "in_room": rooms.in_room(room, [r.id for r in results]) if room else {},
        "confirmed": list(confirmed),
    }
    if request.args.get("partial") == "results":
        # The results alone, for the page's script to put in place as the box is typed in.
        return render_template("checkin/_results.html", **context)
    page = render_template(
        "checkin/desk.html",
        form=form,
        outcome=outcome,
        totals=services.totals(event),
        workshop_totals=services.totals(event, workshop) if workshop and not room else None,
        room_totals=rooms.room_totals(room) if room else None,
        **context,
    )
    response = current_app.make_response(page)
    response.headers["Permissions-Policy"] = CAMERA_ALLOWED
    return response


@bp.route(DESK, methods=["GET", "POST"])
@staff_required
def desk(event_id: int):
    """The desk. A GET searches (?q=), changing nothing; the box's POST checks a code in."""
    event = event_or_404(event_id)
    form = DeskForm()
    if request.method == "GET":
        text = request.args.get("q", "").strip()[:BOX_MAX]
        form.q.data = text
        return _desk(event, form, text=text)
    if not form.validate_on_submit():
        return _desk(event, form)
    text = form.q.data or ""
    code = services.code_in(text)
    if code is None:
        return _desk(event, form, text=text)
    if room := _room(event):
        outcome = _attempt(lambda: rooms.check_in_to_room(event, room, code=code, by=current_user))
    else:
        outcome = _attempt(
            lambda: services.check_in(event, code=code, by=current_user, source=CheckInSource.CODE)
        )
    form.q.data = ""  # empty for the next person
    return _desk(event, form, outcome=outcome)


def _act_on_person(event_id: int, registration_id: int, act):
    """Run one person's check-in or undo from a posted button; back where it was pressed."""
    registration = registration_or_404(event_id, registration_id)
    event = registration.event
    form = CheckInForm()
    from_record = bool(form.from_record.data)
    source = CheckInSource.RECORD if from_record else CheckInSource.SEARCH
    outcome = _attempt(lambda: act(event, form, source)) if form.validate_on_submit() else None
    if from_record:
        return _back_to_record(registration, outcome)
    return _desk(event, DeskForm(formdata=None), outcome=outcome)


@bp.post(DESK + "/<int:registration_id>")
@staff_required
def check_in(event_id: int, registration_id: int):
    """Check in one person from the search results or their record, confirmations and all."""
    return _act_on_person(
        event_id,
        registration_id,
        lambda event, form, source: services.check_in(
            event,
            registration_id=registration_id,
            by=current_user,
            source=source,
            anyway=bool(form.anyway.data),
            over_capacity=bool(form.over_capacity.data),
        ),
    )


@bp.post(DESK + "/<int:registration_id>/undo")
@staff_required
def undo(event_id: int, registration_id: int):
    """Undo a check-in made by mistake."""
    return _act_on_person(
        event_id,
        registration_id,
        lambda event, _form, source: services.undo_check_in(
            event, registration_id=registration_id, by=current_user, source=source
        ),
    )


ROOM = DESK + "/rooms/<int:session_id>/<int:registration_id>"


@bp.post(ROOM)
@staff_required
def room_check_in(event_id: int, session_id: int, registration_id: int):
    """Check one person into a workshop's room (and the event, if not yet); confirmations too."""
    registration = registration_or_404(event_id, registration_id)
    event = registration.event
    workshop = _workshop_or_404(event, session_id)
    form = CheckInForm()
    outcome = None
    if form.validate_on_submit():
        outcome = _attempt(
            lambda: rooms.check_in_to_room(
                event,
                workshop,
                registration_id=registration_id,
                by=current_user,
                anyway=bool(form.anyway.data),
                over_capacity=bool(form.over_capacity.data),
                add_to_workshop=bool(form.add_to_workshop.data),
                over_places=bool(form.over_places.data),
            )
        )
    return _desk(
        event, DeskForm(formdata=None), outcome=outcome, room=workshop, confirmed=form.confirmed()
    )


@bp.post(ROOM + "/undo")
@staff_required
def room_undo(event_id: int, session_id: int, registration_id: int):
    """Take someone out of a workshop's room, checked in there by mistake."""
    registration = registration_or_404(event_id, registration_id)
    event = registration.event
    workshop = _workshop_or_404(event, session_id)
    outcome = None
    if CheckInForm().validate_on_submit():
        outcome = _attempt(
            lambda: rooms.undo_room_check_in(
                event, workshop, registration_id=registration_id, by=current_user
            )
        )
    return _desk(event, DeskForm(formdata=None), outcome=outcome, room=workshop)


def _back_to_record(registration, outcome):
    """Say what happened on the attendee's record page."""
    if isinstance(outcome, CheckInRefused):
        flash(outcome.message, "error")
    elif outcome is not None:
        flash(_told(outcome), "success")
    return redirect(
        url_for(
            "attendee_record.show",
            event_id=registration.event_id,
            registration_id=registration.id,
        )
    )


def _told(result: services.CheckInResult) -> str:
    name = result.registration.full_name
    if result.undone:
        return f"{name} was not checked in." if result.already else f"{name}'s check-in is undone."
    if result.already:
        return f"{name} was already checked in."
    return f"{name} is checked in."


@bp.route(DESK + "/walk-in", methods=["GET", "POST"])
@staff_required
def walk_in(event_id: int):
    """Register someone who turned up, and check them in at once."""
    event = event_or_404(event_id)
    form = WalkInForm()
    problem = duplicate = None
    if not event.is_cancelled and form.validate_on_submit():
        try:
            result = walk_ins.register_walk_in(
                event, form.to_walk_in(), by=current_user, over_capacity=form.over_capacity.data
            )
        except AlreadyRegistered as error:
            show_field_error(form, error)
            duplicate = error.registration
        except NoPlaceFree as refused:
            show_field_error(form, FieldError(refused.message, "over_capacity"))
        except FieldError as error:
            show_field_error(form, error)
        except (CheckInRefused, RegistrationError) as refused:
            problem = refused.message
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            registration = result.registration
            emailed = " Their confirmation is on its way by email." if registration.email else ""
            flash(f"{registration.full_name} is registered and checked in.{emailed}", "success")
            return redirect(url_for(".desk", event_id=event.id))
    return render_template(
        "checkin/walk_in.html",
        event=event,
        form=form,
        problem=problem,
        duplicate=duplicate,
        has_place=registrations.has_place(event),
    )


@bp.route("/c/<code>", methods=["GET", "POST"])
@staff_required
def by_link(code: str):
    """The QR code's link, opened by any QR app: who it is, and a Check in button, after sign-in."""
    registration = services.registration_for_code(code)
    if registration is None or not can_manage_event(current_user, registration.event):
        # The same answer for a made-up code and another organiser's attendee.
        return render_template("checkin/unknown_code.html"), 404
    event = registration.event
    form = CheckInForm()
    outcome = None
    if request.method == "POST" and form.validate_on_submit():
        outcome = _attempt(
            lambda: services.check_in(
                event,
                registration_id=registration.id,
                by=current_user,
                source=CheckInSource.LINK,
                anyway=bool(form.anyway.data),
                over_capacity=bool(form.over_capacity.data),
            )
        )
    return render_template(
        "checkin/link.html",
        event=event,
        registration=registration,
        outcome=outcome or services.why_not(registration),
        totals=services.totals(event),
    )
