"""No log line holds an attendee's address, name or link, or a staff address.

Every record any logger emits at DEBUG and above (Engage's, Flask's, werkzeug's,
SQLAlchemy's, the mail worker's) is captured through a whole story: a booking,
delivery through a real SMTP server, the self-service page, a link sent again,
staff signing in (and failing to), a password reset, and the retention purge.
Then each record's message, arguments and traceback are searched.
"""

from __future__ import annotations

import logging
import re
import traceback

import pytest
import requests
import time_machine
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from engage.extensions import db
from engage.mail import worker
from engage.mail.models import OutboxMessage
from tests.conftest import LiveServer, london, sign_in_through_form
from tests.registrations.conftest import form

ATTENDEE = "zebedee.quill@example.org"
FIRST, LAST = "Zebedee", "Quillfeather"
STAFF = "ops.officer@example.org"
# Not Engage's logs: the test's stand-in for the SMTP relay (aiosmtpd), and the test's
# own HTTP client (urllib3, fetching pages from the development server).
NOT_OURS = ("mail.log", "urllib3")
NEW_PASSWORD = "a brand new passphrase"
LINKS = re.compile(r"/(?:registrations|account/reset|account/invitation|c)/([A-Za-z0-9_-]{16,})")


def text_of(record: logging.LogRecord) -> str:
    """Everything a handler could write for the record."""
    parts = [record.getMessage(), repr(record.args), record.exc_text or ""]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(parts)


def leaks(records, secrets: set[str]) -> list[str]:
    """Each record holding a secret (in any case), as 'logger: secret'."""
    found = []
    for record in records:
        if record.name.startswith(NOT_OURS):
            continue
        text = text_of(record).lower()
        found += [f"{record.name}: {secret}" for secret in secrets if secret.lower() in text]
    return found


def _tokens(app) -> set[str]:
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body_text)).all()
    return {token for body in bodies for token in LINKS.findall(body or "")}


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "gunicorn.error", "gunicorn.access", "engage", "flask.app"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_no_log_record_holds_personal_data_or_a_token(
    mail_app, smtp_server, make_event, make_user, everything_logged
):
    app = mail_app
    make_event(slug="day", retention_days=1)
    staff = make_user(STAFF)
    tokens: set[str] = set()
    visitor = app.test_client()
    with time_machine.travel(london(2026, 12, 1, 12), tick=False):
        booked = visitor.post(
            "/events/day/register",
            data=form(email=ATTENDEE.upper(), first_name=FIRST, last_name=LAST),
        )
        assert booked.status_code == 302
        tokens |= _tokens(app)
        with app.app_context():
            worker.run(once=True)
        for token in tokens:
            visitor.get(f"/registrations/{token}")
        # The development server's own request lines (werkzeug) too.
        server = LiveServer(app).start()
        try:
            for token in tokens:
                requests.get(f"{server.url}/registrations/{token}", timeout=10)
        finally:
            server.stop()
    with time_machine.travel(london(2026, 12, 1, 13), tick=False):
        assert "Check your email" in visitor.post(
            "/events/day/link", data={"email": ATTENDEE}
        ).get_data(as_text=True)
        wrong = app.test_client().post(
            "/account/sign-in", data={"email": STAFF, "password": "not the password"}
        )
        assert wrong.status_code == 400
        sign_in_through_form(app.test_client(), staff, None)
        app.test_client().post("/account/reset", data={"email": STAFF})
        reset = _tokens(app) - tokens
        assert reset, "the reset email held its link"
        tokens |= reset
        for token in reset:
            server = LiveServer(app).start()
            try:
                requests.get(f"{server.url}/account/reset/{token}", timeout=10)
            finally:
                server.stop()
            app.test_client().post(
                f"/account/reset/{token}",
                data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            )
        with app.app_context():
            worker.run(once=True)
    assert len(smtp_server.received) >= 3  # booked, link again, reset
    with time_machine.travel(london(2027, 3, 1, 12), tick=False):
        result = app.test_cli_runner().invoke(args=["engage", "purge"])
        assert result.exit_code == 0, result.output
        assert "1" in result.output  # the booking was purged
    assert tokens, "the story's emails held links"
    secrets = {ATTENDEE, FIRST, LAST, STAFF, *tokens}
    assert leaks(everything_logged.records, secrets) == []
    names = {record.name for record in everything_logged.records}
    assert {"engage.mail", "werkzeug"} <= names  # the story was logged at all
    request_lines = [r.getMessage() for r in everything_logged.records if r.name == "werkzeug"]
    assert any("/registrations/[secret]" in line for line in request_lines)


def test_a_database_error_in_the_log_quotes_no_values(app, everything_logged):
    """An unexpected database error is logged with its traceback: without the values given."""
    with app.app_context():
        with pytest.raises(SQLAlchemyError) as raised:
            db.session.execute(text("SELECT * FROM nowhere WHERE x = :x"), {"x": ATTENDEE})
        db.session.rollback()
        logging.getLogger("flask.app").error("Unhandled error", exc_info=raised.value)
    assert leaks(everything_logged.records, {ATTENDEE}) == []


def test_without_hidden_parameters_the_error_would_quote_them(make_app):
    """Control: the engine option is what keeps the address out of the message."""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context(), pytest.raises(SQLAlchemyError) as raised:
        db.session.execute(text("SELECT * FROM nowhere WHERE x = :x"), {"x": ATTENDEE})
    assert ATTENDEE in str(raised.value)


def test_request_lines_are_logged_without_the_links_secret(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").info(
        '"%s %s %s" %s -', "GET", "/account/reset/abc123XYZ", "HTTP/1.1", 200
    )
    logging.getLogger("gunicorn.access").info('"GET /c/0123456789abcdef HTTP/1.1" 200')
    assert [r.getMessage() for r in caplog.records] == [
        '"GET /account/reset/[secret] HTTP/1.1" 200 -',
        '"GET /c/[secret] HTTP/1.1" 200',
    ]


def test_the_scan_reports_a_leak(caplog):
    """Control: a record formatting an address, or holding a token in its args, is reported."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("engage.example").info("sent to %s", ATTENDEE.upper())
    logging.getLogger("engage.other").debug("link %s", "tok" * 8)
    assert leaks(caplog.records, {ATTENDEE, "tok" * 8}) == [
        f"engage.example: {ATTENDEE}",
        f"engage.other: {'tok' * 8}",
    ]
