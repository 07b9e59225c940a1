"""Every accounts form refuses a POST without its CSRF token, and changes nothing."""

import re

import pytest

from engage.accounts import services
from engage.accounts.models import Role, User
from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.accounts.conftest import csrf_token
from tests.conftest import TEST_PASSWORD, hash_for_tests


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _snapshot(app):
    """Everything a refused POST must leave alone."""
    with app.app_context():
        users = [
            (
                u.id,
                u.email,
                u.name,
                u.role,
                u.can_post_news,
                u.is_enabled,
                u.session_version,
                u.password_hash,
            )
            for u in db.session.scalars(db.select(User).order_by(User.id))
        ]
        organisers = [
            (e.id, sorted(u.id for u in e.organisers)) for e in db.session.scalars(db.select(Event))
        ]
        count = lambda model: db.session.scalar(db.select(db.func.count()).select_from(model))  # noqa: E731
        return users, organisers, count(AuditEntry), count(OutboxMessage)


@pytest.fixture
def world(csrf_app, make_user, make_event):
    """An admin, an organiser assigned to an event, an invited user and a reset link."""
    admin = make_user("admin@example.org", role=Role.ADMIN, password=TEST_PASSWORD)
    organiser = make_user("org@example.org", password=TEST_PASSWORD)
    invited = make_user("invited@example.org")
    event = make_event()
    spare_event = make_event()
    links = {}
    with csrf_app.test_request_context():
        stored_event = db.session.get(Event, event.id)
        stored_event.organisers.append(db.session.get(User, organiser.id))
        db.session.commit()
        services.request_password_reset("org@example.org")
        user = db.session.get(User, invited.id)
        services.resend_invitation(user, invited_by=db.session.get(User, admin.id))
        for body in db.session.scalars(db.select(OutboxMessage.body_text)):
            for kind, path in (("reset", "/account/reset/"), ("invite", "/account/invitation/")):
                if found := re.search(re.escape(path) + r"([A-Za-z0-9_-]+)", body):
                    links[kind] = found[1]
    return {
        "admin": admin,
        "organiser": organiser,
        "invited": invited,
        "event": event,
        "spare_event": spare_event,
        **links,
    }


def _forms(world):
    """(who is signed in, path, data) for every form."""
    o, i, e, s = (
        world["organiser"].id,
        world["invited"].id,
        world["event"].id,
        world["spare_event"].id,
    )
    new = {"password": "fresh new passphrase", "confirm_password": "fresh new passphrase"}
    return [
        (None, "/account/sign-in", {"email": "org@example.org", "password": TEST_PASSWORD}),
        (None, "/account/reset", {"email": "org@example.org"}),
        (None, f"/account/reset/{world['reset']}", new),
        (None, f"/account/invitation/{world['invite']}", new),
        ("organiser", "/account/sign-out", {}),
        ("organiser", "/account/password", {"current_password": TEST_PASSWORD, **new}),
        ("admin", "/admin/users/invite", {"email": "x@example.org", "name": "X", "role": "admin"}),
        ("admin", f"/admin/users/{o}", {"name": "Changed", "role": "admin", "can_post_news": "y"}),
        ("admin", f"/admin/users/{o}/disable", {}),
        ("admin", f"/admin/users/{i}/invitation", {}),
        ("admin", f"/admin/users/{o}/events", {"event_id": s}),
        ("admin", f"/admin/users/{o}/events/{e}/remove", {}),
    ]


def test_every_form_refuses_a_post_without_the_token(csrf_app, world, sign_in):
    for who, path, data in _forms(world):
        client = csrf_app.test_client()
        if who:
            sign_in(client, world[who])
        before = _snapshot(csrf_app)
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert _snapshot(csrf_app) == before, path
        if who:
            assert client.get("/admin/").status_code == 200, path  # still signed in
        else:
            assert client.get("/admin/").status_code == 302, path


def test_enable_refuses_a_post_without_the_token(csrf_app, world, sign_in):
    with csrf_app.app_context():
        db.session.get(User, world["organiser"].id).is_enabled = False
        db.session.commit()
    client = csrf_app.test_client()
    sign_in(client, world["admin"])
    assert client.post(f"/admin/users/{world['organiser'].id}/enable").status_code == 400
    with csrf_app.app_context():
        assert db.session.get(User, world["organiser"].id).is_enabled is False


def test_forms_work_with_the_token(csrf_app, world, sign_in):
    """Control: the same posts succeed when the token is sent."""
    organiser_id = world["organiser"].id
    visitor = csrf_app.test_client()
    token = csrf_token(visitor, f"/account/reset/{world['reset']}")
    response = visitor.post(
        f"/account/reset/{world['reset']}",
        data={
            "csrf_token": token,
            "password": "fresh new passphrase",
            "confirm_password": "fresh new passphrase",
        },
    )
    assert response.status_code == 302
    with csrf_app.app_context():
        assert db.session.get(User, organiser_id).password_hash != hash_for_tests(TEST_PASSWORD)

    client = csrf_app.test_client()
    sign_in(client, world["admin"])
    token = csrf_token(client, f"/admin/users/{organiser_id}")
    response = client.post(f"/admin/users/{organiser_id}/disable", data={"csrf_token": token})
    assert response.status_code == 302
    with csrf_app.app_context():
        assert db.session.get(User, organiser_id).is_enabled is False


def test_sign_out_button_carries_the_token(csrf_app, world, sign_in):
    client = csrf_app.test_client()
    sign_in(client, world["organiser"])
    token = csrf_token(client, "/")
    assert client.post("/account/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302
