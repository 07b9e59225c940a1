"""A site holding one person's data in every place it can be: the privacy tests' world."""

from __future__ import annotations

import pytest

from engage.accounts.models import ThrottleHit
from engage.accounts.throttle import account_key
from engage.audit.services import record
from engage.events.models import Event, QuestionKind
from engage.extensions import db
from engage.mail.models import Mailing
from engage.registrations import services
from engage.registrations.models import Registration
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.registrations.conftest import NOW, data, standard_questions, workshop

ADDRESS = "ada@example.org"
LOOKALIKE = "nada@example.org"  # holds ADDRESS as a substring: must be left alone


@pytest.fixture
def person(app, make_event):
    """Ada booked on a full future event (Grace waits behind her) and a past one, emailed,
    audited, named in a mailing and a throttle; Nada, whose address holds Ada's, booked too.
    """
    event = make_event(
        slug="day",
        capacity=2,
        sessions=[workshop("Workshop A", 11)],
        questions=standard_questions(),
    )
    past = make_event(slug="past", starts_at=NOW.replace(year=2026, month=6))
    with app.test_request_context():
        stored = db.session.get(Event, event.id)
        question = {q.kind: q.id for q in stored.questions}
        answers = {
            question[QuestionKind.SINGLE_CHOICE]: "Car",
            question[QuestionKind.TEXT]: "Write to me at ADA@example.org",
        }
        ada = services.register(
            stored,
            data(
                email="Ada@Example.org",
                answers=answers,
                workshop_ids=[stored.workshops[0].id],
                dietary_requirements="Vegan",
                dietary_consent=True,
            ),
            now=NOW,
        ).registration
        nada = services.register(
            stored,
            data(email=LOOKALIKE, first_name="Nada", answers=answers),
            now=NOW,
        ).registration
        grace = services.register(
            stored,
            data(email="grace@example.org", first_name="Grace", answers=answers),
            now=NOW,
        ).registration
        db.session.add(
            Registration(
                event_id=past.id,
                status="confirmed",
                email=ADDRESS,
                first_name="Ada",
                last_name="Lovelace",
                organisation="Northbridge Police",
                job_title="Inspector",
                category="police_officer",
                privacy_accepted=True,
            )
        )
        record("attendee.note", summary=f"Phoned: {ADDRESS} will be late")
        record("attendee.note", summary=f"Phoned: {LOOKALIKE} will be late")
        db.session.add(
            Mailing(
                kind="organiser-message",
                key="k",
                event_id=event.id,
                params={"subject": "Hi", "body_md": f"Ask {ADDRESS}"},
                summary="Hi",
            )
        )
        db.session.add(ThrottleHit(key=account_key(ADDRESS, "reset")))
        db.session.commit()
        return {
            "event_id": event.id,
            "past_id": past.id,
            "ada": ada.id,
            "nada": nada.id,
            "grace": grace.id,
        }
