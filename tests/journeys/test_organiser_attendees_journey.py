"""An organiser answers "who is in workshop A?" and acts on it, in a real browser, with real mail.

Issue 10's proof: filter the list to one workshop, export it as Excel and CSV and
open both, correct one person's details, email that workshop and see it
delivered, and cancel one person, whose waiting-list successor is promoted and
emailed. The mail worker runs in-process between steps (as `engage worker
--once` would) and delivers to a real SMTP server.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.mail.worker import deliver_due
from engage.registrations.models import Registration, RegistrationStatus
from tests.conftest import TEST_PASSWORD, LiveServer, browser_sign_in
from tests.registrations.conftest import book, workshop

pytestmark = pytest.mark.browser


@pytest.fixture
def site(mail_app, make_event, make_user):
    """An event of 3 places: Ada and Cat in workshop A, Bob in B, Dan waiting; its organiser."""
    event = make_event(
        title="Engagement Day",
        capacity=3,
        sessions=[workshop("Workshop A", 11, capacity=5), workshop("Workshop B", 14, capacity=5)],
    )
    organiser = make_user("nia@example.org", name="Nia Organiser", password=TEST_PASSWORD)
    with mail_app.app_context():
        db.session.execute(
            event_organisers.insert().values(event_id=event.id, user_id=organiser.id)
        )
        db.session.commit()
        a, b = (w.id for w in db.session.get(Event, event.id).workshops)
        for first, last, choice in (
            ("Ada", "Lovelace", a),
            ("Cat", "Adams", a),
            ("Bob", "Brown", b),
            ("Dan", "Dune", b),
        ):
            book(event, email=f"{first.lower()}@example.org", first_name=first, last_name=last,
                 workshop_ids=[choice])  # fmt: skip
        deliver_due()  # the confirmations, out of the way
    server = LiveServer(mail_app).start()
    yield event, server
    server.stop()


def _deliver(app) -> None:
    with app.app_context():
        deliver_due()


def _received(smtp_server, since: int) -> list[tuple[str, str]]:
    """(recipient, subject) of each message that arrived after the first `since`."""
    return sorted((r.rcpt_tos[0], r.message["Subject"]) for r in smtp_server.received[since:])


def test_organiser_filters_exports_corrects_emails_and_cancels(
    mail_app, smtp_server, page, site, tmp_path
):
    event, server = site
    base = server.url
    browser_sign_in(page, base, "nia@example.org", TEST_PASSWORD)

    # Who is in workshop A?
    page.goto(f"{base}/admin/events/{event.id}/")
    page.get_by_role("link", name="Attendee list").click()
    page.get_by_label("Workshop").select_option(label="Workshop A")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="2 of 4 registrations match")).to_be_visible()
    assert "workshop=" in page.url
    filtered = page.url

    # Export it, as Excel and as CSV, and open both.
    page.get_by_role("link", name="Export this list").click()
    page.get_by_label("Excel").check()
    with page.expect_download() as excel:
        page.get_by_role("button", name="Download the export").click()
    assert excel.value.suggested_filename.endswith(".xlsx")
    excel.value.save_as(tmp_path / "workshop-a.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "workshop-a.xlsx", read_only=True).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    page.get_by_label("CSV").check()
    with page.expect_download() as plain:
        page.get_by_role("button", name="Download the export").click()
    text = open(plain.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert names == sorted(row[0] for row in rows) == ["Ada Lovelace", "Cat Adams"]

    # Correct Ada's organisation; she is told.
    sent = len(smtp_server.received)
    page.goto(filtered)
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Correct their details").click()
    page.get_by_label("Their organisation").fill("Kent Police")  # she typed hers (Other)
    page.get_by_role("button", name="Save their details").click()
    expect(page.get_by_text("Kent Police").first).to_be_visible()
    _deliver(mail_app)
    assert [to for to, _ in _received(smtp_server, sent)] == ["ada@example.org"]

    # Email workshop A: exactly its two people get it, each once.
    sent = len(smtp_server.received)
    page.goto(filtered)
    page.get_by_role("link", name="Email these people").click()
    page.get_by_label("Subject").fill("Room change for Workshop A")
    page.get_by_label("Message").fill("Dear {first_name}, Workshop A moves to room 2.")
    page.get_by_role("button", name="Send to 2 people").click()
    page.get_by_text("Your message is being sent to 2 people.").wait_for()
    _deliver(mail_app)
    assert _received(smtp_server, sent) == [
        ("ada@example.org", "Room change for Workshop A"),
        ("cat@example.org", "Room change for Workshop A"),
    ]
    page.get_by_role("link", name="Check the progress again").click()
    expect(page.get_by_role("row", name="Sent 2", exact=True)).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Finished")).to_be_visible()

    # Cancel Bob: Dan, first in line, gets his place and is told; Bob is told too.
    sent = len(smtp_server.received)
    page.goto(f"{base}/admin/events/{event.id}/attendees/?status=all")
    page.get_by_role("link", name="Bob Brown").click()
    page.get_by_role("link", name="Cancel their registration").click()
    page.get_by_role("button", name="Cancel their place").click()
    _deliver(mail_app)
    assert sorted(to for to, _ in _received(smtp_server, sent)) == [
        "bob@example.org",
        "dan@example.org",
    ]
    with mail_app.app_context():
        statuses = {
            r.first_name: r.status
            for r in db.session.scalars(db.select(Registration).filter_by(event_id=event.id))
        }
    assert statuses == {
        "Ada": RegistrationStatus.CONFIRMED,
        "Cat": RegistrationStatus.CONFIRMED,
        "Bob": RegistrationStatus.CANCELLED,
        "Dan": RegistrationStatus.CONFIRMED,
    }
