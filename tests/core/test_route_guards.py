"""Every route in the URL map answers each kind of visitor exactly as the table below says.

The test is parametrised from the app's URL map at collection time, so a new
route is walked the moment it exists. Every route must be listed by its
endpoint in EXPECTED, with the answer each role gets; a route that is not
listed fails as "unlisted", so a new page cannot slip through without someone
saying who may see it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from engage import create_app
from engage.access import staff_required
from engage.accounts.models import Role
from engage.events.models import (
    EventQuestion,
    EventResource,
    EventSession,
    QuestionKind,
    SessionKind,
)
from engage.feedback.models import Survey, SurveyQuestion, SurveyQuestionKind
from engage.mail.models import Mailing, MessageStatus, OutboxMessage
from engage.organisations.models import Organisation, OrganisationKind
from engage.registrations.models import AttendeeCategory, Registration, RegistrationStatus
from tests.conftest import TEST_CONFIG

ROLES = ("visitor", "other_organiser", "own_organiser", "admin")
SIGN_IN_PAGE = "/account/sign-in"

# The answers, as answer() spells them: a status code; "302 to sign in" (to the
# sign-in page, with next= the page asked for); or "302 <location>", where
# {event_id}, {user_id} and {event_slug} are the world's own.
SIGN_IN = "302 to sign in"


def answers(visitor: str, other_organiser: str, own_organiser: str, admin: str) -> dict:
    """What each role gets from one route."""
    return dict(zip(ROLES, (visitor, other_organiser, own_organiser, admin), strict=True))


PUBLIC = answers("200", "200", "200", "200")
STAFF = answers(SIGN_IN, "200", "200", "200")
EVENT_STAFF = answers(SIGN_IN, "404", "200", "200")
# The other organiser may not post news; the own organiser may.
NEWS_EDITOR = answers(SIGN_IN, "403", "200", "200")
ADMIN_ONLY = answers(SIGN_IN, "403", "403", "200")
# Pages behind a secret token: a made-up token is the same 404 for everyone.
BAD_TOKEN = answers("404", "404", "404", "404")
# POST-only actions, walked with an empty form: those let in are sent on.
EVENT_ACTION = answers(
    SIGN_IN, "404", "302 /admin/events/{event_id}/", "302 /admin/events/{event_id}/"
)
RECORD_ACTION = answers(
    SIGN_IN,
    "404",
    "302 /admin/events/{event_id}/attendees/{registration_id}",
    "302 /admin/events/{event_id}/attendees/{registration_id}",
)
USER_ACTION = answers(SIGN_IN, "403", "403", "302 /admin/users/{user_id}")
ORGANISATION_ACTION = answers(SIGN_IN, "403", "403", "302 /admin/organisations/{organisation_id}")

EXPECTED: dict[str, dict[str, str]] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "public.home": PUBLIC,
    "public.privacy": PUBLIC,
    "public.accessibility": PUBLIC,
    "news.index": PUBLIC,
    "news.detail": PUBLIC,
    "news.feed": PUBLIC,
    "attendees.index": EVENT_STAFF,
    **{
        f"attendee_record.{name}": EVENT_STAFF
        for name in ("show", "details", "workshops", "cancel", "new")
    },
    # Walked with an empty form: promoting a confirmed person is refused, resending is done.
    **{f"attendee_record.{name}": RECORD_ACTION for name in ("promote", "resend")},
    # The desk: walked with an empty form, the world's confirmed attendee is checked in (and undone).
    **{
        f"checkin.{name}": EVENT_STAFF
        for name in ("desk", "check_in", "undo", "walk_in", "room_check_in", "room_undo")
    },
    # The QR code's link names no event: another organiser's attendee is not found, as a made-up code.
    "checkin.by_link": EVENT_STAFF,
    **{
        f"attendee_paper.{name}": EVENT_STAFF
        for name in ("index", "badges", "badge", "sign_in_sheet", "rooms", "room", "catering")
    },
    "attendees.export": EVENT_STAFF,
    "attendees.room_list": EVENT_STAFF,
    # Walked with an empty form (no format chosen): back to the export page.
    "attendees.catering": answers(
        SIGN_IN,
        "404",
        "302 /admin/events/{event_id}/attendees/export",
        "302 /admin/events/{event_id}/attendees/export",
    ),
    "attendee_messages.index": EVENT_STAFF,
    "attendee_messages.new": EVENT_STAFF,
    "attendee_messages.show": EVENT_STAFF,
    "attendee_messages.retry": answers(
        SIGN_IN,
        "404",
        "302 /admin/events/{event_id}/mailings/{mailing_id}",
        "302 /admin/events/{event_id}/mailings/{mailing_id}",
    ),
    "events.index": PUBLIC,
    "events.detail": PUBLIC,
    "events.event_ics": PUBLIC,
    "events.feed_ics": PUBLIC,
    "registrations.register": PUBLIC,
    "registrations.link_again": PUBLIC,
    # Nothing booked in this browser: back to the event.
    "registrations.confirmation": answers(*["302 /events/{event_slug}"] * 4),
    **{
        f"registrations.{name}": BAD_TOKEN
        for name in ("manage", "edit", "cancel", "leave_waitlist", "calendar", "withdraw")
    },
    # Staff already signed in go straight to the back office.
    "accounts.sign_in": answers("200", "302 /admin/", "302 /admin/", "302 /admin/"),
    "accounts.sign_out": answers(*["302 /"] * 4),
    "accounts.reset_request": PUBLIC,
    "accounts.reset_password": BAD_TOKEN,
    "accounts.accept_invitation": BAD_TOKEN,
    "accounts.change_password": STAFF,
    "admin.dashboard": STAFF,
    "admin.users": ADMIN_ONLY,
    "admin.user": ADMIN_ONLY,
    "admin.invite": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    **{f"organisations.{name}": ADMIN_ONLY for name in ("index", "new", "edit")},
    **{f"organisations.{name}": ORGANISATION_ACTION for name in ("retire", "restore")},
    "admin.disable": USER_ACTION,
    "admin.enable": USER_ACTION,
    "organisers.remove": USER_ACTION,
    "admin.resend_invitation": USER_ACTION,
    "organisers.assign": {**USER_ACTION, "admin": "400"},  # let in; no event chosen
    "manage_events.messages": EVENT_STAFF,
    "mail.messages": ADMIN_ONLY,
    "privacy.index": ADMIN_ONLY,
    "consents.index": ADMIN_ONLY,
    "consents.edit": ADMIN_ONLY,
    # POST only, walked with an empty form: the admin is let in and told what is missing.
    "privacy.download_file": {**ADMIN_ONLY, "admin": "400"},
    "privacy.erase": {**ADMIN_ONLY, "admin": "400"},
    "mail.retry_message": {**ADMIN_ONLY, "admin": "302 /admin/messages"},
    "manage_news.index": NEWS_EDITOR,
    "manage_news.create": NEWS_EDITOR,
    "manage_news.edit": NEWS_EDITOR,
    "manage_news.unpublish": answers(SIGN_IN, "403", "302 /admin/news/", "302 /admin/news/"),
    "manage_events.index": STAFF,
    "manage_events.create": STAFF,
    **{
        f"manage_events.{name}": EVENT_STAFF
        for name in (
            "show",
            "edit",
            "cancel",
            "add_session",
            "edit_session",
            "delete_session",
            "add_question",
            "edit_question",
            "delete_question",
            "resources",
            "add_resource",
            "edit_resource",
            "delete_resource",
        )
    },
    **{
        f"manage_feedback.{name}": EVENT_STAFF
        for name in (
            "index",
            "add_question",
            "edit_question",
            "delete_question",
            "results",
            "export",
        )
    },
    "manage_feedback.move_question": answers(
        SIGN_IN,
        "404",
        "302 /admin/events/{event_id}/feedback/#questions",
        "302 /admin/events/{event_id}/feedback/#questions",
    ),
    # An event's report for its organisers; reach across events for all staff, each
    # seeing only the events they manage (admins: all).
    "reports.event": EVENT_STAFF,
    "reports.index": STAFF,
    # The survey's personal link: a made-up one is the same 404 for everyone.
    "feedback.answer": BAD_TOKEN,
    "manage_events.move_resource": answers(
        SIGN_IN,
        "404",
        "302 /admin/events/{event_id}/resources",
        "302 /admin/events/{event_id}/resources",
    ),
    # The world's attendee is not checked in: no certificate, as for a made-up token.
    "certificates.download": BAD_TOKEN,
    # Walked with the QR code's code, which is no certificate's: not found, for everyone.
    "certificates.verify": answers(*["404"] * 4),
    "manage_events.publish": EVENT_ACTION,
    "manage_events.unpublish": EVENT_ACTION,
    "manage_events.move_question": answers(
        SIGN_IN,
        "404",
        "302 /admin/events/{event_id}/#questions",
        "302 /admin/events/{event_id}/#questions",
    ),
}
# Public pages that name a draft by its slug must answer 404 to everyone.
HIDES_DRAFTS = ("news.detail", "events.detail", "events.event_ics")


def _rules(app=None) -> list[tuple[str, str, list[str]]]:
    app = app or create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
    )


RULES = _rules()


def answer(url: str, status: int, location: str) -> str:
    """A response as the table spells it: "200", "302 to sign in" or "302 /somewhere"."""
    if 300 <= status < 400:
        target = urlsplit(location)
        if target.path == SIGN_IN_PAGE and parse_qs(target.query) == {"next": [url]}:
            return f"{status} to sign in"
        return f"{status} {location}"
    return str(status)


# --- the world the routes are walked in ----------------------------------------


@pytest.fixture
def world(app, make_user, make_event, make_news):
    """Users of each role, an event run by one of them (a session, a question, a registration,
    a mailing), and a failed email."""
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
        message = OutboxMessage(
            kind="test",
            to_address="someone@example.org",
            subject="S",
            body_text="T",
            status=MessageStatus.FAILED,
        )
        registration = Registration(
            event_id=event.id,
            status=RegistrationStatus.CONFIRMED,
            email="attendee@example.org",
            first_name="Ada",
            last_name="Lovelace",
            organisation="Northbridge Police",
            job_title="Inspector",
            category=AttendeeCategory.POLICE_OFFICER,
            privacy_accepted=True,
        )
        mailing = Mailing(
            kind="organiser-message",
            key="world",
            event_id=event.id,
            params={"subject": "Parking", "body_md": "Park *behind* the hall."},
            summary="Parking",
        )
        survey = Survey(event_id=event.id)
        survey.questions.append(SurveyQuestion(kind=SurveyQuestionKind.RATING, label="Overall?"))
        resource = EventResource(event_id=event.id, title="Slides", url="https://example.org/s")
        organisation = Organisation(
            name="Northbridge Police",
            name_key="northbridge police",
            kind=OrganisationKind.POLICE_FORCE,
        )
        db.session.add_all(
            [session, question, message, registration, mailing, survey, resource, organisation]
        )
        db.session.commit()
        values = {
            "event_id": event.id,
            "session_id": session.id,
            "question_id": question.id,
            "item_id": news.id,
            "user_id": users["own_organiser"].id,
            "message_id": message.id,
            "registration_id": registration.id,
            "mailing_id": mailing.id,
            "survey_question_id": survey.questions[0].id,
            "resource_id": resource.id,
            "organisation_id": organisation.id,
            "code": registration.checkin_code,
            "filename": "css/engage.css",
            "kind": "dietary",
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
                raise LookupError(f"{path}: give <{name}> a value in the world fixture")
        return url_for(endpoint, **values)


def walk(app, world: dict, login_as, endpoint: str, path: str, methods: list[str]) -> list[str]:
    """What is wrong with one route's answer to each role: empty if it is as EXPECTED says."""
    expectation = EXPECTED.get(endpoint)
    if expectation is None:
        return [f"unlisted route {path} ({endpoint}): add it to EXPECTED in {__file__}"]
    method = "GET" if "GET" in methods else methods[0]
    url = _url(app, endpoint, path, world, world["slugs"])
    known = {**world["values"], "event_slug": world["slugs"]["events"]}
    failures = []
    for role in ROLES:  # in this order: an organiser's action may change what the admin sees
        client = app.test_client()
        if role != "visitor":
            login_as(client, world["users"][role])
        response = client.open(url, method=method)
        got = answer(url, response.status_code, response.headers.get("Location", ""))
        expected = expectation[role].format(**known)
        if got != expected:
            failures.append(f"{role}: {method} {url}: expected {expected}, got {got}")
    return failures


