"""Failed sign-ins are throttled per address and per account, before the password is checked."""

import datetime as dt
import os

import pytest
import redis
import time_machine

from engage.accounts import passwords
from engage.accounts.throttle import SIGN_IN_FAILURES, account_key, address_key, throttle
from engage.accounts.views import THROTTLED
from tests.accounts.conftest import audit_actions
from tests.conftest import TEST_CONFIG, TEST_PASSWORD, free_port

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
# memory:// is the default setting, which keeps the counts in the database.
STORAGES = ["memory://"] + ([TEST_REDIS_URL] if TEST_REDIS_URL else [])
STORAGE_IDS = {"memory://": "database", TEST_REDIS_URL: "redis"}
ADDRESSES = [f"192.0.2.{n}" for n in range(1, 12)]
EMAILS = ["org@example.org", "other@example.org"] + [f"guess{n}@example.org" for n in range(6)]


def _clear(app) -> None:
    # Redis outlives the test: start and end with clean counters. Other test processes
    # use the same addresses and emails under their own key prefix (tests/conftest.py).
    with app.app_context():
        counters = throttle()
        counters.clear(SIGN_IN_FAILURES, *(address_key(a) for a in [*ADDRESSES, "127.0.0.1"]))
        counters.clear(SIGN_IN_FAILURES, *(account_key(e) for e in EMAILS))


@pytest.fixture(params=STORAGES, ids=STORAGE_IDS.get)
def throttled_app(request, make_app):
    application = make_app(RATELIMIT_STORAGE_URI=request.param)
    _clear(application)
    yield application
    _clear(application)


@pytest.fixture
def verifications(monkeypatch):
    """Counts every password verification."""
    calls = []
    real = passwords.verify_password

    def counting(password_hash, password):
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


