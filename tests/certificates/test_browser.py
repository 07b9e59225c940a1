"""A checked-in attendee, after the day, in a real browser: their certificate and the resources."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from engage.events.models import Event, EventResource
from engage.extensions import db
from tests.core.test_accessibility import violations

pytestmark = pytest.mark.browser


def test_after_the_day_download_the_certificate_and_see_the_resources(
    app, live_server, page, ended_event, attendee
):
    event = ended_event(title="Engagement Day 2027")
    with app.app_context():
        stored = db.session.get(Event, event.id)
        workshop = stored.workshops[0]
        db.session.add_all(
            [
                EventResource(
                    event_id=event.id, title="Opening slides", url="https://example.org/slides"
                ),
                EventResource(
                    event_id=event.id,
                    session_id=workshop.id,
                    title="Workshop A notes",
                    url="https://notes.example.com/a",
                    description="What the groups wrote.",
                ),
            ]
        )
        db.session.commit()
    _, token = attendee(event, first_name="Nguyễn", last_name="Thị Ánh", workshops=["Workshop A"])

    page.goto(f"{live_server.url}/events/{event.slug}")
    assert violations(page) == []
    page.goto(f"{live_server.url}/registrations/{token}")
    assert violations(page) == []

    after = page.locator("section", has=page.get_by_role("heading", name="After the event"))
    slides = after.get_by_role("link", name="Opening slides")
    assert slides.get_attribute("href") == "https://example.org/slides"
    assert slides.get_attribute("rel") == "noopener"
    assert "(on notes.example.com)" in after.inner_text()
    assert "What the groups wrote." in after.inner_text()
    with page.expect_download() as download_info:
        after.get_by_role("link", name="Download your certificate of attendance").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{event.slug}.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = unicodedata.normalize("NFC", " ".join(reader.pages[0].extract_text().split()))
    assert "Nguyễn Thị Ánh" in text
    assert "Engagement Day 2027" in text
    assert "Workshop A" in text
