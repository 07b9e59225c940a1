"""Signing in and out: sessions renewed at sign-in and killed on the server side."""

import datetime as dt

import pytest
import time_machine

from engage.accounts import services
from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from tests.accounts.conftest import audit_actions, fresh
from tests.conftest import TEST_PASSWORD, hash_for_tests


def _post_sign_in(client, email, password, **kwargs):
    return client.post("/account/sign-in", data={"email": email, "password": password}, **kwargs)


def test_sign_in_page_shows_the_form(client):
    page = client.get("/account/sign-in").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert ">Sign in</button>" in page
    assert 'autocomplete="current-password"' in page


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC), tick=False)
def test_signing_in_records_and_audits(app, client, organiser):
    response = _post_sign_in(client, "ORG@example.org ", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert fresh(app, organiser.id).last_sign_in_at == dt.datetime(
        2026, 11, 26, 10, 0, tzinfo=dt.UTC
    )
    assert audit_actions(app) == ["account.signed_in"]


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client, organiser):
    wrong = _post_sign_in(client, "org@example.org", "not the password")
    unknown = _post_sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert "Enter a correct email address and password" in wrong.get_data(as_text=True)

    def without_email(response):
        page = response.get_data(as_text=True)
        return page.replace("org@example.org", "X").replace("nobody@example.org", "X")

    assert without_email(wrong) == without_email(unknown)
    assert "<title>Error: " in wrong.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_failed_sign_ins_are_audited_without_the_password(app, client, organiser):
    _post_sign_in(client, "org@example.org", "secret guess 12345")
    with app.app_context():
        [entry] = db.session.scalars(db.select(AuditEntry)).all()
        assert entry.action == "account.sign_in_failed"
        assert "org@example.org" in entry.summary
        assert "secret guess" not in entry.summary


def test_disabled_and_invited_accounts_cannot_sign_in(app, client, make_user):
    make_user("off@example.org", password=TEST_PASSWORD, is_enabled=False)
    make_user("invited@example.org")  # no password yet
    assert _post_sign_in(client, "off@example.org", TEST_PASSWORD).status_code == 400
    assert _post_sign_in(client, "invited@example.org", "").status_code == 200  # form error
    assert _post_sign_in(client, "invited@example.org", "anything at all").status_code == 400


def test_an_old_hash_is_upgraded_at_sign_in(app, client, make_user):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(TEST_PASSWORD)
    user = make_user("old@example.org", password_hash=weak)
    assert _post_sign_in(client, "old@example.org", TEST_PASSWORD).status_code == 302
    upgraded = fresh(app, user.id).password_hash
    assert upgraded != weak and not services.passwords.needs_rehash(upgraded)


def test_the_session_is_renewed_at_sign_in(app, organiser):
    victim = app.test_client()
    with victim.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before = victim.get_cookie("session").value
    attacker = app.test_client()
    attacker.set_cookie("session", before)

    assert _post_sign_in(victim, "org@example.org", TEST_PASSWORD).status_code == 302
    with victim.session_transaction() as renewed:
        assert "planted" not in renewed
        assert renewed["_user_id"] == f"{organiser.id}:1"
    assert victim.get_cookie("session").value != before
    # The cookie the attacker held before sign-in is still a visitor's.
    assert attacker.get("/admin/").status_code == 302


def test_a_copied_cookie_stops_working_after_sign_out(app, client, organiser, sign_in):
    sign_in(client, organiser)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/admin/").status_code == 200

    response = client.post("/account/sign-out")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/admin/").status_code == 302
    assert copy.get("/admin/").status_code == 302  # dead on the server side, not just deleted
    assert fresh(app, organiser.id).session_version == 2
    assert "account.signed_out" in audit_actions(app)


def test_the_copied_cookie_check_catches_a_sign_out_that_only_clears_the_cookie(
    app, client, organiser, sign_in, monkeypatch
):
    """Control: without the server-side bump, the copy would still work."""
    monkeypatch.setattr(services, "end_sessions", lambda user: None)
    sign_in(client, organiser)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    client.post("/account/sign-out")
    assert copy.get("/admin/").status_code == 200


