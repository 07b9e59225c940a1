"""Certificates of attendance: who gets one, what it says, and the page that verifies it."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from engage.certificates import emails
from engage.certificates.models import Certificate
from engage.db import utcnow
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus
from engage.registrations.retention import purge
from engage.timefmt import long_date


def pdf_text(response) -> str:
    """Every page's text, as a reader's PDF tool extracts it, NFC-normalised."""
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def certificate_url(token: str) -> str:
    """Where the self-service page's download link points."""
    return f"/registrations/{token}/certificate.pdf"


def _code(app, registration_id: int) -> str:
    with app.app_context():
        return db.session.scalar(
            db.select(Certificate.code).where(Certificate.registration_id == registration_id)
        )


@pytest.mark.parametrize(
    ("first", "last"), [("Ada", "Lovelace"), ("Nguyễn", "Thị Ánh")], ids=["ascii", "vietnamese"]
)
def test_the_pdf_names_the_person_the_event_the_sessions_and_the_hours(
    app, client, ended_event, attendee, first, last
):
    event = ended_event(title="Engagement Day 2027")
    registration_id, token = attendee(
        event, first_name=first, last_name=last, workshops=("Workshop A", "Workshop C")
    )

    response = client.get(certificate_url(token))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response)
    assert f"{first} {last}" in text
    assert "Engagement Day 2027" in text
    assert "4.75 hours" in text  # 60 + 75 + 90 + 67 minutes, rounded down
    assert "Workshop A" in text and "Workshop C" in text
    assert "Workshop B" not in text and "Coffee" not in text
    code = _code(app, registration_id)
    assert re.fullmatch(r"[a-z2-9]{10}", code)
    assert f"/certificates/{code}" in text


def test_the_rooms_checked_in_to_are_what_counts(client, ended_event, attendee):
    event = ended_event()
    _, token = attendee(event, workshops=("Workshop A", "Workshop C"), rooms=("Workshop B",))
    text = pdf_text(client.get(certificate_url(token)))
    assert "Workshop B" in text and "Workshop A" not in text
    assert "3.25 hours" in text


def test_a_second_download_is_the_same_certificate(app, client, ended_event, attendee):
    registration_id, token = attendee(ended_event())
    client.get(certificate_url(token))
    first = _code(app, registration_id)
    client.get(certificate_url(token))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
    assert _code(app, registration_id) == first


@pytest.mark.parametrize(
    "who",
    [
        {"checked_in": False},
        {"status": RegistrationStatus.CANCELLED},
        {"status": RegistrationStatus.WAITLISTED},
    ],
    ids=["not checked in", "cancelled", "waitlisted"],
)
def test_only_checked_in_attendees_get_one(app, client, ended_event, attendee, who):
    registration_id, token = attendee(ended_event(), **who)
    assert client.get(certificate_url(token)).status_code == 404
    assert _code(app, registration_id) is None


def test_none_before_the_event_has_ended(app, client, make_event, attendee):
    start = utcnow() - dt.timedelta(hours=1)  # on now
    event = make_event(starts_at=start, ends_at=start + dt.timedelta(hours=5))
    _, token = attendee(event)
    assert client.get(certificate_url(token)).status_code == 404
    assert "certificate" not in client.get(f"/registrations/{token}").text.lower()


def test_a_made_up_token_is_not_found(client):
    assert client.get(certificate_url("not-a-real-token")).status_code == 404


def test_the_self_service_page_links_to_it_only_when_there_is_one(client, ended_event, attendee):
    event = ended_event()
    _, came = attendee(event)
    _, did_not = attendee(event, email="grace@example.org", checked_in=False)
    assert certificate_url(came) in client.get(f"/registrations/{came}").text
    assert certificate_url(did_not) not in client.get(f"/registrations/{did_not}").text


def test_the_check_page_shows_only_the_name_the_event_and_the_date(
    app, client, ended_event, attendee
):
    event = ended_event(title="Engagement Day 2027")
    registration_id, token = attendee(event, first_name="Nguyễn", last_name="Thị Ánh")
    client.get(certificate_url(token))

    page = client.get(f"/certificates/{_code(app, registration_id)}")

    assert page.status_code == 200
    html = page.text
    assert "This certificate is genuine" in html
    assert "Nguyễn Thị Ánh" in html and "Engagement Day 2027" in html
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        date = long_date(registration.event.starts_at, registration.event.timezone)
    assert date in html
    for private in ("ada@example.org", "Northbridge Police", "Inspector", "Workshop"):
        assert private not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_an_unknown_code_is_not_found(client):
    page = client.get("/certificates/abcdefghjk")
    assert page.status_code == 404
    assert "no longer be held" in page.text


def test_after_the_retention_purge_the_certificate_is_no_longer_held(
    app, client, ended_event, attendee
):
    event = ended_event(retention_days=30)
    registration_id, token = attendee(event)
    client.get(certificate_url(token))
    code = _code(app, registration_id)
    assert client.get(f"/certificates/{code}").status_code == 200

    with app.app_context():
        ended = db.session.get(Event, event.id).ends_at
        assert purge(now=ended + dt.timedelta(days=31)).registrations == 1
        assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0

    page = client.get(f"/certificates/{code}")
    assert page.status_code == 404
    assert "no longer be held" in page.text


def test_the_email_links_for_the_day_after(app, ended_event, attendee):
    event = ended_event()
    came, _ = attendee(event)
    absent, _ = attendee(event, email="grace@example.org", checked_in=False)
    with app.test_request_context():
        link = emails.certificate_link(db.session.get(Registration, came), token="abc")
        assert link.endswith("/registrations/abc/certificate.pdf")
        assert emails.certificate_link(db.session.get(Registration, absent)) is None
        assert emails.resources_link(db.session.get(Event, event.id)) is None
