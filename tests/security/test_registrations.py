"""Security of the booking form and the self-service links (issue 9).

- Self-service links stop working a set time after the event (ASVS 5.0 V7.3.2,
  an absolute lifetime for a bearer link; V14.2.7, personal data not kept
  reachable longer than needed).
- An address the relay could never send to is refused on the form, not
  accepted and then failed by the worker (ASVS 5.0 V2.2.1, input checked
  against what the application can do with it).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from engage.addresses import InvalidEmail, UnsendableEmail, normalise_email
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.mail.worker import deliver_due
from engage.registrations import services
from engage.registrations.models import Registration, RegistrationStatus
from tests.conftest import london
from tests.mail import conftest as mail_fixtures
from tests.registrations import conftest as registration_fixtures
from tests.registrations.conftest import book, form

# Fixtures shared with the mail and registration tests.
mail_app = mail_fixtures.mail_app
smtp_server = mail_fixtures.smtp_server
workshop_event = registration_fixtures.workshop_event

SENDER = "events@engage.invalid"  # MAIL_DEFAULT_SENDER's address: whom to contact
UNSENDABLE = (
    "We cannot send email to addresses with accents or non-Latin letters yet. "
    "Please use another address."
)


def _registrations(app) -> list[Registration]:
    with app.app_context():
        return list(db.session.scalars(db.select(Registration).order_by(Registration.id)))


def _outbox(app) -> list[tuple[str, str]]:
    """(kind, recipient) of every queued email, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            db.select(OutboxMessage.kind, OutboxMessage.to_address).order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]


def _question_field(app, event, label: str) -> str:
    with app.app_context():
        [question] = [q for q in db.session.get(Event, event.id).questions if q.label == label]
        return f"question_{question.id}"


def _book_owner(app, event, **fields):
    """Grace, booked for the event through the service at `NOW`: the address others try."""
    details = dict(
        email="grace@example.org",
        first_name="Grace",
        last_name="Hopper",
        organisation="Secret Squirrel Unit",
        job_title="Commodore",
    )
    with app.app_context():
        return book(event, **{**details, **fields}).registration.id


def _page(response) -> str:
    return response.get_data(as_text=True)


def deliver_due_in(app) -> int:
    """Deliver what is due; how many were sent."""
    with app.app_context():
        return deliver_due().sent


# --- ASVS V7.3.2, V14.2.7: self-service links stop working after the event -------

ENDS = london(2027, 1, 21, 16, 30)  # when make_event's events end
PERSONAL = ("Grace", "Hopper", "grace@example.org", "Secret Squirrel", "Commodore")


def _link(app) -> str:
    with app.app_context():
        body = db.session.scalar(
            db.select(OutboxMessage.body_text).where(
                OutboxMessage.kind == "registration_confirmation"
            )
        )
    return re.search(r"/registrations/[A-Za-z0-9_-]+", body).group(0)


def test_a_link_works_after_the_event_and_is_refused_thirty_days_on(app, make_event):
    event = make_event(slug="day")
    registration_id = _book_owner(app, event)
    link = _link(app)
    client = app.test_client()
    for when in (ENDS + dt.timedelta(days=1), ENDS + dt.timedelta(days=29, hours=23)):
        with time_machine.travel(when, tick=False):
            page = client.get(link)
            assert page.status_code == 200 and "Grace" in _page(page)

    with time_machine.travel(ENDS + dt.timedelta(days=31), tick=False):
        refused = [
            client.get(link),
            client.get(f"{link}/edit"),
            client.get(f"{link}/cancel"),
            client.post(f"{link}/cancel"),
            client.post(f"{link}/leave-waiting-list"),
        ]
        assert client.get("/registrations/not-a-token").status_code == 404  # still a 404
    for response in refused:
        assert response.status_code == 410
        assert response.headers["Cache-Control"] == "no-store"
        page = _page(response)
        assert "This link has expired" in page
        assert (
            'Event 1 ended on <time datetime="2027-01-21T16:30:00Z">Thursday 21 January 2027'
            in page
        )
        assert f'contact the organisers at <a href="mailto:{SENDER}">{SENDER}</a>' in page
        for personal in PERSONAL:
            assert personal not in page, personal
    [registration] = _registrations(app)
    assert (registration.id, registration.status) == (registration_id, RegistrationStatus.CONFIRMED)


