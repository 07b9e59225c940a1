"""Sessions: a new one at every sign-in, and cookies a script or another site cannot use.

ASVS 5.0 V7.2.4 (a new session token at authentication and re-authentication),
V3.3.1, V3.3.2 and V3.3.4 (cookies Secure, SameSite, HttpOnly). Already kept in
tests/accounts/test_sign_in.py: the session renewed at sign-in (a planted value is
gone, the cookie changes, the old cookie is still a visitor's), the session cookie's
flags at sign-in, and Secure in production. Here: the other ways of signing in, and
every cookie the site sets along a whole visit, not only the sign-in's.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tests.conftest import TEST_PASSWORD
from tests.registrations.conftest import form

SITE = "https://localhost"
NEW = {"password": "a fresh new passphrase", "confirm_password": "a fresh new passphrase"}


def _plant(client) -> str:
    """Put a value in the client's session, as a fixation attack would; the cookie."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    return client.get_cookie("session").value


def _renewed(client, before: str, user_id: int) -> bool:
    """Whether the session is a new one, for the user, without the planted value."""
    with client.session_transaction() as session:
        fresh = "planted" not in session and session["_user_id"].startswith(f"{user_id}:")
    return fresh and client.get_cookie("session").value != before


def test_asvs_7_2_4_signing_in_again_renews_the_session(app, world):
    client = app.test_client()
    sign_in = {"email": "org@example.org", "password": TEST_PASSWORD}
    assert client.post("/account/sign-in", data=sign_in).status_code == 302
    before = _plant(client)
    assert client.post("/account/sign-in", data=sign_in).status_code == 302
    assert _renewed(client, before, world["organiser"])


def test_asvs_7_2_4_accepting_an_invitation_signs_in_with_a_new_session(app, world):
    client = app.test_client()
    before = _plant(client)
    response = client.post(f"/account/invitation/{world['invitation_token']}", data=NEW)
    assert response.status_code == 302
    assert _renewed(client, before, world["invited"])


def test_asvs_7_2_4_changing_the_password_renews_this_device_s_session(app, world):
    client = app.test_client()
    client.post("/account/sign-in", data={"email": "org@example.org", "password": TEST_PASSWORD})
    before = _plant(client)
    response = client.post("/account/password", data={"current_password": TEST_PASSWORD, **NEW})
    assert response.status_code == 302
    assert _renewed(client, before, world["organiser"])


@pytest.fixture
def production_cookies(make_app, make_event, make_user, monkeypatch):
    """Every Set-Cookie the site sends along a visit, with production's settings.

    A visitor opens the booking form and books; staff open the sign-in page, sign in
    and sign out. CSRF protection is on, as in production, so pages write tokens.
    """
    monkeypatch.setenv("ENGAGE_ENV", "production")  # cookie settings follow the environment
    production = make_app(WTF_CSRF_ENABLED=True)
    make_event(slug="day")
    make_user("org@example.org", password=TEST_PASSWORD)
    client = production.test_client()
    sent: list[str] = []

    def visit(method: str, path: str, data: dict | None = None):
        # Over https, Flask-WTF also wants a same-site Referer on every post.
        response = client.open(
            path, method=method, data=data, base_url=SITE, headers={"Referer": SITE + path}
        )
        assert response.status_code in (200, 302), (method, path)
        sent.extend(response.headers.getlist("Set-Cookie"))
        return response.get_data(as_text=True)

    def token(page: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]

    page = visit("GET", "/events/day/register")
    visit("POST", "/events/day/register", {**form(), "csrf_token": token(page)})
    page = visit("GET", "/account/sign-in")
    visit(
        "POST",
        "/account/sign-in",
        {"email": "org@example.org", "password": TEST_PASSWORD, "csrf_token": token(page)},
    )
    visit("POST", "/account/sign-out", {"csrf_token": token(visit("GET", "/admin/"))})
    return sent


def _attributes(cookie: str) -> set[str]:
    """A Set-Cookie header's attributes, lower-cased: {"secure", "samesite=lax", ...}."""
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_asvs_3_3_every_cookie_is_secure_http_only_and_same_site_in_production(
    production_cookies,
):
    """V3.3.1 Secure, V3.3.2 SameSite, V3.3.4 HttpOnly: for every cookie, every time it is set."""
    assert len(production_cookies) >= 4  # the visit really set cookies
    for cookie in production_cookies:
        assert {"secure", "httponly", "samesite=lax"} <= _attributes(cookie), cookie
    names = {cookie.split("=")[0] for cookie in production_cookies}
    assert "remember_token" not in names  # no long-lived "remember me" token at all


def test_asvs_3_3_3_cookies_carry_the_host_or_secure_prefix_in_production(production_cookies):
    """V3.3.3: the session cookie is __Host- (this host, https, Path=/); the device cookie,
    scoped to the sign-in page, is __Secure-; nothing else is set."""
    names = {cookie.split("=")[0] for cookie in production_cookies}
    assert names == {"__Host-session", "__Secure-engage_device"}
    for cookie in production_cookies:
        attributes = _attributes(cookie)
        assert not any(a.startswith("domain=") for a in attributes), cookie
        if cookie.startswith("__Host-"):
            assert {"secure", "path=/"} <= attributes, cookie


# --- V7.3: sessions end after inactivity and after an absolute lifetime -----------


def _signed_in_client(app, start):
    client = app.test_client()
    with time_machine.travel(start, tick=False):
        sign_in = {"email": "org@example.org", "password": TEST_PASSWORD}
        assert client.post("/account/sign-in", data=sign_in).status_code == 302
    return client


def _dashboard_at(client, when) -> str:
    with time_machine.travel(when, tick=False):
        response = client.get("/admin/")
    return "200" if response.status_code == 200 else f"{response.status_code} {response.location}"


def test_asvs_7_3_1_a_session_idle_past_the_limit_is_signed_out(app, world):
    idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    start = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    client = _signed_in_client(app, start)
    assert _dashboard_at(client, start + idle - dt.timedelta(minutes=1)) == "200"
    # That request counted as activity: the limit runs from it, not from signing in.
    later = start + 2 * idle - dt.timedelta(minutes=2)
    assert _dashboard_at(client, later) == "200"
    gone = _dashboard_at(client, later + idle + dt.timedelta(minutes=1))
    assert gone.startswith("302 /account/sign-in?next=")
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # Signed out for good: going back in time does not bring the session back.
    assert _dashboard_at(client, later).startswith("302 /account/sign-in")


def test_asvs_7_3_2_even_an_active_session_ends_after_its_absolute_lifetime(app, world):
    start = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    client = _signed_in_client(app, start)
    step = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    lifetime = dt.timedelta(hours=app.config["SESSION_MAX_HOURS"])
    when = start
    while when + step < start + lifetime:
        when += step
        assert _dashboard_at(client, when) == "200", when
    assert _dashboard_at(client, start + lifetime + dt.timedelta(minutes=1)).startswith(
        "302 /account/sign-in"
    )
