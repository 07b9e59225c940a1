"""Password reset and invitation links: single use, short-lived, stored only as hashes."""

import datetime as dt
import re

import pytest
import time_machine

from engage.accounts import passwords
from engage.accounts.models import AccountToken, Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.accounts.conftest import audit_actions, fresh
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "another fine passphrase"
START = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
        for message in messages:
            db.session.expunge(message)
        return messages


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://\S+", message.body_text)[0]


def _path(link: str) -> str:
    return link.removeprefix("http://127.0.0.1:5000")


def _set_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm_password": confirm or password})


def test_reset_answers_the_same_whether_or_not_the_account_exists(app, client, organiser):
    known = client.post("/account/reset", data={"email": "org@example.org"})
    unknown = client.post("/account/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("org@", "nobody@") == unknown.get_data(as_text=True)
    [message] = _outbox(app)
    assert message.to_address == "org@example.org" and message.kind == "password_reset"


def test_reset_link_is_long_random_hashed_and_built_from_site_url(app, client, organiser):
    client.post(
        "/account/reset", data={"email": "org@example.org"}, headers={"Host": "evil.example"}
    )
    [message] = _outbox(app)
    link = _link(message)
    assert link.startswith("http://127.0.0.1:5000/account/reset/")  # never the Host header
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 bytes of randomness, base64url
    with app.app_context():
        [stored] = db.session.scalars(db.select(AccountToken)).all()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        assert stored.expires_at - stored.created_at <= dt.timedelta(hours=1)
        audit = " ".join(db.session.scalars(db.select(AuditEntry.summary)))
        assert token not in audit


def test_reset_sets_the_password_once_and_ends_sessions(app, client, organiser, sign_in):
    elsewhere = app.test_client()
    sign_in(elsewhere, organiser)
    client.post("/account/reset", data={"email": "org@example.org"})
    path = _path(_link(_outbox(app)[0]))

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    response = _set_password(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/account/sign-in"
    assert passwords.verify_password(fresh(app, organiser.id).password_hash, NEW_PASSWORD)
    assert elsewhere.get("/admin/").status_code == 302  # every device signed out
    assert "account.password_reset" in audit_actions(app)

    # Used once: the same link does nothing the second time.
    again = _set_password(client, path, password="yet another passphrase")
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    assert passwords.verify_password(fresh(app, organiser.id).password_hash, NEW_PASSWORD)


def test_reset_link_expires_within_an_hour(app, client, organiser):
    with time_machine.travel(START, tick=False) as clock:
        client.post("/account/reset", data={"email": "org@example.org"})
        path = _path(_link(_outbox(app)[0]))
        clock.shift(dt.timedelta(minutes=59))
        assert client.get(path).status_code == 200
        clock.shift(dt.timedelta(minutes=2))
        assert client.get(path).status_code == 404
        assert _set_password(client, path).status_code == 404
    assert passwords.verify_password(fresh(app, organiser.id).password_hash, TEST_PASSWORD)


def test_a_rejected_new_password_keeps_the_link_usable(app, client, organiser):
    client.post("/account/reset", data={"email": "org@example.org"})
    path = _path(_link(_outbox(app)[0]))
    response = _set_password(client, path, password="password1")
    assert response.status_code == 200 and "too common" in response.get_data(as_text=True)
    mismatch = _set_password(client, path, password=NEW_PASSWORD, confirm="something else here")
    assert "do not match" in mismatch.get_data(as_text=True)
    assert _set_password(client, path).status_code == 302


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "y" * 500])
def test_unknown_tokens_are_refused(client, token):
    assert client.get(f"/account/reset/{token}").status_code == 404
    assert client.get(f"/account/invitation/{token}").status_code == 404


def test_a_reset_token_is_not_an_invitation_token(app, client, organiser):
    client.post("/account/reset", data={"email": "org@example.org"})
    token = _link(_outbox(app)[0]).rsplit("/", 1)[1]
    assert client.get(f"/account/invitation/{token}").status_code == 404


def test_reset_emails_to_one_inbox_are_limited(app, client, organiser):
    for _ in range(5):
        client.post("/account/reset", data={"email": "org@example.org"})
    assert len(_outbox(app)) == 3


def test_invitation_lets_the_person_set_a_password_and_signs_them_in(app, client, admin, sign_in):
    sign_in(client, admin)
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "New.Person@Example.org",
            "name": "New Person",
            "role": "organiser",
            "can_post_news": "y",
        },
    )
    assert response.status_code == 302
    [message] = _outbox(app)
    assert message.kind == "organiser_invitation" and message.to_address == "new.person@example.org"
    assert "Ada Admin has invited you" in message.body_text
    assert "user.invited" in audit_actions(app)

    invited = app.test_client()
    path = _path(_link(message))
    assert "Set your password" in invited.get(path).get_data(as_text=True)
    response = _set_password(invited, path)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert invited.get("/admin/").status_code == 200
    assert _set_password(app.test_client(), path).status_code == 404  # single use
    assert "account.invitation_accepted" in audit_actions(app)


def test_invitations_expire_after_seven_days(app, client, admin, sign_in):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, admin)
        client.post(
            "/admin/users/invite",
            data={"email": "late@example.org", "name": "Late", "role": "organiser"},
        )
        path = _path(_link(_outbox(app)[0]))
        clock.shift(dt.timedelta(days=7, minutes=1))
        assert app.test_client().get(path).status_code == 404


def test_resending_an_invitation_replaces_the_old_link(app, client, admin, sign_in, make_user):
    sign_in(client, admin)
    client.post(
        "/admin/users/invite",
        data={"email": "slow@example.org", "name": "Slow", "role": "organiser"},
    )
    assert len(_outbox(app)) == 1
    with app.app_context():
        user_id = db.session.scalar(db.select(AccountToken.user_id))
    assert client.post(f"/admin/users/{user_id}/invitation").status_code == 302
    old, new = _outbox(app)
    assert app.test_client().get(_path(_link(old))).status_code == 404
    assert app.test_client().get(_path(_link(new))).status_code == 200
    assert fresh(app, user_id).role == Role.ORGANISER
