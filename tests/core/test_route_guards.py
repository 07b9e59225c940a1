"""Every route in the URL map answers each kind of visitor as the table below says.

The test is parametrised from the app's URL map at collection time, so a new
route is tested the moment it exists. A route must be classified: by its
endpoint in EXPECTED, or by PREFIX_RULES (anything under /admin/ needs a
signed-in member of staff). A route that is neither fails as "unclassified".
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from flask import url_for

from engage import create_app
from engage.accounts.models import Role
from engage.events.models import EventQuestion, EventSession, QuestionKind, SessionKind
from tests.conftest import TEST_CONFIG

ROLES = ("visitor", "other_organiser", "own_organiser", "admin")

# What each kind of route answers each role. "ok" is 200 for GET (a redirect
# elsewhere than sign-in for POST); "sign_in" is a redirect to the sign-in page,
# or 401 while no sign-in page exists.
PUBLIC = {"visitor": "ok", "other_organiser": "ok", "own_organiser": "ok", "admin": "ok"}
STAFF = {"visitor": "sign_in", "other_organiser": "ok", "own_organiser": "ok", "admin": "ok"}
EVENT_STAFF = {"visitor": "sign_in", "other_organiser": "404", "own_organiser": "ok", "admin": "ok"}
# The other organiser may not post news; the own organiser may.
NEWS_EDITOR = {"visitor": "sign_in", "other_organiser": "403", "own_organiser": "ok", "admin": "ok"}
ADMIN_ONLY = {"visitor": "sign_in", "other_organiser": "403", "own_organiser": "403", "admin": "ok"}
# Staff routes added elsewhere and classified only by their /admin/ prefix: visitors are
# turned away; organisers may be allowed or refused; an admin is let in.
ANY_STAFF = {"visitor": "sign_in", "other_organiser": "any", "own_organiser": "any", "admin": "ok"}
# Pages behind a secret token: a made-up token is the same 404 for everyone.
BAD_TOKEN = {"visitor": "404", "other_organiser": "404", "own_organiser": "404", "admin": "404"}

EXPECTED: dict[str, dict[str, str]] = {
    "static": PUBLIC,
    "public.home": PUBLIC,
    "public.privacy": PUBLIC,
    "public.accessibility": PUBLIC,
    "news.index": PUBLIC,
    "news.detail": PUBLIC,
    "news.feed": PUBLIC,
    "events.index": PUBLIC,
    "events.detail": PUBLIC,
    "events.event_ics": PUBLIC,
    "events.feed_ics": PUBLIC,
    "registrations.register": PUBLIC,
    "registrations.confirmation": PUBLIC,
    **{
        f"registrations.{name}": BAD_TOKEN
        for name in ("manage", "edit", "cancel", "leave_waitlist")
    },
    "accounts.sign_in": PUBLIC,
    "accounts.sign_out": PUBLIC,
    "accounts.reset_request": PUBLIC,
    "accounts.reset_password": BAD_TOKEN,
    "accounts.accept_invitation": BAD_TOKEN,
    "accounts.change_password": STAFF,
    "admin.dashboard": STAFF,
    **{
        f"admin.{name}": ADMIN_ONLY
        for name in (
            "users",
            "user",
            "invite",
            "disable",
            "enable",
            "assign_event",
            "remove_event",
            "resend_invitation",
            "audit",
        )
    },
    "manage_events.messages": EVENT_STAFF,
    "mail.messages": ADMIN_ONLY,
    "mail.retry_message": ADMIN_ONLY,
    "manage_news.index": NEWS_EDITOR,
    "manage_news.create": NEWS_EDITOR,
    "manage_news.edit": NEWS_EDITOR,
    "manage_news.unpublish": NEWS_EDITOR,
    "manage_events.index": STAFF,
    "manage_events.create": STAFF,
    **{
        f"manage_events.{name}": EVENT_STAFF
        for name in (
            "show",
            "edit",
            "publish",
            "unpublish",
            "cancel",
            "add_session",
            "edit_session",
            "delete_session",
            "add_question",
            "edit_question",
            "delete_question",
            "move_question",
        )
    },
}
PREFIX_RULES = (("/admin/", ANY_STAFF), ("/admin", ANY_STAFF))
# Public pages that name a draft by its slug must answer 404 to everyone.
HIDES_DRAFTS = ("news.detail", "events.detail", "events.event_ics")


def classify(endpoint: str, path: str) -> dict[str, str] | None:
    """The expectation for a route, or None if it is unclassified."""
    if endpoint in EXPECTED:
        return EXPECTED[endpoint]
    for prefix, expectation in PREFIX_RULES:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return expectation
    return None


def _rules():
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
    )


RULES = _rules()


def problem(expected: str, status: int, location: str, sign_in_path: str | None) -> str | None:
    """What is wrong with an answer, or None if it is what the table says."""
    redirected_to_sign_in = (
        sign_in_path is not None
        and status in (302, 303)
        and urlsplit(location).path == sign_in_path
    )
    if expected == "sign_in":
        if sign_in_path is None:
            return None if status == 401 else f"expected 401, got {status}"
        return None if redirected_to_sign_in else f"expected sign-in redirect, got {status}"
    if status >= 500:
        return f"server error {status}"
    if expected == "ok":
        if status == 200 or (status in (302, 303) and not redirected_to_sign_in and location):
            return None
        return f"expected 200, got {status} {location}"
    if expected == "any":
        return (
            None
            if status in (200, 302, 303, 403, 404) and not redirected_to_sign_in
            else (f"unexpected {status} {location}")
        )
    return None if str(status) == expected else f"expected {expected}, got {status}"


# --- the world the routes are walked in ----------------------------------------


@pytest.fixture
def world(app, make_user, make_event, make_news):
    """Users of each role and an event (with a session and a question) run by one of them."""
    from engage.events.models import event_organisers
    from engage.extensions import db

    users = {
        "admin": make_user("admin@example.org", role=Role.ADMIN),
        "own_organiser": make_user("own@example.org", can_post_news=True),
        "other_organiser": make_user("other@example.org"),
    }
    event = make_event(slug="own-event")
    theirs = make_event(slug="their-event")
    draft_event = make_event(slug="draft-event", is_published=False)
    news = make_news(slug="published-news")
    draft_news = make_news(slug="draft-news", published_at=None)
    with app.app_context():
        for owned, user in ((event, "own_organiser"), (theirs, "other_organiser")):
            db.session.execute(
                event_organisers.insert().values(event_id=owned.id, user_id=users[user].id)
            )
        session = EventSession(
            event_id=event.id,
            kind=SessionKind.WORKSHOP,
            title="W",
            starts_at=event.starts_at,
            ends_at=event.starts_at + dt.timedelta(hours=1),
        )
        question = EventQuestion(event_id=event.id, kind=QuestionKind.TEXT, label="Q")
        db.session.add_all([session, question])
        db.session.commit()
        values = {
            "event_id": event.id,
            "session_id": session.id,
            "question_id": question.id,
            "item_id": news.id,
            "news_id": news.id,
            "user_id": users["own_organiser"].id,
            "filename": "css/engage.css",
        }
    return {
        "users": users,
        "values": values,
        "slugs": {"events": event.slug, "news": news.slug},
        "draft_slugs": {"events": draft_event.slug, "news": draft_news.slug},
    }


def _url(app, endpoint: str, path: str, world: dict, slugs: dict) -> str:
    with app.test_request_context():
        rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == path)
        values = {}
        for name in rule.arguments:
            if name == "token":
                values[name] = "not-a-real-token-" + "x" * 30
            elif name == "slug":
                values[name] = slugs["news" if path.startswith("/news") else "events"]
            elif name in world["values"]:
                values[name] = world["values"][name]
            else:
                # A variable this table does not know yet: an id nothing has. The
                # guard is still checked; an admin may then see 404.
                values[name] = 987654
        return url_for(endpoint, **values)


def _sign_in_path(app) -> str | None:
    if "accounts.sign_in" not in app.view_functions:
        return None
    with app.test_request_context():
        return url_for("accounts.sign_in")


@pytest.mark.parametrize(
    ("endpoint", "path", "methods"), RULES, ids=[f"{e} {p}" for e, p, _ in RULES]
)
def test_route_answers_each_role_as_classified(app, world, login_as, endpoint, path, methods):
    expectation = classify(endpoint, path)
    if expectation is None:
        pytest.fail(f"unclassified route {path} ({endpoint}): add it to EXPECTED in {__file__}")
    method = "GET" if "GET" in methods else methods[0]
    url = _url(app, endpoint, path, world, world["slugs"])
    unknown_ids = "987654" in url
    sign_in_path = _sign_in_path(app)
    failures = []
    for role in ROLES:
        client = app.test_client()
        if role != "visitor":
            login_as(client, world["users"][role])
        response = client.open(url, method=method)
        expected = expectation[role]
        if unknown_ids and expected == "ok":
            expected = "any"
        if method == "POST" and expected == "ok" and response.status_code == 400:
            continue  # let in: the view itself refused the empty form
        location = response.headers.get("Location", "")
        found = problem(expected, response.status_code, location, sign_in_path)
        if found:
            failures.append(f"{role}: {method} {url}: {found}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", HIDES_DRAFTS)
def test_public_pages_hide_drafts_from_everyone(app, world, login_as, endpoint):
    path = next(p for e, p, _ in RULES if e == endpoint)
    url = _url(app, endpoint, path, world, world["draft_slugs"])
    for role in ROLES:
        client = app.test_client()
        if role != "visitor":
            login_as(client, world["users"][role])
        assert client.get(url).status_code == 404, role


# --- controls: the walk would catch a mistake -----------------------------------


def test_an_unclassified_route_is_reported():
    assert classify("reports.export", "/reports/export") is None
    assert classify("accounts.users", "/admin/users") is ANY_STAFF
    assert classify("manage_events.show", "/admin/events/<int:event_id>/") is EVENT_STAFF


def test_an_unguarded_admin_route_would_fail(make_app):
    app = make_app()
    app.add_url_rule("/admin/oops", "oops", lambda: "secret")
    response = app.test_client().get("/admin/oops")
    assert problem("sign_in", response.status_code, "", _sign_in_path(app)) is not None


def test_other_organisers_getting_in_would_fail():
    assert problem("404", 200, "", None) == "expected 404, got 200"
    assert problem("403", 200, "", None) == "expected 403, got 200"
    assert problem("ok", 500, "", None) == "server error 500"


def test_redirect_to_the_sign_in_page_is_recognised(make_app):
    app = make_app()
    response = app.test_client().get("/admin/events/")
    sign_in_path = _sign_in_path(app)
    assert sign_in_path == "/account/sign-in"
    assert (
        problem("sign_in", response.status_code, response.headers["Location"], sign_in_path) is None
    )
    assert problem("sign_in", 401, "", sign_in_path) is not None
    assert problem("sign_in", 200, "", sign_in_path) is not None
