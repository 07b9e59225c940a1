"""The report pages: one event's (its organisers and admins), and reach across events."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from engage.access import staff_required
from engage.events.access import event_or_404
from engage.reports import charts
from engage.reports.figures import event_report
from engage.reports.overview import overview

bp = Blueprint("reports", __name__, url_prefix="/admin")
bp.add_app_template_filter(charts.short, "chart_label")


def chosen_year(value: str | None) -> int | None:
    """The year asked for in ?year=, or None (every year) for anything else."""
    if value and value.isdigit() and len(value) == 4:
        return int(value)
    return None


@bp.get("/events/<int:event_id>/report")
@staff_required
def event(event_id: int):
    """The event's report of reach: bookings, who came, from where, and what they thought."""
    found = event_or_404(event_id)
    report = event_report(found)
    line = charts.line([(day, so_far) for day, _, so_far in report.over_time])
    return render_template("reports/event.html", event=found, report=report, line=line)


@bp.get("/reports")
@staff_required
def index():
    """Reach across the events the user may see (admins: all), for one year or every year."""
    found = overview(current_user, chosen_year(request.args.get("year")))
    return render_template("reports/index.html", overview=found)
