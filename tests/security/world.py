"""One small site with something behind every URL, for the walks and fuzzes in tests/security.

build_world(app) makes staff of each role, a published event with workshops and one
question of each kind, a booking with its self-service link, a news item, a failed
email, and live reset and invitation links; it returns their ids and secrets.
snapshot(app) reads every row of every table, to prove a refused request wrote nothing.
"""

from __future__ import annotations

import re

from flask import url_for

from engage.accounts import services as accounts
from engage.accounts.models import Role, User
from engage.certificates.models import Certificate
from engage.events.models import Event, EventResource, QuestionKind, event_organisers
from engage.extensions import db
from engage.mail.models import Mailing, MessageStatus, OutboxMessage
from engage.organisations import services as organisations
from engage.organisations.models import OrganisationKind
from engage.registrations import services as registrations
from tests.conftest import TEST_PASSWORD, hash_for_tests
from tests.feedback.world import survey_world
from tests.registrations.conftest import data, standard_questions, workshop


def fast_passwords(monkeypatch) -> str:
    """A hash of TEST_PASSWORD (the suite already hashes cheaply: see tests/conftest.py)."""
    return hash_for_tests(TEST_PASSWORD)


def _link(kind: str, path: str) -> str:
    """The token in the newest email of this kind that links to path."""
    body = db.session.scalars(
        db.select(OutboxMessage.body_text)
        .where(OutboxMessage.kind.like(f"%{kind}%"))
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(re.escape(path) + r"([A-Za-z0-9_-]+)", body)[1]


def build_world(app, make_user, make_event, make_news, password_hash: str) -> dict:
    """The site the walks run in; ids, slugs and secret links by name."""
    admin = make_user("admin@example.org", role=Role.ADMIN, password_hash=password_hash)
    organiser = make_user("org@example.org", can_post_news=True, password_hash=password_hash)
    invited = make_user("invited@example.org")
    event = make_event(
        slug="day",
        sessions=[workshop("Workshop A", 11), workshop("Workshop B", 14)],
        questions=standard_questions(),
        max_workshops=2,
    )
    other = make_event(slug="other-day")
    news = make_news(slug="news-item", event_id=event.id)
    with app.test_request_context():
        db.session.execute(
            event_organisers.insert().values(event_id=event.id, user_id=organiser.id)
        )
        stored = db.session.get(Event, event.id)
        question = {q.kind: q.id for q in stored.questions}
        # With a dietary requirement and its consent, so that withdrawing it has work to do.
        booking = registrations.register(
            stored,
            data(
                answers={question[QuestionKind.SINGLE_CHOICE]: "Car"},
                dietary_requirements="Vegan",
                dietary_consent=True,
            ),
        )
        accounts.request_password_reset("org@example.org")
        accounts.resend_invitation(
            db.session.get(User, invited.id), invited_by=db.session.get(User, admin.id)
        )
        failed = OutboxMessage(
            kind="test",
            to_address="someone@example.org",
            subject="S",
            body_text="T",
            status=MessageStatus.FAILED,
        )
        mailing = Mailing(
            kind="organiser-message",
            key="world",
            event_id=event.id,
            params={"subject": "Parking", "body_md": "Park behind the hall."},
            summary="Parking",
        )
        resource = EventResource(event_id=event.id, title="Slides", url="https://example.org/s")
        # A certificate to check at /certificates/<code> (the walks do not check anyone in).
        certificate = Certificate(registration_id=booking.registration.id)
        db.session.add_all([failed, mailing, resource, certificate])
        db.session.commit()
        listed = organisations.add("Northbridge Police", OrganisationKind.POLICE_FORCE)
        world = {
            "admin": admin.id,
            "organiser": organiser.id,
            "invited": invited.id,
            "event_id": event.id,
            "other_event_id": other.id,
            "session_id": stored.workshops[0].id,
            "workshop_ids": [w.id for w in stored.workshops],
            "question_id": stored.questions[0].id,
            "questions": {kind.value: f"question_{qid}" for kind, qid in question.items()},
            "item_id": news.id,
            "message_id": failed.id,
            "mailing_id": mailing.id,
            "organisation_id": listed.id,
            "user_id": organiser.id,
            "registration_id": booking.registration.id,
            "code": booking.registration.checkin_code,  # the QR code's link, /c/<code>
            "certificate_code": certificate.code,  # /certificates/<code>
            "resource_id": resource.id,
            "registration_token": _link("registration", "/registrations/"),
            "kind": "dietary",  # the consent withdrawn, and the wording an admin edits
            "reset_token": _link("reset", "/account/reset/"),
            "invitation_token": _link("invitation", "/account/invitation/"),
        }
    world.update(survey_world(app, make_event, event.id))
    return world


def sign_in_as(client, app, user_id: int | None) -> None:
    """Write Flask-Login's session keys for the user as the database now knows them."""
    if user_id is None:
        return
    with app.app_context():
        version = db.session.scalar(db.select(User.session_version).filter_by(id=user_id))
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{version}"  # as User.get_id() spells it
        session["_fresh"] = True


def snapshot(app, *, only: list[str] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (or of the tables named), in primary-key order."""
    found = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if only is None or table.name in only:
                query = db.select(table).order_by(*table.primary_key.columns)
                found[table.name] = [tuple(row) for row in conn.execute(query)]
    return found


def changed_tables(before: dict, after: dict) -> list[str]:
    """The names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before if before[name] != after.get(name))


def url_for_rule(app, rule, world: dict) -> str:
    """A URL for a rule of the URL map, pointing at the world's own things."""
    tokens = {
        "accounts.reset_password": world["reset_token"],
        "accounts.accept_invitation": world["invitation_token"],
        "feedback.answer": world["feedback_token"],
    }
    values = {}
    for name in rule.arguments:
        if name == "code" and rule.endpoint.startswith("certificates."):
            values[name] = world.get("certificate_code", "no-such-cert")
        elif name == "token":
            values[name] = tokens.get(rule.endpoint, world["registration_token"])
        elif name == "slug":
            values[name] = "news-item" if rule.rule.startswith("/news") else "day"
        elif name == "filename":
            values[name] = "css/engage.css"
        elif name == "event_id" and rule.endpoint == "organisers.remove":
            values[name] = world["event_id"]  # the organiser runs this one
        elif name in world:
            values[name] = world[name]
        else:
            raise LookupError(f"{rule.rule}: give <{name}> a value in build_world")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)
