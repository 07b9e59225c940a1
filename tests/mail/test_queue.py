"""A message is written in the same transaction as the change that caused it."""

from engage.accounts import emails
from engage.accounts.models import User
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage


def test_queued_message_is_saved_with_the_change(app):
    with app.app_context():
        user = User(email="new@example.org", name="New\r\nBcc: evil@example.org")
        db.session.add(user)
        emails.password_reset(user, "abc")
        db.session.commit()
        [row] = db.session.scalars(db.select(OutboxMessage)).all()
        assert row.status == MessageStatus.PENDING
        assert row.to_address == "new@example.org"
        link = app.config["SITE_URL"].rstrip("/") + "/account/reset/abc"
        assert link in row.body_text
        assert link in row.body_html
        assert "\n" not in row.subject


def test_rolled_back_change_leaves_no_message(app):
    with app.app_context():
        user = User(email="new@example.org", name="New")
        db.session.add(user)
        emails.password_reset(user, "abc")
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_links_in_mail_made_outside_a_request_use_site_url(app):
    app.config["SITE_URL"] = "https://engage.example.org/centre"
    with app.app_context():
        emails.password_reset(User(email="a@example.org", name="A"), "abc")
        db.session.commit()
        body = db.session.scalar(db.select(OutboxMessage.body_text))
    assert "https://engage.example.org/centre/account/reset/abc" in body


def test_links_ignore_the_host_the_request_came_from(app):
    app.config["SITE_URL"] = "https://engage.example.org"
    with app.test_request_context(base_url="http://attacker.example"):
        emails.password_reset(User(email="a@example.org", name="A"), "abc")
        db.session.commit()
        body = db.session.scalar(db.select(OutboxMessage.body_text))
    assert "https://engage.example.org/account/reset/abc" in body
    assert "attacker" not in body
