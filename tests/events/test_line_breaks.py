"""Saving an unchanged description, as a browser sends it (CR LF line breaks), changes nothing."""

from __future__ import annotations

import pytest

from engage import forms
from engage.audit.models import AuditEntry
from engage.events.models import Event, EventSession
from engage.extensions import db

DESCRIPTION = "Come **along**.\n\nTwo paragraphs,\nand a line break."
TRAVEL = "By train:\n\n- Leeds station"


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _audit(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.summary) for row in rows]


@pytest.fixture
def saved_event(app, client, login_as, admin, event_form):
    """An event created through the form with LF line breaks; its id and the form's data."""
    login_as(client, admin)
    data = event_form(description_md=DESCRIPTION, travel_info_md=TRAVEL)
    client.post("/admin/events/new", data=data)
    with app.app_context():
        event = db.session.scalars(db.select(Event)).one()
        return event.id, {**data, "slug": event.slug}


def _edit_as_a_browser_does(client, event_id: int, data: dict):
    crlf = {**data, "description_md": _crlf(DESCRIPTION), "travel_info_md": _crlf(TRAVEL)}
    return client.post(f"/admin/events/{event_id}/edit", data=crlf)


def test_unchanged_description_sent_with_crlf_is_stored_unchanged_and_logs_nothing(
    app, client, saved_event
):
    event_id, data = saved_event
    response = _edit_as_a_browser_does(client, event_id, data)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.description_md, event.travel_info_md) == (DESCRIPTION, TRAVEL)
    assert [action for action, _ in _audit(app)] == ["event.created"]


def test_control_without_the_filter_the_same_post_logs_a_change(
    app, client, saved_event, monkeypatch
):
    event_id, data = saved_event
    monkeypatch.setattr(forms, "one_newline", lambda value: value)
    _edit_as_a_browser_does(client, event_id, data)
    assert ("event.updated", "Changed: description_md, travel_info_md") in _audit(app)


def test_a_session_description_keeps_lf(app, client, saved_event, session_form):
    event_id, _ = saved_event
    client.post(
        f"/admin/events/{event_id}/sessions/new",
        data=session_form(description_md=_crlf(DESCRIPTION)),
    )
    with app.app_context():
        session = db.session.scalars(db.select(EventSession)).one()
        assert session.description_md == DESCRIPTION
