"""The site the security walks and fuzzes run in (tests/security/world.py)."""

import pytest

from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.security.world import build_world, fast_passwords


@pytest.fixture
def world(app, make_user, make_event, make_news, monkeypatch) -> dict:
    """build_world on this test's app, with cheap password hashing."""
    return build_world(app, make_user, make_event, make_news, fast_passwords(monkeypatch))
