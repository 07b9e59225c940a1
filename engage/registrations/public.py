"""Attendee pages: the registration form, its confirmation, and the self-service link."""

from __future__ import annotations

import contextlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from engage.accounts.throttle import ThrottleUnavailable
from engage.db import LockUnavailable, utcnow
from engage.events import services as events
from engage.events.contact import event_contact
from engage.events.services import EventNotFound
from engage.formcache import kept_blank_form
from engage.forms import show_field_error
from engage.registrations import consents, emails, limits, services
from engage.registrations.attachments import checkin_link, checkin_qr_svg
from engage.registrations.forms import change_form, registration_form
from engage.registrations.link_form import LinkAgainForm
from engage.registrations.models import Registration, RegistrationStatus
from engage.registrations.services import (
    ConsentNeeded,
    RegistrationError,
    RegistrationNotFound,
    WorkshopError,
)
from engage.registrations.summary import told_us
from engage.timefmt import clock_time, date_and_time, local, zone_label

bp = Blueprint("registrations", __name__)
# The summary macro (imported without the page's context) reads the rows through this.
bp.add_app_template_global(told_us)

BUSY_MESSAGE = "Lots of people are registering right now. Please try again in a moment."
HONEYPOT_MESSAGE = (
    "Your registration was not sent because the field marked “Leave this field empty” "
    "was filled in. Please leave it blank and try again."
)
LAST_REGISTRATION = "last_registration"
NEEDS_FIELDS = ("dietary_requirements", "dietary_consent", "access_requirements", "access_consent")


TOO_MANY_BOOKINGS = (
    "Too many bookings have been made from this connection or for this email address "
    "in the last hour. Nothing has been booked. You can try again after {time}."
)
TOO_MANY_LINKS = "You have asked for a link too many times. You can try again after {time}."


def _try_again(event, at) -> str:
    """'3:41pm (UK time)' in the event's zone, with the day if it is not today there."""
    if local(at, event.timezone).date() != local(utcnow(), event.timezone).date():
        return date_and_time(at, event.timezone)
    return f"{clock_time(at, event.timezone)} ({zone_label(event.timezone)})"


def _blocked_until(limit, email: str):
    # Booking stays open if the shared counters cannot be reached (as the README says).
    try:
        return limits.blocked_until(limit, request.remote_addr, email)
    except ThrottleUnavailable:
        return None


def _count(limit, email: str) -> None:
    # A booking must not turn into an error page because counting failed (Redis away).
    with contextlib.suppress(ThrottleUnavailable):
        limits.count(limit, request.remote_addr, email)


@bp.app_context_processor
def _template_helpers():
    # The event page shows workshop places left through this.
    return {"workshop_places_left": services.workshop_places_left}


def _event(slug: str):
    try:
        return events.get_published(slug)
    except EventNotFound:
        abort(404)


def _private(response):
    # Personal data and secret links: never cached, never leaked to another site in a
    # Referer. "same-origin", not "no-referrer": over HTTPS Flask-WTF's CSRF check
    # refuses a form post that carries no Referer from this site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    """The registration form; a valid submission books a place or joins the waiting list."""
    event = _event(slug)
    availability = events.availability(event)
    if not availability.can_register:
        return render_template("registrations/closed.html", event=event, availability=availability)
    if request.method != "POST":
        return _blank_register_page(event, availability)
    form = registration_form(event)
    problem = None
    status = 200
    if form.website.data:
        problem = HONEYPOT_MESSAGE
    elif form.validate_on_submit():
        # Only completed bookings count: a form sent back with errors costs nothing.
        if retry := _blocked_until(limits.bookings(), form.email.data):
            problem = TOO_MANY_BOOKINGS.format(time=_try_again(event, retry))
            status = 429
            return _register_page(event, form, availability, problem, status)
        email, event_id = form.email.data, event.id  # read before the commit expires them
        try:
            result = services.register(
                event, form.to_data(), also=lambda: _count(limits.bookings(), email)
            )
        except WorkshopError as error:
            form.workshops.errors.append(error.message)
        except RegistrationError as error:
            problem = error.message
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            # The same receipt whether this booked a place or the address was
            # registered already (and was emailed its link): nothing in the
            # page or the session cookie tells the two apart.
            session[LAST_REGISTRATION] = {
                "event_id": event_id,
                "email": result.email,
                "status": result.status.value,
                "position": result.position,
            }
            return redirect(url_for(".confirmation", slug=slug))
    return _register_page(event, form, availability, problem, status)


# What the blank form is drawn from; what it shows of bookings is in its key.
FORM_TABLES = frozenset(
    {"events", "event_sessions", "event_questions", "organisations", "consent_wordings"}
)


def _blank_register_page(event, availability):
    places = services.workshop_places_left(event)
    return kept_blank_form(
        ("register", event.id, availability.state.value, tuple(sorted(places.items()))),
        FORM_TABLES,
        lambda: _register_page(event, registration_form(event), availability, None, 200, places),
    )


def _register_page(event, form, availability, problem, status, places=None):
    page = render_template(
        "registrations/register.html",
        event=event,
        form=form,
        availability=availability,
        problem=problem,
        places=services.workshop_places_left(event) if places is None else places,
    )
    return _private(current_app.make_response((page, status)))


