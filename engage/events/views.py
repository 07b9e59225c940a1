"""Public event pages: the list, one event, and calendar downloads."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from engage import pagecache
from engage.events import calendar, services
from engage.events.contact import event_contact, join_details_html
from engage.events.resources import has_ended, host_of, preload
from engage.events.services import EventNotFound

bp = Blueprint("events", __name__, url_prefix="/events")
# Pages and emails alike name the event's contact, and show joining links, through these.
bp.add_app_template_global(event_contact)
bp.add_app_template_global(join_details_html)


@bp.app_context_processor
def _template_helpers():
    # The event page and the attendee's own page show resources through these.
    return {"event_has_ended": has_ended, "link_host": host_of}


def _load(slug: str):
    try:
        return services.get_published(slug)
    except EventNotFound:
        abort(404)


@bp.get("/")
def index():
    """Upcoming and past events."""
    return render_template("events/index.html", upcoming=services.upcoming(), past=services.past())


@bp.get("/<slug>")
@pagecache.for_visitors
def detail(slug: str):
    """One event: when, where, the programme and how to book."""
    event = _load(slug)
    if has_ended(event):
        preload(event)  # the page lists every session's resources once the day is over
    availability = services.availability(event)
    return render_template("events/detail.html", event=event, availability=availability)


@bp.get("/<slug>/calendar.ics")
def event_ics(slug: str):
    """The event as an iCalendar file, for "Add to calendar" (none once it is cancelled)."""
    event = _load(slug)
    if event.is_cancelled:
        abort(404)
    body = calendar.calendar([event], method="PUBLISH")
    return _ics_response(body, f"{event.slug}.ics")


@bp.get("/calendar.ics")
def feed_ics():
    """A subscribable iCalendar feed of upcoming events."""
    name = f"{current_app.config['SITE_NAME']} events"
    return _ics_response(calendar.calendar(services.upcoming(), name=name), "events.ics")


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
