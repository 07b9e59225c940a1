"""“Email these people”: preview, a test to oneself, and a message sent once through the worker."""

from __future__ import annotations

import re
import threading

import pytest
from markupsafe import escape
from sqlalchemy import func, select, update

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.events import manage_services
from engage.events.forms import EDITABLE_EVENT_FIELDS
from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.mail.mailings import write_next_batch
from engage.mail.models import Mailing, MailingRecipient, MessageStatus, OutboxMessage
from engage.mail.worker import deliver_due
from engage.registrations.models import ManageToken
from tests.mail.messages_helpers import by_recipient, html, manage_path, text
from tests.registrations.conftest import book

KEY = "form-key-0123456789abcdef"
BODY = "Dear {first_name},\n\nParking for **{event_title}** is behind the hall.\n\n{manage_link}"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _counts(app) -> dict[str, int]:
    with app.app_context():
        models = (OutboxMessage, Mailing, MailingRecipient, ManageToken, AuditEntry)
        return {model.__name__: _count(model) for model in models}


@pytest.fixture
def people(mail_app, smtp_server, make_event, make_user, login_as):
    """An event with two confirmed people and one waiting, and its organiser signed in."""
    event = make_event(title="Engagement Day", capacity=2)
    organiser = make_user("organiser@example.org", name="Olive Organiser")
    with mail_app.app_context():
        db.session.execute(
            event_organisers.insert().values(event_id=event.id, user_id=organiser.id)
        )
        db.session.commit()
        book(event, email="ada@example.org", first_name="Ada", last_name="Lovelace")
        book(event, email="bob@example.org", first_name="Bob", last_name="Brown")
        book(event, email="cat@example.org", first_name="Cat", last_name="Adams")  # waiting
        deliver_due()  # the booking emails, out of the way
    smtp_server.received.clear()
    client = mail_app.test_client()
    login_as(client, organiser)
    return event, client


def _url(event, path: str = "new") -> str:
    return f"/admin/events/{event.id}/mailings/{path}"


def _form(button: str = "send", **fields) -> dict:
    return {
        "key": KEY,
        "subject": "Parking at {event_title}",
        "body_md": BODY,
        button: "y",
        **fields,
    }


def test_the_form_says_how_many_and_who_and_carries_the_filter(mail_app, people):
    event, client = people
    page = client.get(_url(event) + "?status=waitlisted&q=adams").text
    assert "will go to <strong>1 person</strong>" in page
    assert (
        "everyone on the waiting list, whose name, email or organisation contains “adams”" in page
    )
    assert '<input type="hidden" name="status" value="waitlisted">' in page
    assert '<input type="hidden" name="q" value="adams">' in page
    for placeholder in ("{first_name}", "{event_title}", "{manage_link}"):
        assert f"<code>{placeholder}</code>" in page
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page)[1]
    assert len(key) >= 16 and key not in client.get(_url(event)).text  # fresh each time
    assert "Send to 1 person" in page


def test_preview_shows_the_first_person_picked_and_changes_nothing(mail_app, people):
    event, client = people
    before = _counts(mail_app)
    page = client.post(_url(event), data=_form("preview", status="confirmed")).text
    assert _counts(mail_app) == before
    # The first in the list's order (by last name) of those it goes to: Brown, then Lovelace.
    assert "As Bob Brown will get it" in page and "It goes to 2 people" in page
    assert "<p>Parking at Engagement Day</p>" in page  # the subject, filled in
    assert "<p>Dear Bob,</p>" in page and "<strong>Engagement Day</strong>" in page
    assert "Dear Bob,\n\nParking for Engagement Day is behind the hall." in page  # plain text
    assert "each-person-gets-their-own-link" in page  # an example link, not a live one
    assert 'value="Parking at {event_title}"' in page  # what was typed is kept


def test_unknown_placeholders_are_pointed_out_and_sent_as_typed(mail_app, smtp_server, people):
    event, client = people
    form = _form("preview", body_md="Hi {firstname}, see {venue}.", status="confirmed")
    page = client.post(_url(event), data=form).text
    assert "sent exactly as typed: {firstname}, {venue}." in page
    client.post(_url(event), data={**form, "preview": "", "send": "y"})
    with mail_app.app_context():
        deliver_due()
    assert "Hi {firstname}, see {venue}." in text(by_recipient(smtp_server)["ada@example.org"][-1])


