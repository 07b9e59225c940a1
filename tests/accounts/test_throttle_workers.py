"""The sign-in throttle holds under the README's production command, several gunicorn workers.

Five wrong passwords, each on a new connection so that different workers
answer, then the right one: it must be refused, with the default settings
(counts in the database) and with Redis. The control serves the same app with
each worker counting in its own memory, and the right password gets in.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests

from engage.accounts.models import ThrottleHit
from engage.accounts.throttle import SIGN_IN_FAILURES, account_key, address_key, throttle
from engage.accounts.views import THROTTLED
from engage.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.gunicorn import Gunicorn

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
EMAIL = "org@example.org"
WORKERS = 4  # as the README's `gunicorn -w 4 wsgi:app`


@pytest.fixture
def server_for(gunicorn_for):
    """start(module=..., storage_uri=...): `gunicorn -w 4` on the test's own database."""

    def start(module: str = "server_app", storage_uri: str | None = None, key_prefix: str = ""):
        environ = {"RATELIMIT_STORAGE_URI": storage_uri} if storage_uri else {}
        if key_prefix:
            environ["ENGAGE_TEST_KEY_PREFIX"] = key_prefix
        return gunicorn_for(
            module, workers=WORKERS, environ=environ, path="/account/sign-in", every_worker=True
        )

    return start


def _sign_in(server: Gunicorn, password: str) -> requests.Response:
    # A new connection each time, as separate clients: any worker may answer.
    return requests.post(
        server.url + "/account/sign-in",
        data={"email": EMAIL, "password": password},
        headers={"Connection": "close"},
        allow_redirects=False,
        timeout=30,
    )


def _five_wrong_then_right(server: Gunicorn, tries: int = 30) -> requests.Response:
    """Five wrong passwords, then the right one until a worker that saw fewer than five answers.

    Which worker takes a connection is up to the operating system; only an
    answer from a worker that did not itself count all five failures proves
    the counts are shared. A refused attempt counts nothing, so trying the
    right password again changes no count.
    """
    wrong = [_sign_in(server, "wrong guess") for _ in range(5)]
    assert [r.status_code for r in wrong] == [400] * 5
    answered = Counter(r.headers["X-Worker-Pid"] for r in wrong)
    for _ in range(tries):
        right = _sign_in(server, TEST_PASSWORD)
        if answered[right.headers["X-Worker-Pid"]] < 5 or right.status_code != 429:
            return right
    pytest.fail(f"one worker answered every attempt ({answered}); nothing was proved")


def _assert_refused(response: requests.Response) -> None:
    assert response.status_code == 429
    assert "Location" not in response.headers  # no way into the back office
    assert THROTTLED in response.text


def _rows_in_database(app) -> int:
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(ThrottleHit))
        db.session.remove()
        return count


def test_default_settings_refuse_the_right_password_after_five_failures(app, make_user, server_for):
    make_user(EMAIL, password=TEST_PASSWORD)
    server = server_for()
    _assert_refused(_five_wrong_then_right(server))
    assert _rows_in_database(app) == 5 * 2  # each failure counted by address and by account


@pytest.fixture
def redis_counts(make_app):
    """Clean Redis counters, under a prefix of this test's own, before and after; the prefix."""
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set (CI sets redis://127.0.0.1:6379/15)")
    prefix = f"engage-test-{secrets.token_hex(8)}"
    redis_app = make_app(
        RATELIMIT_STORAGE_URI=TEST_REDIS_URL, RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix}
    )

    def clear():
        with redis_app.app_context():
            throttle().clear(SIGN_IN_FAILURES, address_key("127.0.0.1"), account_key(EMAIL))

    clear()
    yield prefix
    clear()


def test_redis_refuses_the_right_password_after_five_failures(
    app, make_user, server_for, redis_counts
):
    make_user(EMAIL, password=TEST_PASSWORD)
    server = server_for(storage_uri=TEST_REDIS_URL, key_prefix=redis_counts)
    _assert_refused(_five_wrong_then_right(server))
    assert _rows_in_database(app) == 0  # Redis kept the counts


def test_control_with_counts_in_each_workers_memory_the_right_password_gets_in(
    app, make_user, server_for
):
    make_user(EMAIL, password=TEST_PASSWORD)
    server = server_for(module="accounts.memory_throttle_server_app")
    right = _five_wrong_then_right(server)
    assert right.status_code == 302
    assert right.headers["Location"] == "/admin/"
