"""An event's report: exact counts from a known set of registrations, live and after the purge."""

from __future__ import annotations

import datetime as dt
import re

import time_machine

from engage.accounts.models import Role
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.retention import purge
from engage.reports.figures import event_report
from tests.reports.conftest import AFTER, PURGED

EXPECTED = {
    "registrations": 8,
    "confirmed": 6,
    "checked_in": 3,
    "no_shows": 3,
    "waiting_list_peak": 2,
    "organisations_count": 3,
}


def _report(app, event_id):
    with app.app_context():
        return event_report(db.session.get(Event, event_id))


def _check(report):
    for name, value in EXPECTED.items():
        assert getattr(report, name) == value, name
    assert report.attendance_rate == 0.5
    assert report.over_time == [
        (dt.date(2026, 11, 1), 3, 3),
        (dt.date(2026, 11, 3), 3, 6),
        (dt.date(2026, 11, 5), 2, 8),
    ]
    assert report.categories == [
        ("Police officer", 3),
        ("Police staff", 0),
        ("Academic or researcher", 2),
        ("Other partner", 1),
    ]
    assert report.organisations == [
        ("Northbridge Police", 3),
        ("University of Leeds", 2),
        ("Not given", 1),
    ]
    # The cancelled booking on Workshop A does not count.
    assert [(w.title, w.booked, w.capacity) for w in report.workshops] == [
        ("Workshop A", 2, 10),
        ("Workshop B", 1, None),
    ]


def test_the_figures_from_a_known_set_of_registrations(app, known):
    world = known()
    report = _report(app, world.event_id)
    assert not report.kept
    _check(report)
    # The feedback scores are the results page's own: (5 + 3) / 2, and the plenary's 4s.
    assert [(s.label, s.average, s.ratings) for s in report.question_scores] == [
        ("How was the day overall?", 4.0, 2)
    ]
    assert [(s.label, s.average, s.ratings) for s in report.session_scores] == [
        ("Opening plenary", 4.0, 2)
    ]
    assert report.feedback.answered == 2


def test_after_the_purge_the_report_shows_the_kept_counts(app, known):
    world = known()
    with app.app_context(), time_machine.travel(PURGED, tick=False):
        assert purge().registrations == 8
    report = _report(app, world.event_id)
    assert report.kept
    _check(report)


def test_the_top_organisations_are_twenty(app, known, survey_event):
    """Twenty-five organisations: the twenty largest are shown, all are counted."""
    from tests.feedback.conftest import people

    world = known()
    with app.app_context():
        event = db.session.get(Event, world.event_id)
        db.session.expunge(event)
    for n in range(25):
        people(app, event, 1, start=100 + n, organisation=f"Force {n:02d}")
    report = _report(app, world.event_id)
    assert len(report.organisations) == 20 and report.organisations_count == 28
    assert report.organisations[0] == ("Northbridge Police", 3)


def _svgs_and_tables(page: str) -> tuple[int, int]:
    return len(re.findall(r"<svg\b", page)), len(re.findall(r'<table class="chart__table"', page))


def test_the_page_has_a_chart_and_a_table_for_each_figure(app, client, known, make_user, login_as):
    world = known()
    admin = make_user(role=Role.ADMIN)
    with time_machine.travel(AFTER, tick=False):
        login_as(client, admin)  # signed in on the day, as the session's age is checked
        page = client.get(f"/admin/events/{world.event_id}/report").get_data(as_text=True)
    # Over time, categories, organisations, workshops, question scores, session scores.
    assert _svgs_and_tables(page) == (6, 6)
    assert "<dt>Attendance rate</dt><dd>50% (checked in of confirmed)</dd>" in page
    assert "<td>Northbridge Police</td><td>3</td>" in page
    assert "<td>Workshop A</td><td>2</td><td>10</td>" in page
    assert "have been deleted" not in page
    with app.app_context(), time_machine.travel(PURGED, tick=False):
        purge()
    with time_machine.travel(PURGED, tick=False):
        login_as(client, admin)
        page = client.get(f"/admin/events/{world.event_id}/report").get_data(as_text=True)
    assert "have been deleted at the end of the retention period" in page
    assert "<td>Northbridge Police</td><td>3</td>" in page
    assert "<dt>Confirmed</dt><dd>6</dd>" in page


def test_the_event_page_links_its_report(app, client, known, make_user, login_as):
    world = known()
    login_as(client, make_user(role=Role.ADMIN))
    page = client.get(f"/admin/events/{world.event_id}/").get_data(as_text=True)
    assert f'href="/admin/events/{world.event_id}/report"' in page


def test_the_line_is_placed_by_date():
    """Three days, the third a week after the second: its point sits far to the right."""
    from engage.reports.charts import line

    shape = line([(dt.date(2027, 1, 1), 1), (dt.date(2027, 1, 2), 2), (dt.date(2027, 1, 9), 4)])
    xs = [float(point.split(",")[0]) for point in shape.points.split()]
    assert xs == [40.0, 97.5, 500.0] and shape.top == 4
    assert line([]).points == "" and len(line([(dt.date(2027, 1, 1), 3)]).points.split()) == 2
