"""Device cookies: strangers' guesses cannot lock the owner's own browser out (OWASP pattern).

ASVS V6.1.1 and V6.3.1: brute force is throttled in a way that prevents malicious
account lock-out; README's Accounts section documents how.
"""

import datetime as dt
import os

import pytest
import time_machine

from engage.accounts.devices import COOKIE_NAME
from engage.accounts.models import Role, User
from engage.accounts.throttle import SIGN_IN_FAILURES, account_key, address_key, throttle
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, hash_for_tests

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
# memory:// is the default setting, which keeps the counts in the database.
STORAGES = ["memory://"] + ([TEST_REDIS_URL] if TEST_REDIS_URL else [])
STORAGE_IDS = {"memory://": "database", TEST_REDIS_URL: "redis"}
SHARED_ADDRESS = "198.51.100.7"  # the owner and the attacker behind one address
OTHER_ADDRESS = "198.51.100.8"
EMAILS = ["org@example.org", "other@example.org"]
SIGN_IN = "/account/sign-in"
NEW_PASSWORD = "a different passphrase altogether"


def _clear(app) -> None:
    # Redis outlives the test: start and end with clean counters.
    with app.app_context():
        counters = throttle()
        counters.clear(SIGN_IN_FAILURES, *(address_key(a) for a in [SHARED_ADDRESS, OTHER_ADDRESS]))
        counters.clear(SIGN_IN_FAILURES, *(account_key(e) for e in EMAILS))


@pytest.fixture(params=STORAGES, ids=STORAGE_IDS.get)
def throttled_app(request, make_app):
    application = make_app(RATELIMIT_STORAGE_URI=request.param)
    _clear(application)
    yield application
    _clear(application)


@pytest.fixture
def users(throttled_app, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    make_user("other@example.org", role=Role.ADMIN, password=TEST_PASSWORD)


def _post(client, email, password, address=SHARED_ADDRESS):
    return client.post(
        SIGN_IN, data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _browser_that_signed_in(app, email="org@example.org"):
    """A test client that signed in once (so holds a device cookie) and signed out."""
    client = app.test_client()
    assert _post(client, email, TEST_PASSWORD).status_code == 302
    assert client.get_cookie(COOKIE_NAME, path=SIGN_IN) is not None
    client.post("/account/sign-out")
    assert client.get("/admin/").status_code == 302
    return client


def _lock_out_the_account(app, email="org@example.org"):
    for n in range(5):
        attacker = app.test_client()
        assert _post(attacker, email, f"guess {n}").status_code == 400


def test_strangers_lock_out_cookieless_browsers_but_not_the_owners(throttled_app, users):
    owner = _browser_that_signed_in(throttled_app)
    _lock_out_the_account(throttled_app)

    # Control: the lock is real for any browser without the owner's cookie.
    stranger = throttled_app.test_client()
    assert _post(stranger, "org@example.org", TEST_PASSWORD).status_code == 429
    assert _post(stranger, "org@example.org", TEST_PASSWORD, OTHER_ADDRESS).status_code == 429

    # The owner, from the very address the guesses came from, still gets in.
    response = _post(owner, "org@example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert owner.get("/admin/").status_code == 200

    # ...without lifting the lock the guesses earned.
    assert _post(stranger, "org@example.org", TEST_PASSWORD, OTHER_ADDRESS).status_code == 429


def test_a_device_cookies_own_failures_lock_out_that_device_only(throttled_app, users):
    start = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        device = _browser_that_signed_in(throttled_app)
        for n in range(5):
            assert _post(device, "org@example.org", f"guess {n}").status_code == 400
        assert _post(device, "org@example.org", TEST_PASSWORD).status_code == 429

        # Counted against the device, not the account nor the address.
        elsewhere = throttled_app.test_client()
        assert _post(elsewhere, "org@example.org", TEST_PASSWORD).status_code == 302

        clock.shift(dt.timedelta(minutes=16))
        assert _post(device, "org@example.org", TEST_PASSWORD).status_code == 302


def test_a_new_password_leaves_older_device_cookies_without_their_allowance(throttled_app, users):
    """A browser that knew the old password (a thief's, say) loses its own allowance."""
    owner = _browser_that_signed_in(throttled_app)
    with throttled_app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email="org@example.org")).one()
        user.password_hash = hash_for_tests(NEW_PASSWORD)  # as a reset or change leaves it
        db.session.commit()
    _lock_out_the_account(throttled_app)
    assert _post(owner, "org@example.org", NEW_PASSWORD).status_code == 429
    # Control: a browser that signed in with the new password keeps its allowance.
    _clear(throttled_app)
    fresh = throttled_app.test_client()
    assert _post(fresh, "org@example.org", NEW_PASSWORD, OTHER_ADDRESS).status_code == 302
    _lock_out_the_account(throttled_app)
    assert _post(fresh, "org@example.org", NEW_PASSWORD).status_code == 302


def test_a_new_cookie_is_given_at_each_sign_in(throttled_app, users):
    device = _browser_that_signed_in(throttled_app)
    first = device.get_cookie(COOKIE_NAME, path=SIGN_IN).value
    assert _post(device, "org@example.org", TEST_PASSWORD).status_code == 302
    assert device.get_cookie(COOKIE_NAME, path=SIGN_IN).value != first


@pytest.mark.parametrize("source", ["another account", "another secret key", "tampered"])
def test_a_forged_or_other_accounts_cookie_is_ignored(throttled_app, users, make_app, source):
    if source == "another account":
        value = _browser_that_signed_in(throttled_app, "other@example.org").get_cookie(
            COOKIE_NAME, path=SIGN_IN
        )
    elif source == "another secret key":
        forger = make_app(SECRET_KEY="not this site's key")
        value = _browser_that_signed_in(forger).get_cookie(COOKIE_NAME, path=SIGN_IN)
    else:
        value = _browser_that_signed_in(throttled_app).get_cookie(COOKIE_NAME, path=SIGN_IN)
    value = value.value
    if source == "tampered":
        value = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    _lock_out_the_account(throttled_app)

    client = throttled_app.test_client()
    client.set_cookie(COOKIE_NAME, value, path=SIGN_IN)
    assert _post(client, "org@example.org", TEST_PASSWORD).status_code == 429


def test_the_device_cookie_is_http_only_lax_and_kept_to_the_sign_in_page(app, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    response = _post(app.test_client(), "org@example.org", TEST_PASSWORD)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME)]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and f"Path={SIGN_IN}" in cookie
    assert "Max-Age=31536000" in cookie
    assert "Secure" not in cookie  # development and tests use plain http


def test_the_device_cookie_is_secure_in_production(make_app, make_user, monkeypatch):
    monkeypatch.setenv("ENGAGE_ENV", "production")
    production = make_app()  # settings read from the environment, as in a deployment
    make_user("org@example.org", password=TEST_PASSWORD)
    response = _post(production.test_client(), "org@example.org", TEST_PASSWORD)
    cookies = response.headers.getlist("Set-Cookie")
    [cookie] = [c for c in cookies if c.startswith(f"__Secure-{COOKIE_NAME}=")]
    assert "Secure" in cookie and "HttpOnly" in cookie
