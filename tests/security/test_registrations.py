"""Security of the booking form (issue 9).

- An address the relay could never send to is refused on the form, not
  accepted and then failed by the worker (ASVS 5.0 V2.2.1, input checked
  against what the application can do with it).
"""

from __future__ import annotations

import re

import pytest

from engage.addresses import InvalidEmail, UnsendableEmail, normalise_email
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.mail.worker import deliver_due
from engage.registrations.models import Registration
from tests.mail import conftest as mail_fixtures
from tests.registrations import conftest as registration_fixtures
from tests.registrations.conftest import form

# Fixtures shared with the mail and registration tests.
mail_app = mail_fixtures.mail_app
smtp_server = mail_fixtures.smtp_server
workshop_event = registration_fixtures.workshop_event

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


def _page(response) -> str:
    return response.get_data(as_text=True)


def deliver_due_in(app) -> int:
    """Deliver what is due; how many were sent."""
    with app.app_context():
        return deliver_due().sent


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
