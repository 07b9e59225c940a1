"""One attendee's record and the organiser's actions over HTTP: pages, errors, junk."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from engage.accounts.models import Role
from engage.attendees import services
from engage.audit.models import AuditEntry
from engage.events.models import Event
from engage.extensions import db
from engage.mail.models import MessageStatus, OutboxMessage
from engage.registrations.models import Registration, RegistrationStatus
from tests.attendees.helpers import audit, booked, fresh, outbox, workshop_ids
from tests.attendees.test_services import free_a_place
from tests.registrations.conftest import NOW, form
from tests.security.world import changed_tables, snapshot


@pytest.fixture
def staff(app, client, make_user, login_as):
    """The test client, signed in as an admin."""
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _url(event, rid=None, action="") -> str:
    base = f"/admin/events/{event.id}/attendees"
    if rid is None:
        return f"{base}/{action}"
    return f"{base}/{rid}" + (f"/{action}" if action else "")


def _html(response) -> str:
    return response.get_data(as_text=True)


def _details_form(**changes) -> dict:
    fields = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "organisation": "Northbridge Police",
        "job_title": "Inspector",
        "category": "police_officer",
        "dietary_requirements": "",
        "access_requirements": "",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


# --- the record ------------------------------------------------------------------------


def test_the_record_shows_everything_they_gave_and_what_happened(app, staff, workshop_event):
    event = workshop_event(capacity=1)
    with app.app_context():
        first, _, _ = workshop_ids(event)
        questions = db.session.get(Event, event.id).questions
        answers = {questions[1].id: "Car", questions[2].id: ["Leadership", "Data"]}
        rid = booked(
            event,
            workshop_ids=[first],
            answers=answers,
            dietary_requirements="Vegan",
            dietary_consent=True,
            access_requirements="Step-free route",
            access_consent=True,
        )
        waiting = booked(event, email="grace@example.org", first_name="Grace", answers=answers)
        db.session.get(OutboxMessage, 1).status = MessageStatus.SENT
        db.session.get(OutboxMessage, 1).sent_at = NOW + dt.timedelta(minutes=1)
        db.session.commit()
    html = _html(staff.get(_url(event, rid)))
    for shown in (
        "Ada Lovelace",
        "ada@example.org",
        "Northbridge Police",
        "Inspector",
        "Police officer",
        "Vegan",
        "Step-free route",
        "Learning from failure",
        "Car",
        "Leadership, Data",
        "Place confirmed",
        "Tuesday 1 December 2026, midday (UK time)",  # booked, and the consents
        "Your place at",  # the confirmation's subject
        "registration confirmation",
        "Sent",
        "Tuesday 1 December 2026, 12:01pm (UK time)",  # when it was sent
        f'href="/admin/events/{event.id}/messages"',
        f'href="/admin/events/{event.id}/attendees/{rid}/details"',
        f'href="/admin/events/{event.id}/paper/badges/{rid}.pdf"',  # a badge reprint
    ):
        assert shown in html, shown
    assert html.count(">Given <time") == 3  # privacy, dietary and access consents
    assert "<caption" in html and "Registered" in html
    waiting_page = _html(staff.get(_url(event, waiting)))
    assert "On the waiting list" in waiting_page and "Number 1 in line." in waiting_page
    assert "All places are taken" in waiting_page and "Give them a place now" not in waiting_page
    assert "/paper/badges/" not in waiting_page  # no badge for someone without a place


def test_a_record_of_another_event_is_404(app, staff, make_event):
    event, other = make_event(), make_event()
    with app.app_context():
        rid = booked(event)
    assert staff.get(_url(other, rid)).status_code == 404
    assert staff.get(_url(other, rid, "details")).status_code == 404
    assert staff.post(_url(other, rid, "resend")).status_code == 404
    with app.app_context():
        assert outbox() == [("registration_confirmation", "ada@example.org")]


# --- correcting details -------------------------------------------------------------------


def test_details_form_is_filled_in_and_saves(app, staff, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
    page = _html(staff.get(_url(event, rid, "details")))
    assert 'value="Northbridge Police"' in page
    assert re.search(r'<input [^>]*checked[^>]*value="police_officer"', page)
    assert "Don&#39;t email them about this change</label>" in page
    assert not re.search(r'<input [^>]*checked[^>]*name="quiet"', page)
    response = staff.post(
        _url(event, rid, "details"), data=_details_form(first_name="Augusta", quiet="y")
    )
    assert response.status_code == 302 and response.location.endswith(_url(event, rid))
    done = _html(staff.get(response.location))
    assert "Saved: first name." in done and "emailed" not in done
    with app.app_context():
        assert fresh(rid).first_name == "Augusta"
        assert outbox()[-1][0] == "registration_confirmation"  # quiet: nothing new


def test_bad_details_are_shown_by_their_fields_and_nothing_is_written(app, staff, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
    before = snapshot(app)
    response = staff.post(
        _url(event, rid, "details"),
        data=_details_form(first_name="", email="not an address", organisation="Kept Org"),
    )
    html = _html(response)
    assert response.status_code == 200
    assert "<title>Error: " in html and "There is a problem" in html
    assert '<a href="#first_name">Enter their first name</a>' in html
    assert 'id="email-error"' in html
    assert 'value="Kept Org"' in html and 'value="not an address"' in html
    assert changed_tables(before, snapshot(app)) == []


def test_a_taken_address_is_a_field_error_with_a_link_to_their_record(app, staff, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
        other = booked(event, email="grace@example.org", first_name="Grace", last_name="Hopper")
    before = snapshot(app)
    html = _html(
        staff.post(
            _url(event, rid, "details"),
            data=_details_form(first_name="Changed", email="Grace@example.org"),
        )
    )
    assert "<title>Error: " in html
    assert "grace@example.org is already registered for this event, as Grace Hopper" in html
    assert f'href="{_url(event, other)}">See Grace Hopper\'s registration</a>' in html
    assert changed_tables(before, snapshot(app)) == []


# --- workshops --------------------------------------------------------------------------------


def test_a_full_workshop_is_refused_then_booked_when_the_organiser_ticks_the_box(
    app, staff, workshop_event
):
    event = workshop_event(questions=[])
    with app.app_context():
        first, _, third = workshop_ids(event)
        booked(event, email="a@example.org", workshop_ids=[first])
        booked(event, email="b@example.org", workshop_ids=[first])
        rid = booked(event, workshop_ids=[third])
    page = _html(staff.get(_url(event, rid, "workshops")))
    assert "Book them in even though it is full" not in page
    assert re.search(rf'<input [^>]*checked[^>]*value="{third}"', page)

    before = snapshot(app)
    refused = _html(staff.post(_url(event, rid, "workshops"), data={"workshops": [first, third]}))
    assert "<title>Error: " in refused and "“Learning from failure” is full" in refused
    assert "Book them in even though it is full" in refused
    assert changed_tables(before, snapshot(app)) == []

    done = staff.post(
        _url(event, rid, "workshops"),
        data={"workshops": [first, third], "book_full": "y"},
        follow_redirects=True,
    )
    assert "Their workshops have been changed. They have been emailed." in _html(done)
    with app.app_context():
        assert [w.id for w in fresh(rid).workshops] == [first, third]


# --- cancel, promote, resend ----------------------------------------------------------------------


def test_cancel_asks_first_then_cancels(app, staff, make_event):
    event = make_event(capacity=1)
    with app.app_context():
        rid = booked(event)
        booked(event, email="grace@example.org")
    page = _html(staff.get(_url(event, rid, "cancel")))
    assert ">Cancel their place</button>" in page and 'name="quiet"' in page
    with app.app_context():
        assert fresh(rid).status == RegistrationStatus.CONFIRMED  # asking wrote nothing
    done = _html(staff.post(_url(event, rid, "cancel"), data={}, follow_redirects=True))
    assert "Ada Lovelace&#39;s registration has been cancelled." in done
    assert "1 person(s) moved from the waiting list" in done
    assert "Cancelled" in done and "Cancel their registration" not in done
    again = _html(staff.get(_url(event, rid, "cancel")))
    assert "already cancelled" in again


def test_promote_is_refused_with_a_message_when_full_and_done_when_a_place_is_free(
    app, staff, make_event
):
    event = make_event(capacity=1)
    with app.app_context():
        booked(event)
        waiting = booked(event, email="grace@example.org", first_name="Grace")
    refused = _html(staff.post(_url(event, waiting, "promote"), follow_redirects=True))
    assert "All 1 places are taken" in refused and "notice--error" in refused
    with app.app_context():
        assert fresh(waiting).status == RegistrationStatus.WAITLISTED
        free_a_place(event)
    assert "Give them a place now" in _html(staff.get(_url(event, waiting)))
    done = _html(staff.post(_url(event, waiting, "promote"), follow_redirects=True))
    assert "Grace Lovelace now has a place and has been emailed." in done
    with app.app_context():
        assert fresh(waiting).status == RegistrationStatus.CONFIRMED


def test_resend_confirms_on_the_record(app, staff, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
    done = _html(staff.post(_url(event, rid, "resend"), follow_redirects=True))
    assert "The confirmation email has been sent again to ada@example.org." in done
    with app.app_context():
        assert [kind for kind, _ in outbox()] == ["registration_confirmation"] * 2


def test_actions_need_the_csrf_token(make_app, make_user, login_as, make_event):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    event = make_event(capacity=1)
    with app.app_context():
        rid = booked(event)
        booked(event, email="grace@example.org")
    before = snapshot(app)
    for action in ("details", "workshops", "cancel", "promote", "resend"):
        response = client.post(_url(event, rid, action), data=_details_form(first_name="X"))
        assert response.status_code == 400, action
    assert client.post(_url(event, None, "new"), data=form()).status_code == 400
    assert changed_tables(before, snapshot(app)) == []


# --- adding by hand ----------------------------------------------------------------------------------


def test_the_add_form_has_the_public_fields_without_the_honeypot(app, staff, workshop_event):
    event = workshop_event()
    html = _html(staff.get(_url(event, None, "new")))
    for label in (
        "First name",
        "Email address",
        "Which of these describes them?",
        "Learning from failure",
        "How will you travel?",
        "They have been told how we use their data (privacy notice)",
        "Email them a confirmation",
    ):
        assert label in html, label
    assert 'name="website"' not in html
    assert re.search(r'<input [^>]*checked[^>]*name="notify"', html)


def test_adding_someone_books_them_and_shows_their_record(app, staff, make_event):
    event = make_event(registration_closes_at=NOW - dt.timedelta(days=1))  # closed to the public
    response = staff.post(_url(event, None, "new"), data=form(notify="y"))
    assert response.status_code == 302
    with app.app_context():
        [registration] = db.session.scalars(db.select(Registration)).all()
        assert registration.status == RegistrationStatus.CONFIRMED
        assert outbox() == [("registration_confirmation", "ada@example.org")]
        assert audit()[0][0] == "attendee.added"
        entry = db.session.scalar(db.select(AuditEntry))
        assert entry.actor_label == "admin@example.org"  # who did it, from the signed-in user
    assert response.location.endswith(_url(event, registration.id))
    done = _html(staff.get(response.location))
    assert "Ada Lovelace has been added, booked. They have been emailed." in done


def test_adding_a_duplicate_names_them_with_a_link(app, staff, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
    before = snapshot(app)
    html = _html(staff.post(_url(event, None, "new"), data=form(email="ADA@example.org")))
    assert "<title>Error: " in html
    assert '<a href="#email">ada@example.org is already registered for this event' in html
    assert f'href="{_url(event, rid)}">See Ada Lovelace\'s registration</a>' in html
    assert changed_tables(before, snapshot(app)) == []


def test_requirements_without_consent_are_an_error_not_dropped(app, staff, make_event):
    event = make_event()
    before = snapshot(app)
    html = _html(staff.post(_url(event, None, "new"), data=form(dietary_requirements="Coeliac")))
    assert "Tick to confirm they agreed we may keep their dietary requirements" in html
    assert "Coeliac" in html
    assert changed_tables(before, snapshot(app)) == []


def test_no_one_is_added_to_a_cancelled_event(app, staff, make_event):
    event = make_event(cancelled_at=NOW)
    page = _html(staff.get(_url(event, None, "new")))
    assert "This event is cancelled: no one can be added to it." in page
    before = snapshot(app)
    assert staff.post(_url(event, None, "new"), data=form()).status_code == 200
    assert changed_tables(before, snapshot(app)) == []


# --- junk ------------------------------------------------------------------------------------------------

JUNK = [
    {},
    {"workshops": ["x", "-1", "99999"], "book_full": "maybe", "quiet": ["y", "n"]},
    {"email": "\r\nBcc: x@example.org", "first_name": "\x00", "category": "admin"},
    {"first_name": "x" * 70_000, "dietary_requirements": "\u202eevil"},
]


@pytest.mark.parametrize("body", JUNK)
def test_junk_posts_never_500_and_write_nothing_half_way(app, staff, workshop_event, body):
    event = workshop_event()
    with app.app_context():
        question = db.session.get(Event, event.id).questions[1].id
        rid = booked(event, answers={question: "Car"})
    for action in ("details", "workshops", "cancel", "promote", "resend"):
        response = staff.post(_url(event, rid, action), data=body)
        assert response.status_code < 500, action
    response = staff.post(_url(event, None, "new"), data=body)
    assert response.status_code == 200
    for as_json in (body, {"first_name": 1, "workshops": [None], "quiet": {"a": 1}}):
        assert staff.post(_url(event, rid, "details"), json=as_json).status_code < 500
    with app.app_context():
        registration = fresh(rid)
        assert registration.first_name == "Ada" and registration.email == "ada@example.org"
        count = db.session.scalar(db.select(db.func.count()).select_from(Registration))
        assert count == 1


def test_the_attendee_page_does_not_read_an_out_of_turn_promotion_as_a_full_workshop(
    app, client, make_event
):
    """The attendee's own page explains a promotion's note: an organiser's is not one of those."""
    event = make_event(capacity=1)
    with app.app_context():
        booked(event)
        waiting = booked(event, email="grace@example.org")
        free_a_place(event)
        services.promote(fresh(waiting), now=NOW)
        [body] = db.session.scalars(
            db.select(OutboxMessage.body_text).where(OutboxMessage.kind == "waitlist_promoted")
        )
    token = re.search(r"/registrations/(\S+)", body).group(1)
    html = _html(client.get(f"/registrations/{token}"))
    assert "Place confirmed" in html
    assert "already full" not in html and "by an organiser" not in html
