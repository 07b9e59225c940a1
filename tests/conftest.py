"""Shared fixtures: an app with a fresh database per test, on SQLite and PostgreSQL.

Every test that takes `app` (or anything built on it) runs once per backend:
SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import secrets
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from engage import create_app
from engage.accounts import passwords
from engage.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATIONS = ScriptDirectory(str(Path(__file__).resolve().parents[1] / "migrations"))
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
LONDON = ZoneInfo("Europe/London")

TEST_CONFIG = {
    "TESTING": True,
    "ENGAGE_ENV": "testing",
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    # Redis (TEST_REDIS_URL) is shared by every test process at once, xdist workers and
    # other checkouts alike: this process's counters carry their own key prefix.
    "RATELIMIT_STORAGE_OPTIONS": {
        "key_prefix": f"engage-test-{os.getpid()}-{secrets.token_hex(4)}"
    },
    "SERVER_NAME": None,
}


# argon2 is slow on purpose (about a third of a second a hash here); the suite hashes with
# its cheapest costs instead. tests/accounts/test_passwords.py proves the recommended costs
# are what a fresh process gets, and a production app refuses these (engage.config.check).
CHEAP_PASSWORD_HASHING = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def pytest_configure(config):
    """Once per test process (each xdist worker too): cheap password hashing."""
    passwords.configure(**CHEAP_PASSWORD_HASHING)


@pytest.fixture
def recommended_password_hashing() -> Iterator[None]:
    """argon2's recommended costs for one test: a production app refuses the suite's cheap ones."""
    passwords.configure()
    yield
    passwords.configure(**CHEAP_PASSWORD_HASHING)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time in London as an aware UTC datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(dt.UTC)


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- databases ----------------------------------------------------------------


def create_schema(url: str) -> None:
    """Create every table in the database at the URL, stamped at the newest migration.

    The models' schema is the migrations' (tests/core/test_migrations.py proves it),
    so the database says it is at the head, as a deployed one does (see /healthz).
    """
    engine = create_engine(url)
    try:
        db.metadata.create_all(engine)
        with engine.begin() as conn:
            MigrationContext.configure(conn).stamp(MIGRATIONS, "head")
    finally:
        engine.dispose()


class PostgresServer:
    """Creates throwaway databases on the server named by TEST_DATABASE_URL."""

    def __init__(self, url: str):
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"engage_test_{os.getpid()}_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        """Drop every database this run created."""
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The PostgreSQL server for this run (skips when TEST_DATABASE_URL is unset)."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    server = PostgresServer(TEST_DATABASE_URL)
    yield server
    server.drop_all()


class PostgresDatabase:
    """This test process's database on that server: the schema made once, emptied per test."""

    def __init__(self, url: str):
        self.url = url
        create_schema(url)
        self._engine = create_engine(url)
        # DELETE rather than TRUNCATE: on tables this small it takes a millisecond, where
        # TRUNCATE takes a tenth of a second (it makes new files for every table).
        tables = reversed(db.metadata.sorted_tables)
        deletes = [str(table.delete().compile(self._engine)) for table in tables]
        restart_ids = (
            "SELECT setval(c.oid, 1, false) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
        )
        self._empty = "; ".join([*deletes, restart_ids])

    def empty(self) -> None:
        """Delete every row and restart every id sequence, as a fresh schema has them."""
        with self._engine.begin() as conn:
            conn.exec_driver_sql(self._empty)

    def dispose(self) -> None:
        """Close this process's connection to it."""
        self._engine.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres: PostgresServer) -> Iterator[PostgresDatabase]:
    """This process's PostgreSQL database (each xdist worker has its own, named with its pid)."""
    database = PostgresDatabase(postgres.create_database())
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file holding the empty schema, made once per test process and copied per test."""
    path = tmp_path_factory.mktemp("template") / "engage.sqlite3"
    # A plain engine: no WAL, so once it is disposed the whole database is in this one file.
    create_schema(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A database URL for each backend under test, with the schema and no rows."""
    if request.param == "sqlite":
        path = tmp_path / "engage.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_database").url


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in memory for every app this test process builds.

    Each app has its own Jinja environment, which would compile every template it
    renders again: about a quarter of a view test's time. Jinja checks each entry
    against the template's source, so a changed template is compiled afresh.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket with the template's code, if compiled before."""
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the code Jinja has just compiled."""
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@pytest.fixture
def make_app(request, database_url, tmp_path) -> Iterator[Callable[..., object]]:
    """Build apps on this test's database, with extra settings."""
    built = []
    shared = None  # PostgreSQL's database outlives the test: emptied after it
    if database_url.startswith("postgresql"):
        shared = request.getfixturevalue("postgres_database")

    def factory(**overrides):
        config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        application = create_app(config)
        application.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        if config["SQLALCHEMY_DATABASE_URI"] != database_url:
            with application.app_context():
                db.create_all()  # database_url has the schema already; another may not
        built.append(application)
        return application

    yield factory
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    if shared is not None:
        shared.empty()


@pytest.fixture
def app(make_app):
    """The app under test, on a fresh database."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app."""
    return app.test_cli_runner()


