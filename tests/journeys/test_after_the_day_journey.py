"""Issue 14's journey after the day, in a real browser, from the email at the real SMTP sink.

The event ended yesterday (set by its data, not by waiting). The survey job runs
and the worker delivers; the attendee opens the survey from the email, answers
it and downloads the certificate from the same email's link. The organiser signs
in and opens the survey's results and the event's report: every chart is drawn
with its table, and every page is axe-clean.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import insert

from engage.events.models import EventSession, SessionKind, event_organisers
from engage.extensions import db
from engage.feedback import sending
from engage.feedback.models import Survey
from engage.mail.worker import deliver_due
from engage.registrations.models import AttendeeCategory
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations
from tests.feedback.conftest import people, questions
from tests.mail.messages_helpers import text

pytestmark = pytest.mark.browser

SURVEY = re.compile(r"https?://[^/\s]+(/feedback/[A-Za-z0-9_-]+)")
CERTIFICATE = re.compile(r"https?://[^/\s]+(/registrations/[A-Za-z0-9_-]+/certificate\.pdf)")
# Over time, by category, organisations, workshop fill, questions' and sessions' scores.
CHARTS = 6


def _past_event(app, make_event, now: dt.datetime):
    """An Engagement Day that ended yesterday, with a plenary and a workshop, and a survey."""
    start = now - dt.timedelta(days=1, hours=8)
    event = make_event(
        title="Engagement Day",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=7),
        sessions=[
            EventSession(
                kind=SessionKind.PLENARY,
                title="Opening plenary",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            ),
            EventSession(
                kind=SessionKind.WORKSHOP,
                title="Workshop A",
                starts_at=start + dt.timedelta(hours=2),
                ends_at=start + dt.timedelta(hours=3),
                capacity=12,
            ),
        ],
    )
    with app.app_context():
        survey = Survey(event_id=event.id, is_enabled=True, rate_sessions=True)
        survey.questions.extend(questions())
        db.session.add(survey)
        db.session.commit()
    came = {
        "checked_in_at": start + dt.timedelta(minutes=10),
        "created_at": start - dt.timedelta(days=20),
    }
    people(app, event, 1, first_name="Ana", organisation="Northbridge Police", **came)
    people(
        app,
        event,
        2,
        start=1,
        organisation="University of Leeds",
        category=AttendeeCategory.ACADEMIC,
        created_at=start - dt.timedelta(days=10),
    )
    return event


def test_after_the_day_from_the_email_to_the_report(
    app, mail_app, smtp_server, live_server, page, make_event, make_user
):
    now = dt.datetime.now(dt.UTC)
    event = _past_event(app, make_event, now)
    organiser = make_user("organiser@example.org", password=TEST_PASSWORD)
    with app.app_context():
        db.session.execute(
            insert(event_organisers), [{"event_id": event.id, "user_id": organiser.id}]
        )
        db.session.commit()

    with mail_app.app_context():
        # Only Ana was checked in, so only she is asked.
        assert sending.send_due(now=now) == (1, 0)
        assert deliver_due().sent == 1
    message = smtp_server.received[-1].message
    body = text(message)
    assert message["To"] == "person0@example.org"

    page.goto(live_server.url + SURVEY.search(body)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback on Engagement Day")
    assert violations(page) == []
    fours = page.get_by_label("4", exact=True)
    for radio in fours.all():  # the day overall, and each session offered
        radio.check()
    assert fours.count() == 2
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert violations(page) == []

    pdf = page.request.get(live_server.url + CERTIFICATE.search(body)[1])
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    words = " ".join(PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text().split())
    assert "Ana Test" in words and "Engagement Day" in words

    browser_sign_in(page, live_server.url, "organiser@example.org", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{event.id}/")
    page.get_by_role("link", name="Feedback survey after the event").click()
    page.goto(f"{live_server.url}/admin/events/{event.id}/feedback/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback results")
    expect(page.locator("svg")).not_to_have_count(0)
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/events/{event.id}/")
    page.get_by_role("link", name="Report on Engagement Day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Engagement Day")
    charts = page.locator("div.chart")
    expect(charts).to_have_count(CHARTS)
    for index in range(CHARTS):
        chart = charts.nth(index)
        expect(chart.locator("svg[role=img]")).to_have_count(1)
        expect(chart.locator("table caption")).to_have_count(1)
    summary = page.locator("dl.summary-list").inner_text()
    assert "33%" in summary  # one of three confirmed people came
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    # Reach across the organiser's events: events per year, and attendees by event.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Admin").first.click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.locator("div.chart svg[role=img]")).to_have_count(2)
    expect(page.locator("div.chart table caption")).to_have_count(2)
    assert "Engagement Day" in page.locator("table.data").inner_text()
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
