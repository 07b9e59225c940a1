"""Security of the booking form and the self-service links (issue 9).

- A booking attempt tells nobody whether another person's address is booked
  (ASVS 5.0 V6.3.8: registration must not reveal valid users).
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
from engage.registrations import emails, services
from engage.registrations.models import Registration, RegistrationStatus
from tests.conftest import london
from tests.mail import conftest as mail_fixtures
from tests.mail.messages_helpers import by_recipient, html, manage_path, text
from tests.registrations import conftest as registration_fixtures
from tests.registrations.conftest import NOW, book, data, form

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


def _workshop_ids(app, event) -> dict[str, int]:
    with app.app_context():
        return {w.title: w.id for w in db.session.get(Event, event.id).workshops}


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


# --- ASVS V6.3.8: a booking attempt does not reveal who is booked ----------------


@pytest.mark.parametrize("mistake", ["overlapping workshops", "required answer missing"])
def test_an_invalid_booking_is_refused_alike_whether_or_not_the_address_is_booked(
    app, workshop_event, mistake
):
    event = workshop_event(slug="day")
    ids = _workshop_ids(app, event)
    travel = _question_field(app, event, "How will you travel?")
    _book_owner(app, event, answers={int(travel.split("_")[1]): "Train"})
    if mistake == "overlapping workshops":  # two workshops at 11am
        wrong = form(
            workshops=[str(ids["Learning from failure"]), str(ids["Well-being"])],
            **{travel: "Car"},
        )
    else:
        wrong = form()

    booked = app.test_client().post(
        "/events/day/register", data={**wrong, "email": "grace@example.org"}
    )
    unknown = app.test_client().post(
        "/events/day/register", data={**wrong, "email": "nobody@example.org"}
    )

    assert booked.status_code == unknown.status_code == 200
    assert "already registered" not in _page(booked)
    # The very same page, but for the address typed.
    assert _page(booked).replace("grace@example.org", "X") == _page(unknown).replace(
        "nobody@example.org", "X"
    )
    if mistake == "overlapping workshops":
        assert "run at the same time" in _page(booked)
    else:
        assert "Answer the question “How will you travel?”" in _page(booked)
    assert len(_registrations(app)) == 1


def _receipt(client) -> dict:
    with client.session_transaction() as session:
        return dict(session["last_registration"])


@pytest.mark.parametrize("places", [10, 1], ids=["places left", "now full"])
def test_a_duplicate_booking_is_answered_as_a_success_and_the_owner_is_emailed_a_link(
    mail_app, smtp_server, workshop_event, time_machine, places
):
    """Full after Grace booked, the answer is the waiting list, as for anyone: not her place."""
    time_machine.move_to(NOW, tick=False)
    event = workshop_event(slug="day", capacity=places, questions=[])
    ids = _workshop_ids(mail_app, event)
    owner_id = _book_owner(mail_app, event, workshop_ids=[ids["Evidence-based practice"]])
    assert deliver_due_in(mail_app) == 1  # Grace's confirmation
    smtp_server.inbox.received.clear()
    time_machine.shift(dt.timedelta(hours=1))

    typed = form(first_name="Mallory", last_name="Probe", organisation="Probe Ltd")
    someone, newcomer = mail_app.test_client(), mail_app.test_client()
    duplicate = someone.post("/events/day/register", data={**typed, "email": "Grace@Example.org"})
    success = newcomer.post("/events/day/register", data={**typed, "email": "new@example.org"})
    duplicate_page = someone.get("/events/day/registered")
    success_page = newcomer.get("/events/day/registered")

    # On screen: the same redirect, the same page, the same session, as a success.
    assert duplicate.status_code == success.status_code == 302
    assert duplicate.headers["Location"] == success.headers["Location"]
    assert duplicate.headers["Location"].endswith("/events/day/registered")
    assert duplicate_page.status_code == success_page.status_code == 200
    shown = _page(duplicate_page)
    assert shown.replace("grace@example.org", "X") == _page(success_page).replace(
        "new@example.org", "X"
    )
    assert "Check your email" in shown and "grace@example.org" in shown
    assert ("You are on the waiting list" in shown) == (places == 1)
    for secret in ("Grace", "Hopper", "Secret Squirrel", "Commodore", "Evidence-based"):
        assert secret not in shown, secret
    assert {**_receipt(someone), "email": "X"} == {**_receipt(newcomer), "email": "X"}

    # No second registration; Grace's is untouched.
    registrations = _registrations(mail_app)
    assert [r.email for r in registrations] == ["grace@example.org", "new@example.org"]
    assert (registrations[0].id, registrations[0].first_name) == (owner_id, "Grace")
    assert [to for _, to in _outbox(mail_app)] == ["grace@example.org"] * 2 + ["new@example.org"]
    assert _outbox(mail_app)[1] == ("already_registered", "grace@example.org")

    # Over real SMTP, Grace gets her own fresh link, and it works.
    assert deliver_due_in(mail_app) == 2
    [message] = by_recipient(smtp_server)["grace@example.org"]
    assert message["Subject"] == "You are already registered for Event 1"
    body = text(message)
    assert "You are already registered, so we have not booked you a second time" in body
    assert "You have a place." in body and "- Evidence-based practice:" in body
    for leftover in ("<", "{{", "{%", "None"):
        assert leftover not in body, leftover
    assert "Mallory" not in body + html(message)  # nothing of what the prober typed
    own_page = mail_app.test_client().get(manage_path(message))
    assert own_page.status_code == 200
    assert "Grace" in _page(own_page) and "Place confirmed" in _page(own_page)


def test_a_double_click_books_once_and_sends_one_email(app, make_event):
    make_event(slug="day")
    client = app.test_client()
    first = client.post("/events/day/register", data=form())
    again = client.post("/events/day/register", data=form())
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"].endswith("/events/day/registered")
    assert client.get("/events/day/registered").status_code == 200
    assert len(_registrations(app)) == 1
    assert _outbox(app) == [("registration_confirmation", "ada@example.org")]


def _try(app, event, email: str, at: dt.datetime):
    with app.app_context():
        return services.register(db.session.get(Event, event.id), data(email=email), now=at)


def test_the_owner_is_sent_their_link_again_at_most_every_ten_minutes(app, make_event):
    event = make_event(slug="day")
    _book_owner(app, event)  # at NOW
    for minutes in (5, 60, 61, 69, 71):
        result = _try(app, event, "grace@example.org", NOW + dt.timedelta(minutes=minutes))
        assert result.registration is None and result.status == RegistrationStatus.CONFIRMED
    # 5: her confirmation is on its way; 60: sent; 61 and 69: sent moments ago; 71: sent.
    assert [kind for kind, _ in _outbox(app)] == [
        "registration_confirmation",
        "already_registered",
        "already_registered",
    ]
    assert len(_registrations(app)) == 1


def test_the_owner_s_email_is_written_in_the_booking_s_transaction(app, make_event, monkeypatch):
    event = make_event(slug="day")
    _book_owner(app, event)
    real = emails.already_registered

    def queue_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the use case fails after the email was queued")

    monkeypatch.setattr(emails, "already_registered", queue_then_fail)
    with pytest.raises(RuntimeError):
        _try(app, event, "grace@example.org", NOW + dt.timedelta(hours=1))
    assert _outbox(app) == [("registration_confirmation", "grace@example.org")]


def test_a_booking_that_loses_the_race_is_answered_like_any_duplicate(app, make_event, monkeypatch):
    """Past the friendly check, the unique index catches it; the answer is the same."""
    event = make_event(capacity=10)
    _book_owner(app, event)
    real = services.active_registration
    calls = []

    def blind_once(event_id, email):
        # The other submission commits between this check and our insert.
        calls.append(email)
        return None if len(calls) == 1 else real(event_id, email)

    monkeypatch.setattr(services, "active_registration", blind_once)
    result = _try(app, event, "grace@example.org", NOW + dt.timedelta(hours=1))
    assert len(calls) == 2  # the insert failed on the index, the second look saw it
    assert result.registration is None and result.status == RegistrationStatus.CONFIRMED
    assert len(_registrations(app)) == 1
    assert _outbox(app)[-1] == ("already_registered", "grace@example.org")


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


def _utf8_app(make_app, server):
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_SUPPRESS_SEND=False,
        MAIL_TIMEOUT=5,
        MAIL_SMTPUTF8=True,
    )


def test_with_an_smtputf8_relay_such_an_address_gets_its_confirmation(
    make_app, smtp_server, make_event
):
    assert smtp_server.smtputf8  # the relay offers SMTPUTF8, as the setting promises
    utf8 = _utf8_app(make_app, smtp_server)
    make_event(slug="day", title="Engagement Day")
    response = utf8.test_client().post("/events/day/register", data=form(email="José@example.org"))
    assert response.status_code == 302
    assert deliver_due_in(utf8) == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["josé@example.org"]
    assert received.message["To"] == "josé@example.org"
    assert "Engagement Day" in received.message["Subject"]


def test_a_relay_without_smtputf8_fails_such_a_message_for_good_with_the_reason(
    make_app, make_event
):
    plain = mail_fixtures.SMTPServer(smtputf8=False).start()
    try:
        utf8 = _utf8_app(make_app, plain)
        make_event(slug="day")
        utf8.test_client().post("/events/day/register", data=form(email="josé@example.org"))
        utf8.test_client().post("/events/day/register", data=form(email="ada@example.org"))
        assert deliver_due_in(utf8) == 1  # the other message still goes
        with utf8.app_context():
            failed = db.session.scalars(
                db.select(OutboxMessage).where(OutboxMessage.to_address == "josé@example.org")
            ).one()
            assert failed.status.value == "failed"
            assert "SMTPUTF8" in failed.last_error
        assert [r.rcpt_tos for r in plain.received] == [["ada@example.org"]]
    finally:
        plain.stop()


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
