"""Fixtures for the accounts tests: staff with known passwords, and signing in for real."""

from __future__ import annotations

import re

import pytest

from engage.accounts.models import Role, User
from engage.audit.models import AuditEntry
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, sign_in_through_form


@pytest.fixture
def sign_in():
    """sign_in(client, user, password=None): sign in through the real sign-in page."""
    return sign_in_through_form


@pytest.fixture
def admin(make_user):
    """An enabled admin whose password is TEST_PASSWORD."""
    return make_user("admin@example.org", role=Role.ADMIN, name="Ada Admin", password=TEST_PASSWORD)


@pytest.fixture
def organiser(make_user):
    """An enabled organiser whose password is TEST_PASSWORD."""
    return make_user("org@example.org", name="Olu Organiser", password=TEST_PASSWORD)


def fresh(app, user_id: int) -> User:
    """The user as the database has it now."""
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def audit_actions(app) -> list[str]:
    """Every audit action recorded so far, oldest first."""
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def csrf_token(client, path: str) -> str:
    """The CSRF token from a form on the page."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
