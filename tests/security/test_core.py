"""Issue 9, the core's part: the SECRET_KEY, the Host header, inputs that reached a 500,
invisible characters in names, and the cache on staff pages.

Each test names the OWASP ASVS 5.0 requirement (or chapter) it keeps.
"""

from __future__ import annotations

import base64
import re

import pytest

from engage import create_app
from engage.accounts.models import Role, User
from engage.config import DEV_SECRET_KEY, ConfigError
from engage.events.models import Event
from engage.extensions import db
from engage.inputs import MAX_PAGE
from engage.mail.models import OutboxMessage
from engage.news.models import NewsItem
from engage.registrations.models import Registration
from tests.core import test_route_guards as route_guards
from tests.registrations.conftest import form

SITE = "https://events.example.org"
ATTACKER = "attacker.example"
GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
STRONG_KEY = "k3y-" + "x" * 60  # long enough; its randomness is not what is tested


# --- the SECRET_KEY ----------------------------------------------------------


def _start(tmp_path, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", **config})


@pytest.mark.parametrize(
    "key",
    ["", "x", "a" * 31, "é" * 15, b"k" * 31, DEV_SECRET_KEY],
)
def test_production_refuses_a_short_or_development_secret_key(monkeypatch, tmp_path, key):
    """ASVS 5.0 V11.2.3 (at least 128 bits of security) and V13.3.1 (no secret from the source)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as refused:
        _start(tmp_path, ENGAGE_ENV="production", SECRET_KEY=key)
    assert GENERATE_KEY in str(refused.value)
    assert "32 bytes" in str(refused.value)


@pytest.mark.parametrize("key", ["a" * 32, "é" * 16, b"\x00" * 32])
def test_production_starts_with_a_key_of_32_bytes(tmp_path, key, recommended_password_hashing):
    """ASVS 5.0 V11.2.3: 32 bytes are 256 bits, well above the 128 bits asked for."""
    started = _start(tmp_path, ENGAGE_ENV="production", SECRET_KEY=key, SITE_URL=SITE)
    assert started.config["SECRET_KEY"] == key


def test_development_starts_with_any_key(tmp_path):
    assert _start(tmp_path, ENGAGE_ENV="development", SECRET_KEY="x").config["SECRET_KEY"] == "x"


# --- the Host header ---------------------------------------------------------


@pytest.fixture
def production(make_app, recommended_password_hashing):
    """The app as deployed, on SITE."""
    return make_app(ENGAGE_ENV="production", SECRET_KEY=STRONG_KEY, SITE_URL=SITE)


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in messages:
            db.session.expunge(message)
        return messages


@pytest.mark.parametrize("path", ["/", "/events/", "/account/reset", "/no/such/page"])
def test_production_refuses_another_host_with_the_friendly_400(production, path):
    """ASVS 5.0 V2.2.1: the Host header is checked against an allowlist, SITE_URL's host."""
    response = production.test_client().get(path, base_url=f"https://{ATTACKER}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<h1>Sorry, there is a problem with that request</h1>" in html
    assert ATTACKER not in html and 'href="/events/"' in html
    assert response.headers["Content-Security-Policy"]


def test_a_reset_asked_for_through_another_host_sends_nothing(production, make_user):
    """ASVS 5.0 V2.2.1: no reset link can be built on a host an attacker named."""
    make_user("admin@example.org")
    response = production.test_client().post(
        "/account/reset", data={"email": "admin@example.org"}, base_url=f"https://{ATTACKER}"
    )
    assert response.status_code == 400
    assert _outbox(production) == []


def test_production_answers_its_own_host(production):
    client = production.test_client()
    assert client.get("/", base_url=SITE).status_code == 200
    assert client.get("/events/", base_url=SITE + ":443").status_code == 200


def test_production_answers_the_extra_hosts_named_in_the_environment(
    monkeypatch, make_app, recommended_password_hashing
):
    """ASVS 5.0 V2.2.1: TRUSTED_HOSTS adds names to the allowlist, comma-separated."""
    monkeypatch.setenv("TRUSTED_HOSTS", "www.events.example.org, beta.example.org,")
    app = make_app(ENGAGE_ENV="production", SECRET_KEY=STRONG_KEY, SITE_URL=SITE)
    client = app.test_client()
    for host in ("events.example.org", "www.events.example.org", "beta.example.org"):
        assert client.get("/", base_url=f"https://{host}").status_code == 200, host
    assert client.get("/", base_url=f"https://{ATTACKER}").status_code == 400


def test_development_answers_any_host(make_app):
    app = make_app(ENGAGE_ENV="development", SITE_URL=SITE)
    assert app.test_client().get("/", base_url=f"http://{ATTACKER}").status_code == 200


def test_a_booking_made_through_another_host_links_only_to_site_url(make_app, make_event):
    """ASVS 5.0 V2.2.1: links in emails and their invite.ics come from SITE_URL, not the request."""
    app = make_app(ENGAGE_ENV="development", SITE_URL=SITE)
    make_event(slug="day")
    response = app.test_client().post(
        "/events/day/register", data=form(), base_url=f"http://{ATTACKER}"
    )
    assert response.status_code == 302
    [message] = _outbox(app)
    # A QR code is stored as the text the worker draws (its link must be on SITE_URL too).
    attachments = {
        a["filename"]: a["qr"].encode() if "qr" in a else base64.b64decode(a["data"])
        for a in message.attachments
    }
    assert attachments["check-in-code.png"].startswith(f"{SITE}/".encode())
    invite = attachments["invite.ics"].decode()
    for part in (message.body_text, message.body_html, invite, *map(repr, attachments.values())):
        assert ATTACKER not in part
    assert f"{SITE}/registrations/" in message.body_text
    assert f'href="{SITE}/registrations/' in message.body_html
    assert f"{SITE}/events/day" in invite.replace("\r\n ", "")


def test_feeds_asked_for_through_another_host_link_only_to_site_url(
    make_app, make_event, make_news
):
    """ASVS 5.0 V2.2.1: the Atom feed and the calendars are built on SITE_URL."""
    app = make_app(ENGAGE_ENV="development", SITE_URL=SITE)
    make_event(slug="day")
    make_news(slug="report")
    client = app.test_client()
    for path, link in (
        ("/news/feed.atom", f"{SITE}/news/report"),
        ("/events/day/calendar.ics", f"{SITE}/events/day"),
        ("/events/calendar.ics", f"{SITE}/events/day"),
    ):
        response = client.get(path, base_url=f"http://{ATTACKER}")
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert ATTACKER not in body, path
        assert link in body.replace("\r\n ", ""), path


def test_production_needs_a_site_url_with_a_host(tmp_path):
    with pytest.raises(ConfigError, match="SITE_URL"):
        _start(tmp_path, ENGAGE_ENV="production", SECRET_KEY=STRONG_KEY, SITE_URL="events.example")


@pytest.mark.parametrize("site_url", [None, "http://127.0.0.1:5000", "http://events.example.org"])
def test_production_refuses_a_site_url_that_is_not_its_public_https_address(
    tmp_path, monkeypatch, site_url
):
    """Links in emails are built on SITE_URL and other hosts get 400: the default would break both."""
    monkeypatch.delenv("SITE_URL", raising=False)
    settings = {"ENGAGE_ENV": "production", "SECRET_KEY": STRONG_KEY}
    if site_url is not None:
        settings["SITE_URL"] = site_url
    with pytest.raises(ConfigError, match="SITE_URL must be the site's public https address"):
        _start(tmp_path, **settings)


# --- inputs that reached a 500 -------------------------------------------------

PAGINATED = [
    "/news/",
    "/admin/news/",
    "/admin/audit",
    "/admin/messages",
    "/admin/events/{event_id}/messages",
]


@pytest.fixture
def admin_client(client, login_as, make_user):
    """A test client signed in as an admin."""
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _not_found(response) -> bool:
    return response.status_code == 404 and "<h1>Page not found</h1>" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "page", ["99999999999999999999", "9223372036854775807", str(MAX_PAGE + 1), "\uff19" * 20]
)
def test_a_page_number_past_any_list_is_404_on_every_paginated_page(admin_client, make_event, page):
    """ASVS 5.0 V1.4.2 (range checks prevent integer overflow) and V16.5.1 (a clear page)."""
    event = make_event()
    for path in PAGINATED:
        url = path.format(event_id=event.id)
        assert _not_found(admin_client.get(url, query_string={"page": page})), url
        assert admin_client.get(url, query_string={"page": "1"}).status_code == 200, url


NUL_ADDRESSES = [
    "/%00",
    "/events/%00",
    "/events/%00x/calendar.ics",
    "/events/%00/register",
    "/events/%00/registered",
    "/news/%00x",
    "/registrations/%00",
    "/registrations/%00/cancel",
    "/account/reset/%00",
    "/account/invitation/%00",
    "/admin/messages?status=%00",
    "/admin/events/?x=%00",
    "/news/?page=%00",
    "/events/?%00=1",
    "/account/sign-in?next=/%00",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_a_nul_anywhere_in_the_address_is_404(admin_client, make_event, make_news, address):
    """ASVS 5.0 V2.2.1 and V16.5.3: input the database would refuse is turned away first."""
    make_event(slug="day")
    make_news(slug="report")
    assert _not_found(admin_client.get(address))
    assert admin_client.post(address).status_code in (404, 405)


# --- invisible and direction-changing characters ---------------------------------

INVISIBLE = {
    "right-to-left override": "Ada\u202eecalevoL",
    "left-to-right embedding": "Ada\u202aLovelace",
    "first strong isolate": "Ada\u2068Lovelace",
    "zero width space": "Ada\u200bLovelace",
    "byte order mark": "\ufeffAda",
    "left-to-right mark": "Ada\u200e",
    "arabic letter mark": "Ada\u061cLovelace",
    "soft hyphen": "Love\u00adlace",
    "word joiner": "Ada\u2060Lovelace",
    "tag letter": "Ada\U000e0041",
    "joiner at the end": "Ada\u200d",
    "non-joiner at the start": "\u200cAda",
    "joiner after a space": "Ada \u200dLovelace",
    # Letters and symbols that draw nothing, though not Cf: a name that looks empty.
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "Ada\uffa0",
    "hangul choseong filler": "\u115fAda",
    "braille blank": "\u2800\u2800",
}
# Letters with combining marks (Mn), and joiners where scripts and emoji need them.
REAL_NAMES = [
    "Zoe\u0308",  # e + combining diaeresis
    "Nguye\u0302\u0303n",  # combining circumflex and tilde
    "\u0dc1\u0dca\u200d\u0dbb\u0dd3",  # Sinhala "Sri": a joiner after the virama
    "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645",  # Persian, with a non-joiner
    "\u0645\u062d\u0645\u062f",  # Arabic, right to left on its own
    "Ada \U0001f469\u200d\U0001f4bb",  # an emoji sequence
    "\ud55c\uac00\uc778",  # Korean, whose real syllables are not the fillers
    "\u2801\u2803",  # braille with dots is visible
]
INVISIBLE_MESSAGE = "must not contain invisible formatting characters"


def _field_error(html: str, field: str) -> str:
    """The GOV.UK error message shown beside one field ('' if none)."""
    found = re.search(
        rf'<p class="error-message" id="{field}-error">'
        r'<span class="visually-hidden">Error:</span> ([^<]*)</p>',
        html,
    )
    return found[1] if found else ""


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _refused(response, field: str) -> bool:
    html = response.get_data(as_text=True)
    return (
        response.status_code == 200
        and "<title>Error: " in html
        and INVISIBLE_MESSAGE in _field_error(html, field)
    )


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_registration_refuses_invisible_characters_in_every_one_line_field(
    app, client, make_event, value
):
    """ASVS 5.0 V2.2.1: one-line answers are checked against what a name can hold."""
    make_event(slug="day")
    for field in ("first_name", "last_name", "organisation", "job_title"):
        response = client.post("/events/day/register", data=form(**{field: value}))
        assert _refused(response, field), field
    assert _count(app, Registration) == 0


@pytest.mark.parametrize("value", REAL_NAMES)
def test_registration_keeps_real_names(app, client, make_event, value):
    """ASVS 5.0 V2.2.1: the check refuses format characters, not people's names."""
    make_event(slug="day")
    response = client.post("/events/day/register", data=form(first_name=value, organisation=value))
    assert response.status_code == 302
    with app.app_context():
        [registration] = db.session.scalars(db.select(Registration)).all()
        assert (registration.first_name, registration.organisation) == (value, value)


def test_registration_refuses_direction_overrides_in_long_answers(app, client, make_event):
    """ASVS 5.0 V2.2.1: a bidi override would turn round what staff read after it."""
    make_event(slug="day")
    for char in ("\u202e", "\u202a", "\u2066", "\u2069"):
        response = client.post(
            "/events/day/register",
            data=form(access_requirements=f"ramp{char}please", access_consent="y"),
        )
        assert _refused(response, "access_requirements"), repr(char)
    assert _count(app, Registration) == 0


def event_form(**overrides) -> dict:
    """The event form as an organiser fills it in, with overrides."""
    return {
        "title": "Engagement Day 2027",
        "starts_at": "2027-01-21T09:30",
        "ends_at": "2027-01-21T16:30",
        "venue_name": "Riverside Conference Centre",
        "max_workshops": "1",
        "reminder_offsets_hours": "7d, 1d",
        "retention_days": "180",
        "needs_retention_days": "7",
        "save": "Save event",
        **overrides,
    }


# Each staff form: its address, a one-line field, the model it writes, valid data.
STAFF_FORMS = [
    ("/admin/events/new", "title", Event, event_form()),
    (
        "/admin/news/new",
        "title",
        NewsItem,
        {"title": "Report", "slug": "", "summary": "", "body_md": "", "save": "Save as draft"},
    ),
    (
        "/admin/users/invite",
        "name",
        User,
        {"email": "new@example.org", "name": "New Person", "role": "organiser"},
    ),
]


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_staff_forms_refuse_invisible_characters(app, admin_client, value):
    """ASVS 5.0 V2.2.1: the back office's one-line fields share the registration form's check."""
    for address, field, model, data in STAFF_FORMS:
        before = _count(app, model)
        response = admin_client.post(address, data={**data, field: value})
        assert _refused(response, field), address
        assert _count(app, model) == before, address


def test_staff_forms_save_what_the_check_allows(app, admin_client):
    for address, field, model, data in STAFF_FORMS:
        before = _count(app, model)
        response = admin_client.post(address, data={**data, field: REAL_NAMES[2]})
        assert response.status_code == 302, address
        assert _count(app, model) == before + 1, address


def test_staff_long_text_refuses_direction_overrides_but_keeps_marks(app, admin_client):
    """ASVS 5.0 V2.2.1: overrides and isolates are refused; a right-to-left mark is text."""
    for text in ("Come \u202ealong", "Come \u2067along\u2069"):
        response = admin_client.post("/admin/events/new", data=event_form(description_md=text))
        assert _refused(response, "description_md"), repr(text)
        response = admin_client.post(
            "/admin/news/new", data={"title": "Report", "body_md": text, "save": "Save as draft"}
        )
        assert _refused(response, "body_md"), repr(text)
    assert _count(app, Event) == _count(app, NewsItem) == 0
    response = admin_client.post(
        "/admin/events/new", data=event_form(description_md="\u05e9\u05dc\u05d5\u05dd\u200f!")
    )
    assert response.status_code == 302


# --- staff pages are never cached ---------------------------------------------

# The route walk's world: users of each role, an event with a session and a
# question, a draft, a failed email (tests/core/test_route_guards.py).
world = route_guards.world
STAFF_PAGES = [
    (endpoint, path)
    for endpoint, path, methods in route_guards.RULES
    if "GET" in methods and path.startswith(("/admin", "/account"))
]
PUBLIC_PAGES = ["/", "/events/", "/events/own-event", "/news/", "/news/published-news"]


def _no_store(response) -> bool:
    return response.headers.get("Cache-Control") == "no-store"


def test_the_walk_finds_the_staff_pages():
    assert len(STAFF_PAGES) >= 20
    assert {"admin.audit", "admin.users", "mail.messages", "accounts.change_password"} <= {
        endpoint for endpoint, _ in STAFF_PAGES
    }


@pytest.mark.parametrize(("endpoint", "path"), STAFF_PAGES, ids=[p for _, p in STAFF_PAGES])
def test_every_staff_page_is_no_store_for_an_admin(app, world, login_as, endpoint, path):
    """ASVS 5.0 V14.3.2: pages with names and email addresses are not kept by browsers."""
    client = app.test_client()
    login_as(client, world["users"]["admin"])
    url = route_guards._url(app, endpoint, path, world, world["slugs"])
    response = client.get(url)
    assert response.status_code in (200, 302, 404), url  # 404: a made-up token
    assert _no_store(response), url


def test_staff_answers_are_no_store_whoever_asks(app, world, login_as):
    """ASVS 5.0 V14.3.2: every /admin/ answer, refusals and redirects too."""
    visitor = app.test_client()
    assert _no_store(visitor.get("/admin/audit"))  # 302 to sign in
    assert _no_store(visitor.get("/admin/no-such-page"))
    organiser = app.test_client()
    login_as(organiser, world["users"]["other_organiser"])
    assert organiser.get("/admin/audit").status_code == 403
    assert _no_store(organiser.get("/admin/audit"))
    admin = app.test_client()
    login_as(admin, world["users"]["admin"])
    event_id = world["values"]["event_id"]
    response = admin.post(f"/admin/events/{event_id}/publish")
    assert response.status_code == 302 and _no_store(response)


def test_every_page_is_no_store_for_signed_in_staff_but_not_for_visitors(app, world, login_as):
    """ASVS 5.0 V14.3.2: a signed-in page may show staff links and names; public ones may be kept."""
    staff = app.test_client()
    login_as(staff, world["users"]["own_organiser"])
    visitor = app.test_client()
    for path in PUBLIC_PAGES:
        assert _no_store(staff.get(path)), path
        response = visitor.get(path)
        assert response.status_code == 200 and not _no_store(response), path
    assert not _no_store(staff.get("/static/css/engage.css"))