@bp.route("/events/<slug>/link", methods=["GET", "POST"])
def link_again(slug: str):
    """Email me my link again: the same answer whether or not the address is booked."""
    event = _event(slug)
    form = LinkAgainForm()
    problem = None
    status = 200
    sent = False
    if form.validate_on_submit():
        limit = limits.link_requests()
        if retry := limits.blocked_until(limit, request.remote_addr, form.email.data):
            problem = TOO_MANY_LINKS.format(time=_try_again(event, retry))
            status = 429
        else:
            limits.count(limit, request.remote_addr, form.email.data)
            services.send_link_again(event, form.email.data)
            sent = True
    page = render_template(
        "registrations/link_again.html", event=event, form=form, problem=problem, sent=sent
    )
    return _private(current_app.make_response((page, status)))


@bp.get("/events/<slug>/registered")
def confirmation(slug: str):
    """What happens next, after Post/Redirect/Get: only what this browser just sent."""
    event = _event(slug)
    receipt = session.get(LAST_REGISTRATION) or {}
    if receipt.get("event_id") != event.id or "status" not in receipt:
        return redirect(url_for("events.detail", slug=event.slug))
    return _private(
        current_app.make_response(
            render_template(
                "registrations/confirmation.html",
                event=event,
                email=receipt.get("email", ""),
                waiting=receipt["status"] == RegistrationStatus.WAITLISTED.value,
                position=receipt.get("position"),
            )
        )
    )


def _by_token(token: str) -> Registration:
    """The registration a self-service link names: 404 if none, 410 once the link has expired."""
    try:
        registration = services.get_by_token(token)
    except RegistrationNotFound:
        # Says where to get a working link, and nothing about any registration.
        page = render_template("registrations/link_invalid.html")
        abort(_private(current_app.make_response((page, 404))))
    if services.link_expired(registration):
        abort(_link_expired(registration.event))
    return registration


def _link_expired(event):
    # Says what to do next, and nothing about the registration itself.
    page = render_template(
        "registrations/link_expired.html", event=event, contact=event_contact(event)
    )
    return _private(current_app.make_response((page, 410)))


@bp.get("/registrations/<token>")
def manage(token: str):
    """The attendee's own view of their registration."""
    registration = _by_token(token)
    return _private(
        current_app.make_response(
            render_template(
                "registrations/manage.html",
                registration=registration,
                event=registration.event,
                token=token,
                position=services.waitlist_position(registration),
                changeable=services.is_changeable(registration),
                holds_place=services.holds_place(registration),
                checkin_qr=_checkin_qr(registration),
                map_url=events.map_url(registration.event),
                withdrawable=[
                    kind.value
                    for kind in consents.NEED_KINDS
                    if consents.can_withdraw(registration, kind)
                ],
            )
        )
    )


@bp.get("/registrations/<token>/calendar.ics")
def calendar(token: str):
    """This person's own calendar invitation, the one their confirmation email carried."""
    registration = _by_token(token)
    # Waiting, cancelled, or the event called off: no place to put in a calendar.
    if not services.holds_place(registration):
        abort(404)
    invite = emails.personal_invitation(registration)
    response = current_app.response_class(invite.data, content_type=invite.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{invite.filename}"'
    return _private(response)


def _checkin_qr(registration: Registration) -> Markup | None:
    # Only a confirmed place, at an event still on, has a code worth showing at the desk.
    if not services.holds_place(registration):
        return None
    # segno's own markup of our link and a random hex code: no text from anyone in it.
    svg = checkin_qr_svg(checkin_link(registration.checkin_code))
    return Markup(svg)  # noqa: S704


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    """Change workshops, answers and needs (each with its consent); capacity rules still apply."""
    registration = _by_token(token)
    event = registration.event
    if not services.is_changeable(registration):
        flash("This registration can no longer be changed.", "error")
        return _private(redirect(url_for(".manage", token=token)))
    form = change_form(event)
    if request.method == "GET":
        form.workshops.data = [w.id for w in registration.workshops]
        for question, name in form.question_fields:
            form[name].data = registration.answer_for(question)
        for name in NEEDS_FIELDS:
            form[name].data = getattr(registration, name)
    problem = None
    if form.validate_on_submit():
        try:
            services.change(registration, form.to_data())
        except (WorkshopError, ConsentNeeded) as error:
            show_field_error(form, error)
        except RegistrationError as error:
            problem = error.message
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            flash("Your registration has been updated.", "success")
            return _private(redirect(url_for(".manage", token=token)))
    return _private(
        current_app.make_response(
            render_template(
                "registrations/edit.html",
                registration=registration,
                event=event,
                form=form,
                token=token,
                problem=problem,
                places=services.workshop_places_left(event),
            )
        )
    )


def cancel(token: str):
    """Confirm, then cancel a place or leave the waiting list."""
    registration = _by_token(token)
    if not registration.is_active:
        return _private(redirect(url_for(".manage", token=token)))
    problem = None
    if request.method == "POST":
        was_waiting = registration.status == RegistrationStatus.WAITLISTED
        try:
            services.cancel(registration)
        except LockUnavailable:
            problem = BUSY_MESSAGE
        else:
            flash(
                "You have left the waiting list."
                if was_waiting
                else "Your place has been cancelled. Thank you for letting us know.",
                "success",
            )
            return _private(redirect(url_for(".manage", token=token)))
    return _private(
        current_app.make_response(
            render_template(
                "registrations/cancel.html",
                registration=registration,
                event=registration.event,
                token=token,
                problem=problem,
            )
        )
    )


bp.add_url_rule("/registrations/<token>/cancel", "cancel", cancel, methods=["GET", "POST"])
bp.add_url_rule(
    "/registrations/<token>/leave-waiting-list", "leave_waitlist", cancel, methods=["GET", "POST"]
)

from engage.registrations import withdrawal  # noqa: E402,F401 - its route joins this blueprint