def test_disabling_a_user_ends_all_their_sessions(app, admin, organiser, sign_in):
    laptop, phone, admin_client = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, organiser)
    sign_in(phone, organiser)
    sign_in(admin_client, admin)
    assert admin_client.post(f"/admin/users/{organiser.id}/disable").status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302
    assert _post_sign_in(app.test_client(), "org@example.org", TEST_PASSWORD).status_code == 400


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, organiser, sign_in):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, organiser)
    sign_in(elsewhere, organiser)
    response = here.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    assert services.passwords.verify_password(
        fresh(app, organiser.id).password_hash, "a brand new passphrase"
    )
    assert "account.password_changed" in audit_actions(app)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "current_password": "wrong one!",
                "password": "new passphrase",
                "confirm_password": "new passphrase",
            },
            "current_password",
            "Your current password is not correct",
        ),
        (
            {
                "current_password": TEST_PASSWORD,
                "password": "password1",
                "confirm_password": "password1",
            },
            "password",
            "too common",
        ),
        (
            {
                "current_password": TEST_PASSWORD,
                "password": "new passphrase",
                "confirm_password": "other passphrase",
            },
            "confirm_password",
            "do not match",
        ),
    ],
)
def test_change_password_errors(app, client, organiser, sign_in, data, field, message):
    sign_in(client, organiser)
    response = client.post("/account/password", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page and message in page and f'href="#{field}"' in page
    assert fresh(app, organiser.id).password_hash == hash_for_tests(TEST_PASSWORD)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "///evil.example/",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/%0a/evil.example".replace("%0a", "\n"),
        " //evil.example",
        "evil.example",
        "data:text/html,hi",
    ],
)
def test_next_never_leaves_the_site(client, organiser, target):
    response = client.post(
        "/account/sign-in",
        query_string={"next": target},
        data={"email": "org@example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_may_go_to_a_path_on_this_site(client, organiser):
    page = client.get("/admin/users?x=1", follow_redirects=False)
    assert page.headers["Location"].startswith("/account/sign-in?next=")
    response = client.post(
        "/account/sign-in",
        query_string={"next": "/account/password?from=1"},
        data={"email": "org@example.org", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/account/password?from=1"


def _session_cookie(response, name: str = "session") -> str:
    # Sign-in also sets the device cookie (tests/security/test_device_cookies.py).
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    return cookie


def test_session_cookie_flags(app, organiser):
    client = app.test_client()
    response = _post_sign_in(client, "org@example.org", TEST_PASSWORD)
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests use plain http


def test_session_cookie_is_secure_in_production(make_app, make_user, monkeypatch):
    monkeypatch.setenv("ENGAGE_ENV", "production")
    production = make_app()  # settings read from the environment, as in a deployment
    make_user("org@example.org", password=TEST_PASSWORD)
    response = _post_sign_in(production.test_client(), "org@example.org", TEST_PASSWORD)
    assert response.status_code == 302
    cookie = _session_cookie(response, "__Host-session")  # the prefix: this host only
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_navigation_offers_the_right_links(client, organiser, sign_in):
    visitor = client.get("/").get_data(as_text=True)
    assert 'href="/account/sign-in">Staff sign in' in visitor
    assert "Back office" not in visitor and "Sign out" not in visitor
    sign_in(client, organiser)
    staff = client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in staff and "Back office" in staff
    assert 'action="/account/sign-out"' in staff and ">Sign out</button>" in staff
    assert "Staff sign in" not in staff


def test_dashboard_links_only_to_what_the_user_may_use(client, admin, organiser, sign_in):
    sign_in(client, organiser)
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/users" not in page and "/admin/audit" not in page
    assert "/account/password" in page
    client.post("/account/sign-out")
    sign_in(client, admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/users" in page and "/admin/audit" in page
    assert Role.ADMIN.value in page


def test_other_features_may_sign_in_by_writing_the_session(app, client, organiser):
    """Tests elsewhere write Flask-Login's _user_id; a stale version is refused."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{organiser.id}:{organiser.session_version}"
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["_user_id"] = f"{organiser.id}:{organiser.session_version + 1}"
    assert client.get("/admin/").status_code == 302
