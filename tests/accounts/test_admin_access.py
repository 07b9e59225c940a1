"""Every back-office route: visitors sent to sign in, organisers refused, admins served."""

import pytest
from werkzeug.routing import Rule

from engage.accounts.models import Role
from tests.conftest import TEST_PASSWORD

# Pages every signed-in member of staff may use.
STAFF_ENDPOINTS = {"admin.dashboard", "accounts.change_password"}


def _guarded_rules(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("admin.", "organisers.")) or rule.endpoint in STAFF_ENDPOINTS
    ]


def _url(rule: Rule, user_id: int, event_id: int) -> str:
    values = {"user_id": user_id, "event_id": event_id}
    return rule.build({k: values[k] for k in rule.arguments})[1]


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


@pytest.fixture
def people(make_user, make_event):
    admin = make_user("admin@example.org", role=Role.ADMIN, password=TEST_PASSWORD)
    organiser = make_user("org@example.org", password=TEST_PASSWORD)
    target = make_user("target@example.org")
    event = make_event()
    return admin, organiser, target, event


def test_the_walk_covers_every_admin_route(app):
    endpoints = {rule.endpoint for rule in _guarded_rules(app)}
    assert {
        "admin.dashboard",
        "admin.users",
        "admin.invite",
        "admin.user",
        "admin.disable",
        "admin.enable",
        "admin.resend_invitation",
        "organisers.assign",
        "organisers.remove",
        "admin.audit",
        "accounts.change_password",
    } <= endpoints


def test_visitors_are_sent_to_sign_in(app, client, people):
    _, _, target, event = people
    for rule in _guarded_rules(app):
        url = _url(rule, target.id, event.id)
        response = client.open(url, method=_method(rule))
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/account/sign-in?next="), url


def test_organisers_are_refused_admin_pages(app, client, people, sign_in):
    _, organiser, target, event = people
    sign_in(client, organiser)
    for rule in _guarded_rules(app):
        url = _url(rule, target.id, event.id)
        response = client.open(url, method=_method(rule))
        expected = 200 if rule.endpoint in STAFF_ENDPOINTS else 403
        assert response.status_code == expected, url


def test_admins_are_served(app, client, people, sign_in):
    admin, _, target, event = people
    sign_in(client, admin)
    for rule in _guarded_rules(app):
        url = _url(rule, target.id, event.id)
        response = client.open(url, method=_method(rule))
        if _method(rule) == "GET":
            assert response.status_code == 200, url
        else:  # an empty POST: a redirect back or a form error, never refused
            assert response.status_code in (302, 400), url
            assert not response.headers.get("Location", "").startswith("/account/sign-in"), url


def test_a_disabled_admin_is_a_visitor_again(app, client, people, sign_in, make_user):
    admin, *_ = people
    sign_in(client, admin)
    other_admin = make_user("second@example.org", role=Role.ADMIN)
    second = app.test_client()
    sign_in(second, other_admin)
    second.post(f"/admin/users/{admin.id}/disable")
    assert client.get("/admin/users").status_code == 302


def test_the_back_office_always_links_its_features(client, people, login_as):
    """The links are always built with url_for: a renamed endpoint fails loudly, not silently."""
    admin, organiser, *_ = people
    login_as(client, organiser)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/events/"' in dashboard and 'href="/admin/news/"' not in dashboard
    login_as(client, admin)
    assert 'href="/admin/news/"' in client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/events/", "/admin/news/"):
        page = client.get(path).get_data(as_text=True)
        assert '<li><a href="/admin/">Admin</a></li>' in page, path
