"""The message log: organisers see their events' messages; admins see all and retry failures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from tests.mail.conftest import add_messages


def sign_in(client, user) -> None:
    """Sign the test client in as this user."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def outbox(app, make_event):
    """Two events with messages in various states; returns the events."""
    mine, theirs = make_event(title="Engagement Day"), make_event(title="Other Day")
    with app.app_context():
        add_messages(1, event_id=mine.id, subject="Mine sent", status=MessageStatus.SENT)
        add_messages(
            1,
            event_id=mine.id,
            subject="Mine failed",
            status=MessageStatus.FAILED,
            attempts=1,
            last_error="550 5.1.1 Mailbox unavailable",
        )
        add_messages(1, event_id=theirs.id, subject="Theirs pending")
        add_messages(1, subject="Password reset", kind="password_reset")
    return mine, theirs


def test_an_organiser_sees_their_events_messages(app, client, make_user, outbox):
    mine, theirs = outbox
    organiser = make_user("org@example.org")
    with app.app_context():
        from engage.accounts.models import User
        from engage.events.models import Event

        event = db.session.get(Event, mine.id)
        event.organisers.append(db.session.get(User, organiser.id))
        db.session.commit()
    sign_in(client, organiser)

    page = client.get(f"/admin/events/{mine.id}/messages").get_data(as_text=True)
    assert "Mine sent" in page and "Mine failed" in page
    assert "550 5.1.1 Mailbox unavailable" in page
    assert "Theirs pending" not in page and "Password reset" not in page
    assert "Text 0" not in page  # bodies are never shown
    assert "Retry now" not in page

    failed_only = client.get(f"/admin/events/{mine.id}/messages?status=failed")
    assert "Mine sent" not in failed_only.get_data(as_text=True)
    assert client.get(f"/admin/events/{mine.id}/messages?status=bogus").status_code == 404

    # Another organiser's event looks exactly like a missing one.
    assert client.get(f"/admin/events/{theirs.id}/messages").status_code == 404
    assert client.get("/admin/events/999/messages").status_code == 404
    assert client.get("/admin/messages").status_code == 403


def test_visitors_are_kept_out(client, outbox):
    mine, _ = outbox
    for url in (f"/admin/events/{mine.id}/messages", "/admin/messages"):
        assert client.get(url).status_code in (302, 401)
    assert client.post("/admin/messages/2/retry").status_code in (302, 401)


def test_an_admin_sees_every_message_and_retries_a_failed_one(app, client, make_user, outbox):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    sign_in(client, admin)
    page = client.get("/admin/messages").get_data(as_text=True)
    for subject in ("Mine sent", "Mine failed", "Theirs pending", "Password reset"):
        assert subject in page
    assert page.count(">Retry now<span") == 1

    with app.app_context():
        failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    response = client.post(f"/admin/messages/{failed.id}/retry", follow_redirects=True)
    assert f"Message {failed.id} will be sent again shortly." in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(OutboxMessage, failed.id)
        assert (row.status, row.attempts) == (MessageStatus.PENDING, 0)
        [entry] = db.session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.actor_id, entry.target_id) == (
            "mail.retried",
            admin.id,
            failed.id,
        )
        assert "@" not in entry.summary

    # A message that has not failed is left alone.
    again = client.post(f"/admin/messages/{failed.id}/retry", follow_redirects=True)
    assert "has not failed" in again.get_data(as_text=True)
    assert client.post("/admin/messages/9999/retry").status_code == 302


def test_an_organiser_cannot_retry(client, make_user, outbox):
    sign_in(client, make_user("org@example.org"))
    assert client.post("/admin/messages/2/retry").status_code == 403


def test_retry_needs_a_csrf_token(make_app, make_user, make_event):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_messages(1, status=MessageStatus.FAILED)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    client = app.test_client()
    sign_in(client, admin)
    assert client.post("/admin/messages/1/retry").status_code == 400
    with app.app_context():
        assert db.session.get(OutboxMessage, 1).status == MessageStatus.FAILED
    page = client.get("/admin/messages").get_data(as_text=True)
    assert 'name="csrf_token"' in page