def test_send_me_a_test_goes_to_the_organiser_alone(mail_app, smtp_server, people):
    event, client = people
    before = _counts(mail_app)
    page = client.post(_url(event), data=_form("test")).text
    assert "A test has been sent to organiser@example.org." in page
    assert 'value="Parking at {event_title}"' in page  # back to the form, as typed
    after = _counts(mail_app)
    assert after["OutboxMessage"] == before["OutboxMessage"] + 1
    assert (after["Mailing"], after["ManageToken"]) == (before["Mailing"], before["ManageToken"])
    with mail_app.app_context():
        assert deliver_due().sent == 1
    [received] = smtp_server.received
    assert received.rcpt_tos == ["organiser@example.org"]
    assert received.message["Subject"] == "[Test] Parking at Engagement Day"
    assert "Dear Cat," in text(received.message)  # as the first person picked (Adams) gets it


def test_sending_records_one_mailing_and_the_worker_writes_each_persons_email(
    mail_app, smtp_server, people
):
    event, client = people
    before = _counts(mail_app)
    response = client.post(_url(event), data=_form(status="confirmed"))

    with mail_app.app_context():
        mailing = db.session.scalars(select(Mailing)).one()
        assert response.location == f"/admin/events/{event.id}/mailings/{mailing.id}"
        assert (mailing.kind, mailing.recipient_count) == ("organiser-message", 2)
        assert mailing.params == {"subject": "Parking at {event_title}", "body_md": BODY}
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "mailing.created")
        ).one()
        assert entry.actor_label == "organiser@example.org"
    after = _counts(mail_app)
    assert after["OutboxMessage"] == before["OutboxMessage"]  # nothing written in the request
    assert after["ManageToken"] == before["ManageToken"]
    page = client.get(response.location).text
    assert "Your message is being sent to 2 people." in page
    assert "Olive Organiser" in page and "Being prepared" in page

    with mail_app.app_context():
        assert deliver_due().sent == 2
    mail = by_recipient(smtp_server)
    assert set(mail) == {"ada@example.org", "bob@example.org"}  # not Cat, who is waiting
    paths = set()
    for address, name in (("ada@example.org", "Ada"), ("bob@example.org", "Bob")):
        [message] = mail[address]
        assert message["Subject"] == "Parking at Engagement Day"
        assert f"Dear {name}," in text(message) and f"<p>Dear {name},</p>" in html(message)
        assert "<strong>Engagement Day</strong>" in html(message)
        paths.add(manage_path(message))
    assert len(paths) == 2  # each their own link...
    for path in paths:  # ...which works
        assert client.get(path).status_code == 200
    page = client.get(response.location).text
    assert "Finished" in page and re.search(r"Sent</th><td>2<", page)


def test_the_same_form_posted_twice_sends_once(mail_app, smtp_server, people):
    event, client = people
    first = client.post(_url(event), data=_form())
    again = client.post(_url(event), data=_form())
    assert again.location == first.location
    assert "already been sent: nothing was sent twice" in client.get(again.location).text
    with mail_app.app_context():
        assert _count(Mailing) == 1
        assert _count(AuditEntry, AuditEntry.action == "mailing.created") == 1
        assert deliver_due().sent == 3
    assert sorted(len(messages) for messages in by_recipient(smtp_server).values()) == [1, 1, 1]