# --- test data ----------------------------------------------------------------


def _save(app, obj):
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@pytest.fixture
def make_user(app):
    """Create a user: make_user(email=..., role=..., name=..., password=...)."""
    from engage.accounts.models import Role, User

    def factory(
        email: str = "organiser@example.org", *, role=Role.ORGANISER, password=None, **fields
    ):
        fields.setdefault("name", email.split("@")[0].title())
        if password is not None:
            fields["password_hash"] = hash_for_tests(password)
        return _save(app, User(email=email, role=role, **fields))

    return factory


@pytest.fixture
def make_event(app):
    """Create an event (published, bookable, in 2027 unless told otherwise)."""
    from engage.events.models import Event

    counter = iter(range(1, 10_000))

    def factory(**fields):
        number = next(counter)
        fields.setdefault("slug", f"event-{number}")
        fields.setdefault("title", f"Event {number}")
        fields.setdefault("starts_at", london(2027, 1, 21, 9, 30))
        fields.setdefault("ends_at", fields["starts_at"] + dt.timedelta(hours=7))
        fields.setdefault("venue_name", "Riverside Conference Centre")
        fields.setdefault("capacity", 50)
        fields.setdefault("is_published", True)
        sessions = fields.pop("sessions", [])
        questions = fields.pop("questions", [])
        event = Event(**fields)
        event.sessions.extend(sessions)
        event.questions.extend(questions)
        return _save(app, event)

    return factory


@pytest.fixture
def make_news(app):
    """Create a news item (published in 2026 unless told otherwise)."""
    from engage.news.models import NewsItem

    counter = iter(range(1, 10_000))

    def factory(**fields):
        number = next(counter)
        fields.setdefault("slug", f"news-{number}")
        fields.setdefault("title", f"News {number}")
        fields.setdefault("published_at", london(2026, 1, 1) + dt.timedelta(days=number))
        return _save(app, NewsItem(**fields))

    return factory


# --- a live server and a browser ------------------------------------------------


class LiveServer:
    """The app served over real HTTP on loopback, in a thread."""

    def __init__(self, application):
        # Port 0: the kernel picks a free port as it binds, so no other process can take it
        # between choosing and binding (as can happen with free_port() under xdist).
        self._server = make_server("127.0.0.1", 0, application, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The test app on a real port."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def gunicorn_for(app):
    """start(module, workers=..., ...): gunicorn serving this test's database, stopped after.

    `module` names a WSGI module under tests/ (e.g. "server_app"); see tests/gunicorn.py.
    """
    from tests.gunicorn import Gunicorn

    started = []

    def start(module: str, *, every_worker: bool = False, path: str = "/events/", **options):
        with app.app_context():
            url = db.engine.url.render_as_string(hide_password=False)
            db.engine.dispose()
        server = Gunicorn(module, url, **options)
        started.append(server)
        server.wait_until_up(path, every_worker=every_worker)
        return server

    yield start
    for server in started:
        server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (skips where Chromium is absent)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ENGAGE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but ENGAGE_REQUIRE_BROWSER is set")
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


# --- signing in -------------------------------------------------------------------

TEST_PASSWORD = "correct horse battery staple"


@functools.cache
def hash_for_tests(password: str) -> str:
    """An argon2 hash of the password, made once per test process."""
    from engage.accounts.passwords import hash_password

    return hash_password(password)


def sign_in_through_form(client, user, password: str | None = None):
    """Sign the test client in through the real sign-in page; the final response.

    Without a password the user's password is first set to TEST_PASSWORD.
    """
    from engage.accounts.models import User

    application = client.application
    if password is None:
        password = TEST_PASSWORD
        with application.app_context():
            stored = db.session.get(User, user.id)
            stored.password_hash = hash_for_tests(password)
            db.session.commit()
    data = {"email": user.email, "password": password}
    if application.config.get("WTF_CSRF_ENABLED", True):
        page = client.get("/account/sign-in").get_data(as_text=True)
        data["csrf_token"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/account/sign-in", data=data)
    assert response.status_code == 302, f"sign-in failed for {user.email}"
    return response


@pytest.fixture
def sign_in():
    """sign_in(client, user, password=None): signs the client in through the sign-in view."""
    return sign_in_through_form


@pytest.fixture
def login_as():
    """Sign a test client in as a user by writing Flask-Login's session keys."""

    def sign_in(client, user) -> None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    return sign_in


def browser_sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real pages in a browser tab, from the footer link."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Staff sign in").click()
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Back office").wait_for()


@pytest.fixture
def make_organisation(app):
    """make_organisation(name, kind=POLICE_FORCE, active=True): a curated-list entry."""
    from engage.organisations import services
    from engage.organisations.models import OrganisationKind

    def factory(name: str, kind=OrganisationKind.POLICE_FORCE, active: bool = True):
        with app.app_context():
            organisation = services.add(name, kind)
            if not active:
                services.set_active(organisation, False)
            db.session.refresh(organisation)
            db.session.expunge(organisation)
        return organisation

    return factory
