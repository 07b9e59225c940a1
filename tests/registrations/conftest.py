"""Fixtures for registration tests: events with workshops and questions, and form data."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.events.models import EventQuestion, EventSession, QuestionKind, SessionKind
from engage.extensions import db
from engage.registrations import services
from engage.registrations.models import AttendeeCategory, Registration
from engage.registrations.services import RegistrationData
from tests.conftest import london
from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures

NOW = london(2026, 12, 1, 12)


def workshop(title: str, hour: int, capacity: int | None = None, minutes: int = 75):
    """A workshop on 21 January 2027 starting at `hour` London time."""
    start = london(2027, 1, 21, hour)
    return EventSession(
        kind=SessionKind.WORKSHOP,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        capacity=capacity,
        room=f"Room {hour}",
    )


# Every field of the public registration form (the honeypot, `website`, included).
FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation_choice",
    "organisation",
    "job_title",
    "category",
    "workshops",
    "dietary_requirements",
    "dietary_consent",
    "access_requirements",
    "access_consent",
    "privacy",
    "website",
)


def standard_questions() -> list[EventQuestion]:
    """One question of each kind, as the test events ask them."""
    return [
        EventQuestion(kind=QuestionKind.TEXT, label="What do you hope to learn?"),
        EventQuestion(
            kind=QuestionKind.SINGLE_CHOICE,
            label="How will you travel?",
            choices=["Train", "Car", "Other"],
            is_required=True,
            position=1,
        ),
        EventQuestion(
            kind=QuestionKind.MULTIPLE_CHOICE,
            label="Topics of interest",
            choices=["Leadership", "Well-being", "Data"],
            position=2,
        ),
        EventQuestion(kind=QuestionKind.YES_NO, label="Need parking?", position=3),
    ]


@pytest.fixture
def workshop_event(make_event):
    """An event with two rounds of workshops and one question of each kind."""

    def factory(**fields):
        fields.setdefault(
            "sessions",
            [
                workshop("Learning from failure", 11, capacity=2),
                workshop("Well-being", 11, capacity=2),
                workshop("Evidence-based practice", 14, capacity=2),
            ],
        )
        fields.setdefault("questions", standard_questions())
        fields.setdefault("max_workshops", 2)
        return make_event(**fields)

    return factory


def data(**overrides) -> RegistrationData:
    """Valid registration data, for calling the service directly."""
    fields = dict(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.org",
        organisation="Northbridge Police",
        job_title="Inspector",
        category=AttendeeCategory.POLICE_OFFICER,
        privacy_accepted=True,
    )
    fields.update(overrides)
    return RegistrationData(**fields)


def form(**overrides) -> dict:
    """Valid registration form fields, for posting to the form."""
    fields = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "organisation": "Northbridge Police",
        "job_title": "Inspector",
        "category": "police_officer",
        "privacy": "y",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def book(event, **overrides):
    """Register through the service (inside an app context) at NOW; the result."""
    from engage.events.models import Event

    return services.register(db.session.get(Event, event.id), data(**overrides), now=NOW)


def qr_link(app, code: str) -> str:
    """What a check-in QR code must hold: the check-in link on SITE_URL with the code, nothing else."""
    return app.config["SITE_URL"].rstrip("/") + "/c/" + code


def statuses(event_id: int) -> dict[str, str]:
    """email -> status for every registration of an event."""
    rows = db.session.scalars(db.select(Registration).where(Registration.event_id == event_id))
    return {r.email: r.status.value for r in rows}


def choose_organisation(page, name: str = "Northbridge Police") -> None:
    """In a browser, answer the organisation question with Other and a typed name."""
    page.get_by_label("Organisation", exact=True).select_option(label="Other (not in the list)")
    page.get_by_label("Your organisation").fill(name)