def test_a_double_click_at_the_same_moment_sends_once(mail_app, people):
    event, client = people
    with client.session_transaction() as signed_in:
        session = dict(signed_in)
    clients = [client, mail_app.test_client()]
    with clients[1].session_transaction() as other:
        other.update(session)
    both = threading.Barrier(2)
    locations = []

    def click(browser):
        both.wait(timeout=10)
        locations.append(browser.post(_url(event), data=_form()).location)

    threads = [threading.Thread(target=click, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(locations) == 2 and locations[0] == locations[1]
    with mail_app.app_context():
        assert _count(Mailing) == 1 and _count(MailingRecipient) == 3


def test_control_two_forms_with_their_own_keys_are_two_messages(mail_app, people):
    """Control: the check above sees a second mailing when the key differs."""
    event, client = people
    client.post(_url(event), data=_form())
    client.post(_url(event), data=_form(key=KEY + "x"))
    with mail_app.app_context():
        assert _count(Mailing) == 2


def test_hostile_first_names_arrive_as_text(mail_app, smtp_server, people):
    event, client = people
    names = {
        "eve@example.org": "<script>alert(1)</script>",
        "mal@example.org": "[Log in](https://evil.example/phish)",
        "sid@example.org": "{manage_link} {event_title}",
    }
    with mail_app.app_context():
        db.session.get(Event, event.id).capacity = None
        db.session.commit()
        for email, name in names.items():
            book(event, email=email, first_name=name)
        deliver_due()
    smtp_server.received.clear()  # the bookings
    client.post(_url(event), data=_form(subject="Hi {first_name}"))
    with mail_app.app_context():
        deliver_due()
    mail = by_recipient(smtp_server)
    for email, name in names.items():
        [message] = mail[email]
        assert message["Subject"] == f"Hi {name}"
        assert f"Dear {name}," in text(message)
        body = html(message)
        assert f"<p>Dear {escape(name)},</p>" in body  # text, escaped
        assert "<script" not in body and 'href="https://evil.example' not in body
    # A name that looks like a placeholder is not filled in again.
    assert text(mail["sid@example.org"][0]).count("/registrations/") == 1


def test_nobody_picked_is_refused_beside_the_form(mail_app, people):
    event, client = people
    response = client.post(_url(event), data=_form(q="nobody-by-this-name"))
    page = response.text
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page
    assert "Nobody matches this selection" in page
    with mail_app.app_context():
        assert _count(Mailing) == 0 and _count(MailingRecipient) == 0


def test_a_form_with_errors_says_so_and_keeps_what_was_typed(mail_app, people):
    event, client = people
    page = client.post(_url(event), data=_form(subject="")).text
    assert "<title>Error: " in page and 'href="#subject">Enter a subject' in page
    assert "Parking for **{event_title}** is behind the hall." in page
    with mail_app.app_context():
        assert _count(Mailing) == 0


def test_retry_the_failed_ones(mail_app, people):
    event, client = people
    show = client.post(_url(event), data=_form()).location
    with mail_app.app_context():
        write_next_batch()
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "organiser_message")
            .values(status=MessageStatus.FAILED, attempts=7)
        )
        db.session.commit()
    page = client.get(show).text
    assert re.search(r"Failed</th><td>3<", page) and "Retry the failed ones" in page
    client.post(show + "/retry")
    assert "3 failed email(s) will be sent again shortly." in client.get(show).text
    with mail_app.app_context():
        statuses = db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.kind == "organiser_message")
        ).all()
        assert statuses == [MessageStatus.PENDING] * 3


def test_the_list_has_every_mailing_of_the_event(mail_app, people):
    event, client = people
    client.post(_url(event), data=_form())
    with mail_app.app_context():
        stored = db.session.get(Event, event.id)
        fields = {name: getattr(stored, name) for name in EDITABLE_EVENT_FIELDS}
        manage_services.update_event(stored, {**fields, "venue_name": "Civic Hall"})
    page = client.get(_url(event, "")).text
    assert "Parking at {event_title}" in page and "Message from the organisers" in page
    assert "Changed: Where" in page and "Date, time or venue changed" in page


def test_a_mailing_is_found_only_under_its_own_event(
    mail_app, people, make_event, make_user, login_as
):
    event, client = people
    mailing_id = client.post(_url(event), data=_form()).location.rsplit("/", 1)[1]
    other = make_event(title="Other")
    admin = mail_app.test_client()  # who may manage both events
    login_as(admin, make_user("admin@example.org", role=Role.ADMIN))
    assert admin.get(f"/admin/events/{event.id}/mailings/{mailing_id}").status_code == 200
    assert admin.get(f"/admin/events/{other.id}/mailings/{mailing_id}").status_code == 404
    assert admin.post(f"/admin/events/{other.id}/mailings/{mailing_id}/retry").status_code == 404


def test_no_link_is_issued_when_the_message_does_not_offer_one(mail_app, people):
    event, client = people
    before = _counts(mail_app)["ManageToken"]
    client.post(_url(event), data=_form(body_md="Dear {first_name}, see you."))
    with mail_app.app_context():
        deliver_due()
    assert _counts(mail_app)["ManageToken"] == before