@pytest.mark.parametrize(
    ("endpoint", "path", "methods"), RULES, ids=[f"{e} {p}" for e, p, _ in RULES]
)
def test_route_answers_each_role_as_listed(app, world, login_as, endpoint, path, methods):
    failures = walk(app, world, login_as, endpoint, path, methods)
    assert not failures, "\n".join(failures)


def test_the_table_lists_only_routes_that_exist():
    assert set(EXPECTED) - {endpoint for endpoint, _, _ in RULES} == set()


@pytest.mark.parametrize("endpoint", HIDES_DRAFTS)
def test_public_pages_hide_drafts_from_everyone(app, world, login_as, endpoint):
    path = next(p for e, p, _ in RULES if e == endpoint)
    url = _url(app, endpoint, path, world, world["draft_slugs"])
    for role in ROLES:
        client = app.test_client()
        if role != "visitor":
            login_as(client, world["users"][role])
        assert client.get(url).status_code == 404, role


# --- controls: the walk catches a forgotten check --------------------------------


def test_the_walk_reports_an_unlisted_route(app, world, login_as):
    """A new /admin/ route with no guard and no line in the table fails the walk."""
    app.add_url_rule("/admin/oops", "oops", lambda: "secret")
    assert ("oops", "/admin/oops", ["GET"]) in _rules(app)  # so the walk would collect it
    assert walk(app, world, login_as, "oops", "/admin/oops", ["GET"]) == [
        f"unlisted route /admin/oops (oops): add it to EXPECTED in {__file__}"
    ]


