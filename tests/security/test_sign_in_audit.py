"""Failed sign-ins in the audit log: never what was typed, and counted instead of flooding it."""

import datetime as dt
import hashlib
import html

import pytest
import time_machine
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, london

PASSWORD_IN_EMAIL_BOX = "Wintergreen-Parsnip-47!"
START = london(2026, 11, 26, 10, 2)


@pytest.fixture
def owner(make_user):
    return make_user("org@example.org", password=TEST_PASSWORD)


@pytest.fixture
def admin_client(app, make_user, login_as):
    """An admin signed in by writing the session, so that sign-in itself writes no entry."""
    client = app.test_client()
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _attempt(app, email: str, password: str, address: str = "192.0.2.1"):
    return app.test_client().post(
        "/account/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _entries(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return entries


def _table_text(app) -> str:
    """Every column of every audit row, as one lower-case string."""
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.__table__)).all()
    return " ".join(str(value) for row in rows for value in row).lower()


def test_a_password_typed_into_the_email_box_never_reaches_the_audit_log(app, owner, admin_client):
    """ASVS V16.2.5: credentials are never logged; an unknown name only as a keyed hash."""
    for _ in range(6):  # five failures, then refusals while throttled
        response = _attempt(app, PASSWORD_IN_EMAIL_BOX, TEST_PASSWORD)
        assert response.status_code in (400, 429)
    assert {e.action for e in _entries(app)} == {
        "account.sign_in_failed",
        "account.sign_in_throttled",
    }

    typed = PASSWORD_IN_EMAIL_BOX.lower()
    stored = _table_text(app)
    assert "parsnip" not in stored
    # Not even an unkeyed hash, which anyone could test guesses against.
    assert hashlib.sha256(typed.encode()).hexdigest()[:16] not in stored
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "account.sign_in_failed" in page
    assert "parsnip" not in page.lower() and "parsnip" not in html.unescape(page).lower()


def test_a_failure_for_a_known_account_names_the_account_not_the_typing(app, owner):
    """ASVS V16.3.1: the failed attempt is logged, against the account it was for."""
    _attempt(app, "  ORG@Example.org ", "not the password")
    [entry] = _entries(app)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "account.sign_in_failed",
        "User",
        owner.id,
    )
    assert "ORG@Example" not in entry.summary and "not the password" not in entry.summary


def test_unknown_addresses_are_told_apart_by_a_keyed_hash_only(app, make_app):
    _attempt(app, "nobody@example.org", "x", address="192.0.2.1")
    _attempt(app, "someone@example.org", "x", address="192.0.2.2")
    first, second = _entries(app)
    assert first.target_id is None and "nobody" not in first.summary
    assert first.summary != second.summary  # two addresses, two entries

    # The hash is keyed with SECRET_KEY: another key gives another hash.
    other = make_app(SECRET_KEY="another secret key")
    _attempt(other, "nobody@example.org", "x", address="192.0.2.3")
    assert _entries(other)[-1].summary != first.summary


@pytest.mark.parametrize("email", ["org@example.org", "nobody@example.org"])
def test_fifty_failed_sign_ins_write_two_rows_that_count_fifty(app, owner, admin_client, email):
    """ASVS V2.4.1: no garbage-data creation by automation; V16.3.1: every attempt counted."""
    with time_machine.travel(START, tick=False):
        for n in range(50):
            response = _attempt(app, email, f"guess {n}", address=f"192.0.2.{n % 3}")
            assert response.status_code in (400, 429)
    entries = _entries(app)
    counts = {e.action: e.count for e in entries}
    assert len(entries) == 2
    assert counts == {"account.sign_in_failed": 5, "account.sign_in_throttled": 45}
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "5 times from 10:02am" in page and "45 times from 10:02am" in page


def test_each_fifteen_minutes_starts_a_new_entry(app, owner):
    """Control for the one above: the window closes, so old counts are not reopened."""
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(2):
            _attempt(app, "org@example.org", "guess")
        clock.shift(dt.timedelta(minutes=14))
        _attempt(app, "org@example.org", "guess")
        clock.shift(dt.timedelta(minutes=2))
        _attempt(app, "org@example.org", "guess")
    assert [(e.action, e.count, e.at) for e in _entries(app)] == [
        ("account.sign_in_failed", 3, START),
        ("account.sign_in_failed", 1, START + dt.timedelta(minutes=16)),
    ]
