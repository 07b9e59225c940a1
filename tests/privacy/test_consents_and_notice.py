"""/admin/consents publishes new versions; the privacy notice states only what the code does."""

from __future__ import annotations

import re

from sqlalchemy import select

from engage.accounts.models import Role
from engage.attendees.export_data import catering_sheets
from engage.audit.models import AuditEntry
from engage.events.models import DEFAULT_NEEDS_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, Event
from engage.extensions import db
from engage.privacy import access
from engage.registrations import consents
from engage.registrations.models import ConsentKind, ConsentWording
from engage.registrations.needs import CATERING_COLUMNS
from tests.privacy.conftest import ADDRESS
from tests.registrations.conftest import book

NOTICE_V2 = "We changed who we share with: **nobody** new."


def _admin(client, make_user, login_as):
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _wordings(kind: ConsentKind) -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(ConsentWording).where(ConsentWording.kind == kind).order_by(ConsentWording.version)
    )
    return [(w.version, w.text) for w in rows]


def test_an_admin_publishes_a_new_version_and_the_old_one_stays(app, client, make_user, login_as):
    _admin(client, make_user, login_as)
    listing = client.get("/admin/consents/").get_data(as_text=True)
    assert 'href="/admin/consents/dietary"' in listing
    form = client.get("/admin/consents/dietary").get_data(as_text=True)
    assert consents.DEFAULT_TEXTS[ConsentKind.DIETARY] in form

    response = client.post("/admin/consents/dietary", data={"text": "Dietary, v2"})
    assert response.status_code == 302
    response = client.post("/admin/consents/dietary", data={"text": "Dietary, v3"})
    with app.app_context():
        assert _wordings(ConsentKind.DIETARY) == [
            (1, consents.DEFAULT_TEXTS[ConsentKind.DIETARY]),
            (2, "Dietary, v2"),
            (3, "Dietary, v3"),
        ]
        assert consents.current(ConsentKind.DIETARY).version == 3
        audited = db.session.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == "consent.wording_published")
        ).all()
        assert audited == [
            "Consent for dietary requirements: version 2 published",
            "Consent for dietary requirements: version 3 published",
        ]


def test_an_unchanged_or_empty_wording_is_refused_and_kept(app, client, make_user, login_as):
    _admin(client, make_user, login_as)
    same = consents.DEFAULT_TEXTS[ConsentKind.ACCESS]
    for text, message in ((same, "Change the wording"), ("  ", "Enter the wording")):
        response = client.post("/admin/consents/access", data={"text": text})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "There is a problem" in html and message in html
        assert "<title>Error: " in html
    with app.app_context():
        assert consents.current(ConsentKind.ACCESS) is None  # nothing half-written
    assert client.get("/admin/consents/nothing").status_code == 404


def test_organisers_may_not_change_wordings(app, client, make_user, login_as):
    login_as(client, make_user("organiser@example.org"))
    assert client.get("/admin/consents/").status_code == 403
    assert client.post("/admin/consents/privacy", data={"text": "Mine"}).status_code == 403
    with app.app_context():
        assert consents.current(ConsentKind.PRIVACY) is None


def _notice(client) -> str:
    response = client.get("/privacy")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_notice_states_the_configured_retention_days(client):
    html = _notice(client)
    assert f'<span id="needs-days">{DEFAULT_NEEDS_RETENTION_DAYS}</span> days' in html
    assert f'<span id="retention-days">{DEFAULT_RETENTION_DAYS}</span> days' in html


def test_the_notice_gives_the_sites_contact_address(make_app):
    app = make_app(CONTACT_EMAIL="dpo@centre.example.org")
    html = _notice(app.test_client())
    assert 'href="mailto:dpo@centre.example.org"' in html


def test_the_notice_says_what_the_catering_list_holds(app, client, make_event):
    event = make_event()
    with app.app_context():
        book(event, dietary_requirements="Vegan", dietary_consent=True)
        sheets, _ = catering_sheets(db.session.get(Event, event.id))
    assert tuple(sheets[1].header) == CATERING_COLUMNS
    catering = re.search(r'<p id="catering">(.*?)</p>', _notice(client), re.S).group(1)
    assert "name, organisation and dietary requirement" in catering


def test_the_notice_shows_its_latest_version_and_the_history(app, client, make_user, login_as):
    assert "Version 1" in _notice(client)
    _admin(client, make_user, login_as)
    client.post("/admin/consents/privacy_notice", data={"text": NOTICE_V2})
    html = _notice(client)
    assert re.search(r'id="notice-version">Version 2, published', html)
    assert "<strong>nobody</strong>" in html  # the opening words, as sanitised Markdown
    history = re.search(r'<ul id="notice-history">(.*?)</ul>', html, re.S).group(1)
    assert "Version 2" in history and "Version 1" in history


def test_the_event_page_says_when_its_data_goes(client, make_event):
    make_event(slug="day")
    html = client.get("/events/day").get_data(as_text=True)
    assert 'id="event-retention"' in html and 'href="/privacy"' in html


def test_subject_access_lists_consents_with_their_versions(app, person, make_user):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        consents.publish(ConsentKind.PRIVACY, "Privacy wording, v2", actor=admin)
        document = access.export(access.find(ADDRESS))
    records = [r for reg in document["registrations"] for r in reg["consent_records"]]
    assert records, "the person's consents are in the export"
    privacy = [r for r in records if r["kind"] == "privacy"]
    assert privacy and all(r["wording_version"] == 1 for r in privacy)
    assert privacy[0]["wording"] == consents.DEFAULT_TEXTS[ConsentKind.PRIVACY]
    assert {r["how"] for r in records} <= {"public_form", "self_service", "organiser"}
