"""The after-the-day pages are valid HTML: the event page and the attendee's page once it has ended.

The site-wide walks (tests/core) meet these only before the event; here they
are seen with resources, a certificate link, and the check page both ways.
"""

from __future__ import annotations

import pytest

from engage.certificates.models import Certificate
from engage.events.models import Event, EventResource
from engage.extensions import db
from tests.core.test_html_valid import JAVA, nu_errors


@pytest.mark.skipif(JAVA is None, reason="the Nu HTML checker needs Java")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_after_the_day_pages_are_valid_html(app, client, ended_event, attendee, tmp_path):
    event = ended_event(slug="past-day")
    with app.app_context():
        workshop = db.session.get(Event, event.id).workshops[0]
        db.session.add_all(
            [
                EventResource(event_id=event.id, title="Slides", url="https://example.org/s"),
                EventResource(
                    event_id=event.id,
                    session_id=workshop.id,
                    title="Notes",
                    url="https://example.org/n",
                    description="What the groups wrote.",
                ),
            ]
        )
        db.session.commit()
    registration_id, token = attendee(event, workshops=["Workshop A"])
    assert client.get(f"/registrations/{token}/certificate.pdf").status_code == 200
    with app.app_context():
        code = db.session.scalar(
            db.select(Certificate.code).where(Certificate.registration_id == registration_id)
        )
    pages = {
        "event": client.get("/events/past-day"),
        "self-service": client.get(f"/registrations/{token}"),
        "check": client.get(f"/certificates/{code}"),
        "check unknown": client.get("/certificates/abcdefghjk"),
    }
    assert "Download your certificate" in pages["self-service"].text
    assert "After the event" in pages["event"].text
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, response in pages.items():
        (folder / f"{name.replace(' ', '-')}.html").write_text(response.text, encoding="utf-8")
    assert nu_errors(folder) == {}