def _attempt(app, email, password, address):
    client = app.test_client()
    response = client.post(
        "/account/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response, client


@pytest.fixture
def users(throttled_app, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    make_user("other@example.org", password=TEST_PASSWORD)


def test_five_failures_for_one_account_block_it_even_with_the_right_password(
    throttled_app, users, verifications
):
    for address in ADDRESSES[:5]:
        response, _ = _attempt(throttled_app, "org@example.org", "wrong guess", address)
        assert response.status_code == 400
    verifications.clear()

    response, client = _attempt(throttled_app, "ORG@example.org", TEST_PASSWORD, ADDRESSES[6])
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)
    assert verifications == []  # refused before the password was looked at
    assert client.get("/admin/").status_code == 302
    assert audit_actions(throttled_app)[-1] == "account.sign_in_throttled"

    # Control: another account from the same address is not affected.
    response, _ = _attempt(throttled_app, "other@example.org", TEST_PASSWORD, ADDRESSES[6])
    assert response.status_code == 302


def test_five_failures_from_one_address_block_it_for_every_account(
    throttled_app, users, verifications
):
    for n in range(5):
        response, _ = _attempt(throttled_app, f"guess{n}@example.org", "wrong guess", ADDRESSES[0])
        assert response.status_code == 400
    verifications.clear()

    response, _ = _attempt(throttled_app, "org@example.org", TEST_PASSWORD, ADDRESSES[0])
    assert response.status_code == 429
    assert verifications == []

    # Control: the same account from another address signs in.
    response, _ = _attempt(throttled_app, "org@example.org", TEST_PASSWORD, ADDRESSES[1])
    assert response.status_code == 302


def test_four_failures_are_not_yet_throttled(throttled_app, users):
    for address in ADDRESSES[:4]:
        _attempt(throttled_app, "org@example.org", "wrong guess", address)
    response, _ = _attempt(throttled_app, "org@example.org", TEST_PASSWORD, ADDRESSES[5])
    assert response.status_code == 302


def test_the_throttled_answer_is_the_same_for_unknown_accounts(throttled_app, users):
    for address in ADDRESSES[:5]:
        _attempt(throttled_app, "org@example.org", "wrong guess", address)
        _attempt(throttled_app, "guess5@example.org", "wrong guess", address)
    known, _ = _attempt(throttled_app, "org@example.org", "x" * 10, ADDRESSES[8])
    unknown, _ = _attempt(throttled_app, "guess5@example.org", "x" * 10, ADDRESSES[8])
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace("org@", "guess5@") == unknown.get_data(as_text=True)


def test_the_block_lifts_after_fifteen_minutes(make_app, make_user):
    app = make_app()
    make_user("org@example.org", password=TEST_PASSWORD)
    start = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for address in ADDRESSES[:5]:
            _attempt(app, "org@example.org", "wrong guess", address)
        clock.shift(dt.timedelta(minutes=14))
        assert _attempt(app, "org@example.org", TEST_PASSWORD, ADDRESSES[6])[0].status_code == 429
        clock.shift(dt.timedelta(minutes=2))
        assert _attempt(app, "org@example.org", TEST_PASSWORD, ADDRESSES[6])[0].status_code == 302


@pytest.mark.parametrize("storage_uri", STORAGES, ids=STORAGE_IDS.get)
def test_two_apps_share_the_count(make_app, make_user, storage_uri):
    """Two app instances stand for two workers (test_throttle_workers.py runs real ones)."""
    first, second = (make_app(RATELIMIT_STORAGE_URI=storage_uri) for _ in range(2))
    _clear(first)
    try:
        make_user("org@example.org", password=TEST_PASSWORD)
        for address in ADDRESSES[:3]:
            _attempt(first, "org@example.org", "wrong guess", address)
        for address in ADDRESSES[3:5]:
            _attempt(second, "org@example.org", "wrong guess", address)
        assert _attempt(first, "org@example.org", TEST_PASSWORD, ADDRESSES[7])[0].status_code == 429
        assert (
            _attempt(second, "org@example.org", TEST_PASSWORD, ADDRESSES[7])[0].status_code == 429
        )
    finally:
        _clear(first)


@pytest.mark.skipif(not TEST_REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_a_key_prefix_keeps_two_sites_on_one_redis_apart(make_app, make_user):
    """RATELIMIT_STORAGE_OPTIONS reaches the counters: how parallel test processes stay apart."""
    prefix = TEST_CONFIG["RATELIMIT_STORAGE_OPTIONS"]["key_prefix"]
    ours = make_app(RATELIMIT_STORAGE_URI=TEST_REDIS_URL)
    theirs = make_app(
        RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": f"{prefix}-other"},
    )
    _clear(ours)
    _clear(theirs)
    try:
        make_user("org@example.org", password=TEST_PASSWORD)
        for address in ADDRESSES[:5]:
            _attempt(ours, "org@example.org", "wrong guess", address)
        assert _attempt(ours, "org@example.org", TEST_PASSWORD, ADDRESSES[7])[0].status_code == 429
        assert redis.Redis.from_url(TEST_REDIS_URL).keys(f"{prefix}:*")
        assert (
            _attempt(theirs, "org@example.org", TEST_PASSWORD, ADDRESSES[7])[0].status_code == 302
        )
    finally:
        _clear(ours)
        _clear(theirs)


def test_unreachable_throttle_storage_refuses_sign_in_without_a_500(make_app, make_user):
    """Redis configured but down: a friendly 503, and the password is never tried."""
    port = free_port()  # nothing listens there
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    make_user("admin@example.org", password=TEST_PASSWORD)
    response = app.test_client().post(
        "/account/sign-in", data={"email": "admin@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)
    with app.test_client() as client:
        client.post(
            "/account/sign-in", data={"email": "admin@example.org", "password": TEST_PASSWORD}
        )
        from flask_login import current_user

        assert not current_user.is_authenticated


def test_registration_stays_open_when_rate_limit_storage_is_down(make_app, make_event):
    port = free_port()
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    from tests.registrations.conftest import form

    make_event(slug="day")
    response = app.test_client().post("/events/day/register", data=form())
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