def test_the_walk_reports_a_listed_route_with_its_guard_removed(app, world, login_as):
    app.view_functions["admin.audit"] = lambda: "secret"
    assert walk(app, world, login_as, "admin.audit", "/admin/audit", ["GET"]) == [
        "visitor: GET /admin/audit: expected 302 to sign in, got 200",
        "other_organiser: GET /admin/audit: expected 403, got 200",
        "own_organiser: GET /admin/audit: expected 403, got 200",
    ]


def test_the_walk_reports_a_forgotten_role_check(app, world, login_as):
    """Signed in is not enough: an admin page that checks only that lets organisers in."""
    app.view_functions["mail.messages"] = staff_required(lambda: "every email")
    assert walk(app, world, login_as, "mail.messages", "/admin/messages", ["GET"]) == [
        "other_organiser: GET /admin/messages: expected 403, got 200",
        "own_organiser: GET /admin/messages: expected 403, got 200",
    ]


def test_a_redirect_to_sign_in_must_come_back_to_the_page():
    assert answer("/admin/", 302, "/account/sign-in?next=%2Fadmin%2F") == SIGN_IN
    assert answer("/admin/", 302, "/account/sign-in") == "302 /account/sign-in"
    assert answer("/admin/", 302, "/account/sign-in?next=%2F") == "302 /account/sign-in?next=%2F"
    assert answer("/admin/", 401, "") == "401"
