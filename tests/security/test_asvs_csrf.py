"""Forged requests change nothing: ASVS 5.0 V3.5.1 (anti-forgery tokens) and V3.5.3 (no GET changes).

Both walks read the app's URL map when they run, so a new route is walked the moment
it exists. tests/core/test_manage_csrf.py and tests/accounts/test_csrf.py check the
back-office and accounts forms one by one (with a control that the token lets a post
through); this walk covers every POST route, as a form post and as JSON, and proves by
reading every row that nothing was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import pytest

from engage.audit.services import record
from engage.db import transaction
from engage.extensions import csrf
from tests.security.test_asvs_form_fuzz import FORMS
from tests.security.world import changed_tables, sign_in_as, snapshot, url_for_rule

# What each form's POST would carry: enough to change something if the token were not checked.
BODIES = {
    "registrations.register": "registration",
    "registrations.link_again": "link again",
    "registrations.edit": "self-service edit",
    "registrations.withdraw": "withdraw consent",
    "accounts.sign_in": "sign in",
    "accounts.reset_request": "reset request",
    "accounts.reset_password": "reset password",
    "accounts.accept_invitation": "accept invitation",
    "accounts.change_password": "change password",
    "admin.invite": "invite",
    "admin.user": "user edit",
    "organisers.assign": "assign organiser",
    "organisations.new": "organisation add",
    "organisations.edit": "organisation edit",
    "manage_events.create": "event create",
    "manage_events.edit": "event edit",
    "manage_events.add_session": "session add",
    "manage_events.edit_session": "session edit",
    "manage_events.add_question": "question add",
    "manage_events.edit_question": "question edit",
    "manage_events.cancel": "cancel event",
    "manage_events.add_resource": "resource add",
    "manage_events.edit_resource": "resource edit",
    "attendee_record.details": "attendee details",
    "attendee_record.workshops": "attendee workshops",
    "attendee_record.new": "attendee add",
    "attendee_record.cancel": "attendee cancel",
    "checkin.desk": "check-in box",
    "checkin.walk_in": "walk-in",
    "manage_news.create": "news create",
    "manage_news.edit": "news edit",
    "privacy.index": "privacy lookup",
    "privacy.download_file": "privacy download",
    "privacy.erase": "privacy erase",
    "consents.edit": "consent wording",
    "feedback.answer": "feedback survey",
    "manage_feedback.index": "survey settings",
    "manage_feedback.add_question": "survey question add",
    "manage_feedback.edit_question": "survey question edit",
}


ROLES = ("visitor", "organiser", "admin")


@pytest.fixture
def app(make_app):
    """The app with CSRF protection on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


def _rules(app, method: str) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in rule.methods),
        key=lambda rule: rule.rule,
    )


def walk(app, requests: list[tuple[str, Callable]], expect: Callable[[int], bool]) -> list[str]:
    """Send each (label, send) request: the unexpected answers, and the requests that wrote.

    Every row is read before and after the whole walk; only if something changed is each
    request sent again between two readings, to name the one that wrote (if it writes
    again: a sign-out that got through has nobody left to sign out the second time).
    """
    before = snapshot(app)
    problems = [
        f"{label}: {response.status}"
        for label, send in requests
        if not expect((response := send()).status_code)
    ]
    if written := changed_tables(before, snapshot(app)):
        problems.append(f"the walk wrote to {written}")
        for label, send in requests:
            start = snapshot(app, only=written)
            send()
            if written_now := changed_tables(start, snapshot(app, only=written)):
                problems.append(f"{label}: wrote to {written_now}")
    return problems


def forgery_walk(app, world: dict) -> list[str]:
    """Post to every POST route without a token, signed in as an admin: what got through."""
    client = app.test_client()
    sign_in_as(client, app, world["admin"])
    requests = []
    for rule in _rules(app, "POST"):
        url = url_for_rule(app, rule, world)
        form = BODIES.get(rule.endpoint)
        body = FORMS[form].valid(world) if form else {"direction": "up"}
        requests += [
            (f"POST {url} (form)", partial(client.post, url, data=body)),
            (f"POST {url} (JSON)", partial(client.post, url, json={**body, "csrf_token": "x"})),
        ]
    return walk(app, requests, lambda status: status == 400)


def test_asvs_3_5_1_every_post_route_refuses_a_post_without_the_token(app, world):
    assert len(_rules(app, "POST")) >= 30  # the walk reaches every form
    assert forgery_walk(app, world) == []


def test_the_forgery_walk_reports_an_exempt_route(app, world, monkeypatch):
    """Control: a view left out of CSRF protection is caught."""
    monkeypatch.setattr(csrf, "_exempt_views", {"engage.accounts.views.sign_out"})
    problems = forgery_walk(app, world)
    assert "POST /account/sign-out (form): 302 FOUND" in problems
    assert "the walk wrote to ['audit_entries', 'users']" in problems


def change_walk(app, world: dict, roles: tuple[str, ...] = ROLES) -> list[str]:
    """GET every GET route as a visitor, an organiser and an admin: 500s, and routes that wrote."""
    requests = []
    for who in roles:
        client = app.test_client()
        sign_in_as(client, app, world.get(who))
        requests += [
            (f"GET {url} as {who}", partial(client.get, url))
            for url in (url_for_rule(app, rule, world) for rule in _rules(app, "GET"))
        ]
    return walk(app, requests, lambda status: status < 500)


def test_asvs_3_5_3_no_get_route_changes_anything(app, world):
    assert change_walk(app, world) == []


def test_the_change_walk_reports_a_get_that_writes(app, world):
    """Control: a page that writes when it is only read is caught."""

    def leaky():
        with transaction():
            record("page.viewed", summary="a GET that writes")
        return "seen"

    app.add_url_rule("/leaky", "leaky", leaky)
    assert change_walk(app, world, roles=("visitor",)) == [
        "the walk wrote to ['audit_entries']",
        "GET /leaky as visitor: wrote to ['audit_entries']",
    ]


def _as_a_browser_posts(client, url: str, body: dict):
    """GET the form over https, then post it with the token, and the Referer a browser sends.

    A same-origin form post carries a Referer unless the page said "no-referrer"; over
    https Flask-WTF refuses a post without one (WTF_CSRF_SSL_STRICT).
    """
    site = "https://localhost"
    page = client.get(url, base_url=site)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))[1]
    sent = page.headers.get("Referrer-Policy") != "no-referrer"
    headers = {"Referer": site + url} if sent else {}
    return client.post(url, data={**body, "csrf_token": token}, base_url=site, headers=headers)


def test_asvs_3_5_1_attendees_forms_work_over_https_as_a_browser_posts_them(app, world):
    client = app.test_client()
    booking = _as_a_browser_posts(
        client, "/events/day/register", FORMS["registration"].valid(world)
    )
    change = _as_a_browser_posts(
        client,
        f"/registrations/{world['registration_token']}/edit",
        FORMS["self-service edit"].valid(world),
    )
    assert (booking.status_code, change.status_code) == (302, 302)


def test_staff_forms_work_over_https_as_a_browser_posts_them(app, world):
    """Control for the check above: a staff page posts fine over https too."""
    client = app.test_client()
    sign_in_as(client, app, world["admin"])
    response = _as_a_browser_posts(client, "/admin/users/invite", FORMS["invite"].valid(world))
    assert response.status_code == 302
