"""A message is written in the same transaction as the change that caused it."""

from engage.accounts.models import User
from engage.extensions import db
from engage.mail import messages
from engage.mail.models import MessageStatus, OutboxMessage


def test_queued_message_is_saved_with_the_change(app):
    with app.app_context():
        user = User(email="new@example.org", name="New\r\nBcc: evil@example.org")
        db.session.add(user)
        messages.password_reset(user, "http://127.0.0.1/reset/abc")
        db.session.commit()
        [row] = db.session.scalars(db.select(OutboxMessage)).all()
        assert row.status == MessageStatus.PENDING
        assert row.to_address == "new@example.org"
        assert "http://127.0.0.1/reset/abc" in row.body_text
        assert "http://127.0.0.1/reset/abc" in row.body_html
        assert "\n" not in row.subject


def test_rolled_back_change_leaves_no_message(app):
    with app.app_context():
        user = User(email="new@example.org", name="New")
        db.session.add(user)
        messages.password_reset(user, "http://127.0.0.1/reset/abc")
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_site_urls_gives_commands_absolute_links(app, make_event):
    from flask import url_for

    from engage.mail.services import site_urls

    event = make_event(slug="day")
    app.config["SITE_URL"] = "https://engage.example.org"
    with app.app_context():
        with site_urls():
            assert url_for("events.detail", slug=event.slug, _external=True) == (
                "https://engage.example.org/events/day"
            )
            messages.password_reset(User(email="a@example.org", name="A"), "http://x")
            db.session.commit()
        # The session (and its transaction) was the command's own all along.
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1
