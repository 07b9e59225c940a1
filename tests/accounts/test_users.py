"""Admins manage accounts: invite, change role, news permission, events, disable."""

import datetime as dt

import pytest

from engage.accounts import manage_services
from engage.accounts.models import Role, User
from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from tests.accounts.conftest import audit_actions, fresh


@pytest.fixture
def admin_client(app, admin, sign_in):
    client = app.test_client()
    sign_in(client, admin)
    return client


def _user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(User.id)))


def test_users_list_shows_every_account(admin_client, organiser, make_user):
    make_user("pending@example.org", name="Pending Person")
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Ada Admin" in page and "Olu Organiser" in page and "Pending Person" in page
    assert "Invited" in page and "Active" in page


def test_invite_form_errors_keep_what_was_typed(app, admin_client, organiser):
    response = admin_client.post(
        "/admin/users/invite",
        data={"email": "ORG@example.org", "name": "Someone Typed", "role": "organiser"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page and "already exists" in page
    assert 'value="Someone Typed"' in page
    bad = admin_client.post(
        "/admin/users/invite", data={"email": "nope", "name": "", "role": "owner"}
    ).get_data(as_text=True)
    assert "correct format" in bad and "Enter their full name" in bad
    assert _user_count(app) == 2


def test_change_role_and_news_permission(app, admin_client, organiser):
    response = admin_client.post(
        f"/admin/users/{organiser.id}",
        data={"name": "Olu O.", "role": "admin", "can_post_news": "y"},
    )
    assert response.status_code == 302
    changed = fresh(app, organiser.id)
    assert (changed.name, changed.role, changed.can_post_news) == ("Olu O.", Role.ADMIN, True)
    with app.app_context():
        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "user.updated")
        ).one()
        assert "role organiser to admin" in entry.summary
        assert "may post news no to yes" in entry.summary
        assert entry.actor_label == "admin@example.org"

    admin_client.post(f"/admin/users/{organiser.id}", data={"name": "Olu O.", "role": "organiser"})
    assert fresh(app, organiser.id).can_post_news is False


def test_the_last_admin_cannot_demote_or_disable_themselves(app, admin, admin_client):
    response = admin_client.post(
        f"/admin/users/{admin.id}", data={"name": "Ada Admin", "role": "organiser"}
    )
    assert response.status_code == 400
    assert "only admin" in response.get_data(as_text=True)
    assert fresh(app, admin.id).role == Role.ADMIN

    response = admin_client.post(f"/admin/users/{admin.id}/disable", follow_redirects=True)
    assert "You cannot disable the only admin" in response.get_data(as_text=True)
    assert fresh(app, admin.id).is_enabled is True
    assert admin_client.get("/admin/users").status_code == 200


def test_an_admin_may_step_down_when_another_admin_remains(app, admin, admin_client, make_user):
    make_user("second@example.org", role=Role.ADMIN)
    response = admin_client.post(
        f"/admin/users/{admin.id}", data={"name": "Ada Admin", "role": "organiser"}
    )
    assert response.status_code == 302
    assert fresh(app, admin.id).role == Role.ORGANISER
    assert admin_client.get("/admin/users").status_code == 403


def test_a_disabled_admin_does_not_count_as_the_other_admin(app, admin, admin_client, make_user):
    make_user("gone@example.org", role=Role.ADMIN, is_enabled=False)
    admin_client.post(f"/admin/users/{admin.id}/disable")
    assert fresh(app, admin.id).is_enabled is True


def test_disable_and_enable(app, admin_client, organiser):
    admin_client.post(f"/admin/users/{organiser.id}/disable")
    assert fresh(app, organiser.id).is_enabled is False
    admin_client.post(f"/admin/users/{organiser.id}/enable")
    assert fresh(app, organiser.id).is_enabled is True
    assert audit_actions(app)[-2:] == ["user.disabled", "user.enabled"]


def test_assign_and_remove_events(app, admin_client, organiser, make_event):
    event = make_event(title="Engagement Day")
    page = admin_client.get(f"/admin/users/{organiser.id}").get_data(as_text=True)
    assert "Engagement Day" in page and "Assign to event" in page

    assert (
        admin_client.post(
            f"/admin/users/{organiser.id}/events", data={"event_id": event.id}
        ).status_code
        == 302
    )
    with app.app_context():
        assert [u.id for u in db.session.get(Event, event.id).organisers] == [organiser.id]

    missing = admin_client.post(f"/admin/users/{organiser.id}/events", data={"event_id": 999})
    assert missing.status_code == 400

    admin_client.post(f"/admin/users/{organiser.id}/events/{event.id}/remove")
    with app.app_context():
        assert db.session.get(Event, event.id).organisers == []
    assert audit_actions(app)[-2:] == ["user.event_assigned", "user.event_removed"]


def test_missing_users_and_events_are_404(admin_client, organiser):
    assert admin_client.get("/admin/users/999").status_code == 404
    assert admin_client.post("/admin/users/999/disable").status_code == 404
    assert admin_client.post(f"/admin/users/{organiser.id}/events/999/remove").status_code == 404


def test_audit_log_is_newest_first_and_paginated(app, admin_client):
    with app.app_context():
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for n in range(60):
            db.session.add(
                AuditEntry(action=f"test.entry{n}", at=start + dt.timedelta(hours=n), summary="")
            )
        db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert first.index("test.entry59") < first.index("test.entry20")
    assert "test.entry5<" not in first and "Page 1 of 2" in first
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "test.entry5<" in second
    assert admin_client.get("/admin/audit?page=9").status_code == 404


def test_last_admin_rule_as_a_service(app, admin):
    with app.app_context():
        user = db.session.get(User, admin.id)
        with pytest.raises(manage_services.LastAdmin):
            manage_services.set_enabled(user, False)
        with pytest.raises(manage_services.LastAdmin):
            manage_services.update_user(user, name="A", role=Role.ORGANISER, can_post_news=False)
        assert db.session.get(User, admin.id).is_admin


def test_a_refused_assignment_shows_its_error_and_keeps_the_user_form(
    admin_client, organiser, make_event
):
    make_event(title="Engagement Day")
    response = admin_client.post(f"/admin/users/{organiser.id}/events", data={"event_id": "999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: " in page and 'href="#event_id"' in page
    assert 'value="Olu Organiser"' in page  # the other form still shows the saved values