def test_the_setting_decides_how_long_links_work(app, make_app, make_event):
    event = make_event(slug="day")
    _book_owner(app, event)
    link = _link(app)
    two_days = make_app(SELF_SERVICE_DAYS_AFTER_EVENT=2).test_client()
    with time_machine.travel(ENDS + dt.timedelta(days=1), tick=False):
        assert two_days.get(link).status_code == 200
    with time_machine.travel(ENDS + dt.timedelta(days=3), tick=False):
        assert two_days.get(link).status_code == 410
        assert app.test_client().get(link).status_code == 200  # the default, 30 days


def test_link_expired_is_one_rule_with_the_time_passed_in(app, make_event):
    event = make_event()
    registration_id = _book_owner(app, event)
    expires = ENDS + dt.timedelta(days=30)
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        assert services.link_expires_at(registration.event) == expires
        assert not services.link_expired(registration, expires - dt.timedelta(seconds=1))
        assert services.link_expired(registration, expires)


# --- ASVS V2.2.1: only addresses the relay can send to ----------------------------


@pytest.mark.parametrize("address", ["josé@example.org", "用户@例子.广告"])
def test_an_address_we_cannot_send_to_is_refused_on_the_form(app, workshop_event, address):
    event = workshop_event(slug="day")
    travel = _question_field(app, event, "How will you travel?")
    response = app.test_client().post(
        "/events/day/register",
        data=form(email=address, organisation="Kept Org", job_title="Kept Role", **{travel: "Car"}),
    )
    page = _page(response)
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page
    assert f'<a href="#email">{UNSENDABLE}</a>' in page  # the summary links to the field
    assert (
        '<p class="error-message" id="email-error"><span class="visually-hidden">Error:</span> '
        f"{UNSENDABLE}</p>" in page
    )
    assert f'value="{address}"' in page  # everything typed is kept
    assert 'value="Kept Org"' in page and 'value="Kept Role"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="Car"|value="Car"[^>]*checked', page)
    assert _registrations(app) == [] and _outbox(app) == []


def test_with_an_smtputf8_relay_such_an_address_is_accepted(make_app, make_event):
    utf8 = make_app(MAIL_SMTPUTF8=True)
    make_event(slug="day")
    response = utf8.test_client().post("/events/day/register", data=form(email="José@example.org"))
    assert response.status_code == 302
    assert [r.email for r in _registrations(utf8)] == ["josé@example.org"]


def test_an_internationalised_domain_is_kept_in_ascii_and_delivered(
    mail_app, smtp_server, make_event
):
    make_event(slug="day")
    response = mail_app.test_client().post(
        "/events/day/register", data=form(email="ada@Bücher.example")
    )
    assert response.status_code == 302
    assert [r.email for r in _registrations(mail_app)] == ["ada@xn--bcher-kva.example"]
    assert deliver_due_in(mail_app) == 1
    assert smtp_server.received[0].rcpt_tos == ["ada@xn--bcher-kva.example"]


@pytest.mark.parametrize(
    ("typed", "smtputf8", "stored"),
    [
        ("Ada@Example.org", False, "ada@example.org"),
        ("ada@bücher.example", False, "ada@xn--bcher-kva.example"),
        ("ada@xn--bcher-kva.example", False, "ada@xn--bcher-kva.example"),
        ("josé@example.org", False, None),
        ("用户@例子.广告", False, None),
        ("josé@example.org", True, "josé@example.org"),
        ("用户@例子.广告", True, "用户@xn--fsqu00a.xn--4rr70v"),
    ],
)
def test_the_address_rule(typed, smtputf8, stored):
    if stored is None:
        with pytest.raises(UnsendableEmail) as refused:
            normalise_email(typed, smtputf8=smtputf8)
        assert isinstance(refused.value, InvalidEmail) and refused.value.field == "email"
        assert str(refused.value) == UNSENDABLE
    else:
        assert normalise_email(typed, smtputf8=smtputf8) == stored


def test_the_address_rule_follows_the_setting(make_app):
    for setting, accepted in ((False, False), (True, True)):
        with make_app(MAIL_SMTPUTF8=setting).app_context():
            if accepted:
                assert normalise_email("josé@example.org") == "josé@example.org"
            else:
                with pytest.raises(UnsendableEmail):
                    normalise_email("josé@example.org")
