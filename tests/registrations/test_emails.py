"""The attendee messages, delivered through a real SMTP server and read back."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.events import manage_services, programme_services
from engage.events.forms import EDITABLE_EVENT_FIELDS
from engage.events.models import Event, EventSession, SessionKind
from engage.extensions import db
from engage.mail.qrcode import qr_png
from engage.mail.worker import deliver_due
from engage.registrations import emails, services
from engage.registrations.models import Registration
from tests.conftest import london
from tests.mail.messages_helpers import (
    attachments,
    by_recipient,
    html,
    manage_path,
    text,
    vevent,
)
from tests.registrations.conftest import book, qr_link

PNG = b"\x89PNG\r\n\x1a\n"


def _workshop(title, hour, *, capacity=None, room=None):
    start = london(2027, 6, 21, hour)
    return EventSession(
        kind=SessionKind.WORKSHOP,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=75),
        capacity=capacity,
        room=room or f"Room {hour}",
    )


@pytest.fixture
def summer_event(make_event):
    """Engagement Day in June 2027 (British Summer Time), with two workshops."""

    def factory(**fields):
        fields.setdefault("title", "Engagement Day")
        fields.setdefault("starts_at", london(2027, 6, 21, 9, 30))  # 08:30 UTC
        fields.setdefault("ends_at", london(2027, 6, 21, 16, 30))
        fields.setdefault("venue_name", "Riverside Conference Centre")
        fields.setdefault("venue_address", "1 River Street, Leeds LS1 4AP")
        fields.setdefault(
            "travel_info_md", "Take the **train** to [Leeds](https://example.org/leeds)."
        )
        fields.setdefault("access_info_md", "Step-free entrance on *Water Lane*.")
        fields.setdefault(
            "sessions",
            [_workshop("Well-being", 11, room="Aire Room"), _workshop("Evidence", 14)],
        )
        return make_event(**fields)

    return factory


def _deliver(app):
    with app.app_context():
        return deliver_due()


def _readable_alone(message) -> str:
    body = text(message)
    for leftover in ("<", "{{", "{%", "None", "**"):
        assert leftover not in body, leftover
    return body


def _registration(app, email) -> Registration:
    with app.app_context():
        return db.session.scalar(db.select(Registration).where(Registration.email == email))


def test_the_confirmation_has_everything_and_its_link_works(mail_app, smtp_server, summer_event):
    event = summer_event()
    with mail_app.app_context():
        workshop_id = db.session.get(Event, event.id).workshops[0].id
        registration = book(event, workshop_ids=[workshop_id]).registration
        registration_id, checkin_code = registration.id, registration.checkin_code
    assert _deliver(mail_app).sent == 1

    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["ada@example.org"]
    assert message["Subject"] == "Your place at Engagement Day is confirmed"
    body = _readable_alone(message)
    assert "When: Monday 21 June 2027, 9:30am to 4:30pm (UK time)" in body
    assert "Where: Riverside Conference Centre, 1 River Street, Leeds LS1 4AP" in body
    assert "- Well-being: Monday 21 June 2027, 11am to 12:15pm (UK time), Aire Room" in body
    assert "Evidence" not in body  # not their workshop
    assert "Step-free entrance on Water Lane." in body
    page = html(message)
    assert "<em>Water Lane</em>" in page and "Aire Room" in page
    assert '<img src="cid:check-in-code" alt="Your check-in QR code"' in page
    assert '<html lang="en-GB">' in page

    files = attachments(message)
    assert set(files) == {"invite.ics", "check-in-code.png"}
    assert files["invite.ics"].get_content_type() == "text/calendar"
    assert files["invite.ics"].get_param("method") == "REQUEST"
    item = vevent(message)
    assert str(item["uid"]) == f"registration-{registration_id}@engage.invalid"
    assert item["sequence"] == 0
    assert item["dtstart"].to_ical() == b"20270621T083000Z"
    assert item["dtend"].to_ical() == b"20270621T153000Z"
    assert item.decoded("dtstart") == dt.datetime(2027, 6, 21, 8, 30, tzinfo=dt.UTC)
    assert str(item["attendee"]) == "mailto:ada@example.org"

    qr = files["check-in-code.png"]
    assert qr.get_content_type() == "image/png" and qr["Content-ID"] == "<check-in-code>"
    assert qr.get_content().startswith(PNG)
    # The check-in link with the code, nothing else (segno draws the same text the same way).
    assert qr.get_content() == qr_png(qr_link(mail_app, checkin_code))
    assert qr.get_content() != qr_png(checkin_code)  # not the bare code any more

    response = mail_app.test_client().get(manage_path(message))
    assert response.status_code == 200
    assert "Place confirmed" in response.get_data(as_text=True)


def test_plain_text_arrives_as_typed_and_html_escaped(mail_app, smtp_server, summer_event):
    typed = 'Parking & access <rear> "gate"'
    event = summer_event(
        title="Tea & Talk", attendee_note_md=typed, access_info_md=typed, description_md=typed
    )
    with mail_app.app_context():
        book(event)
    assert _deliver(mail_app).sent == 1

    [received] = smtp_server.received
    message = received.message
    assert message["Subject"] == "Your place at Tea & Talk is confirmed"
    body = text(message)
    assert "What: Tea & Talk" in body
    assert f"For attendees:\n{typed}\n" in body and f"Access:\n{typed}\n" in body
    assert "&amp;" not in body and "&lt;" not in body and "&quot;" not in body
    page = html(message)
    assert "Parking &amp; access &lt;rear&gt;" in page and "<rear>" not in page
    assert "Tea &amp; Talk" in page and "&amp;amp;" not in page
    assert typed in str(vevent(message)["DESCRIPTION"])


def test_online_joining_details_go_to_confirmed_attendees_only(mail_app, smtp_server, summer_event):
    event = summer_event(
        is_online=True,
        venue_name="",
        venue_address="",
        online_join_details="Join on Teams: https://teams.example/join/123",
        capacity=1,
        sessions=[],
    )
    with mail_app.app_context():
        book(event, email="ada@example.org")
        book(event, email="bob@example.org")
    _deliver(mail_app)
    mail = by_recipient(smtp_server)
    [confirmed], [waiting] = mail["ada@example.org"], mail["bob@example.org"]
    assert "Where: Online" in _readable_alone(confirmed)
    assert "https://teams.example/join/123" in text(confirmed)
    assert "https://teams.example/join/123" in html(confirmed)
    assert "Take the train" not in text(confirmed)  # no travel for an online event
    body = _readable_alone(waiting)
    assert "number 1 in line" in body and "teams.example" not in body + html(waiting)
    assert attachments(waiting) == {}
    assert mail_app.test_client().get(manage_path(waiting)).status_code == 200


def test_promotion_is_a_full_booking_and_says_which_workshops_were_full(
    mail_app, smtp_server, summer_event
):
    event = summer_event(
        capacity=2, sessions=[_workshop("Well-being", 11, capacity=1), _workshop("Evidence", 14)]
    )
    with mail_app.app_context():
        wellbeing = db.session.get(Event, event.id).workshops[0].id
        book(event, email="ada@example.org", workshop_ids=[wellbeing])
        cat = book(event, email="cat@example.org").registration
        book(event, email="bob@example.org", workshop_ids=[wellbeing])  # waitlisted
        services.cancel(cat)  # Bob is promoted, but Well-being is full
    _deliver(mail_app)
    bob = _registration(mail_app, "bob@example.org")
    cat = _registration(mail_app, "cat@example.org")
    mail = by_recipient(smtp_server)

    joined, promoted = mail["bob@example.org"]
    assert attachments(joined) == {}
    assert promoted["Subject"].startswith("A place has come up")
    body = _readable_alone(promoted)
    assert "not booked on them:\n- Well-being" in body
    assert "Your workshops" not in body  # none left
    files = attachments(promoted)
    assert set(files) == {"invite.ics", "check-in-code.png"}
    assert str(vevent(promoted)["uid"]) == f"registration-{bob.id}@engage.invalid"
    assert files["check-in-code.png"].get_content() == qr_png(qr_link(mail_app, bob.checkin_code))
    assert "cid:check-in-code" in html(promoted)
    assert "Place confirmed" in mail_app.test_client().get(manage_path(promoted)).text

    confirmation, cancelled = mail["cat@example.org"]
    assert "is cancelled" in _readable_alone(cancelled)
    assert set(attachments(cancelled)) == {"cancel.ics"}
    request, cancel = vevent(confirmation), vevent(cancelled, "cancel.ics")
    assert attachments(cancelled)["cancel.ics"].get_param("method") == "CANCEL"
    assert str(cancel["uid"]) == str(request["uid"]) == f"registration-{cat.id}@engage.invalid"
    assert cancel["sequence"] > request["sequence"]
    assert str(cancel["status"]) == "CANCELLED"


def test_leaving_the_waiting_list_sends_no_calendar_file(mail_app, smtp_server, summer_event):
    event = summer_event(capacity=1)
    with mail_app.app_context():
        book(event, email="ada@example.org")
        services.cancel(book(event, email="bob@example.org").registration)
    _deliver(mail_app)
    _joined, left = by_recipient(smtp_server)["bob@example.org"]
    assert "left the waiting list" in _readable_alone(left)
    assert attachments(left) == {}


def _move(app, event_id, **changes):
    with app.app_context():
        event = db.session.get(Event, event_id)
        fields = {name: getattr(event, name) for name in EDITABLE_EVENT_FIELDS}
        return manage_services.update_event(event, {**fields, **changes})


def test_an_event_change_updates_calendars_and_says_what_changed(
    mail_app, smtp_server, summer_event
):
    event = summer_event(capacity=1)
    with mail_app.app_context():
        book(event, email="ada@example.org")
        book(event, email="bob@example.org")  # waitlisted
    result = _move(
        mail_app,
        event.id,
        starts_at=london(2027, 6, 21, 10),
        venue_name="Civic Hall",
        venue_address="",
    )
    assert result.attendees_told == 2
    _deliver(mail_app)
    mail = by_recipient(smtp_server)

    confirmation, changed = mail["ada@example.org"]
    body = _readable_alone(changed)
    assert "When: now Monday 21 June 2027, 10am to 4:30pm (UK time)" in body
    assert "(was Monday 21 June 2027, 9:30am to 4:30pm (UK time))" in body
    assert "Where: now Civic Hall\n(was Riverside Conference Centre, 1 River Street" in body
    assert "Where: Civic Hall" in body  # and the details as they are now
    before, after = vevent(confirmation), vevent(changed)
    assert attachments(changed)["invite.ics"].get_param("method") == "REQUEST"
    assert str(after["uid"]) == str(before["uid"])
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after["dtstart"].to_ical() == b"20270621T090000Z"
    assert str(after["location"]) == "Civic Hall"
    assert manage_path(changed) != manage_path(confirmation)  # a fresh link...
    for message in (confirmation, changed):  # ...and the old one still works
        assert mail_app.test_client().get(manage_path(message)).status_code == 200

    _joined, notice = mail["bob@example.org"]
    assert "still on the waiting list (number 1 in line)" in _readable_alone(notice)
    assert "When: now Monday 21 June 2027, 10am" in text(notice)
    assert attachments(notice) == {}
    assert "On the waiting list" in mail_app.test_client().get(manage_path(notice)).text

    # Cancelling now sends a CANCEL above the last update's sequence.
    with mail_app.app_context():
        services.cancel(_registration(mail_app, "ada@example.org"))
    _deliver(mail_app)
    cancelled = by_recipient(smtp_server)["ada@example.org"][-1]
    cancel = vevent(cancelled, "cancel.ics")
    assert str(cancel["uid"]) == str(before["uid"]) and cancel["sequence"] == 2


def test_a_cancelled_event_tells_every_active_attendee(mail_app, smtp_server, summer_event):
    event = summer_event(capacity=1)
    with mail_app.app_context():
        book(event, email="ada@example.org")
        bob = book(event, email="bob@example.org").registration  # waitlisted
        services.cancel(bob)  # left before the event was called off
        book(event, email="cat@example.org")  # waitlisted
        told = manage_services.cancel_event(
            db.session.get(Event, event.id), "The venue has flooded."
        )
    assert told == 2
    _deliver(mail_app)
    mail = by_recipient(smtp_server)
    assert [m["Subject"] for m in mail["bob@example.org"]] == [
        "You are on the waiting list for Engagement Day",
        "Your registration for Engagement Day is cancelled",
    ]

    confirmation, called_off = mail["ada@example.org"]
    assert called_off["Subject"] == "Cancelled: Engagement Day"
    body = _readable_alone(called_off)
    assert "has been cancelled" in body and "The venue has flooded." in body
    assert set(attachments(called_off)) == {"cancel.ics"}
    cancel = vevent(called_off, "cancel.ics")
    assert attachments(called_off)["cancel.ics"].get_param("method") == "CANCEL"
    assert str(cancel["uid"]) == str(vevent(confirmation)["uid"])
    assert cancel["sequence"] == 1 and str(cancel["status"]) == "CANCELLED"

    _joined, waiting_notice = mail["cat@example.org"]
    assert "You were on the waiting list" in _readable_alone(waiting_notice)
    assert attachments(waiting_notice) == {}


def test_each_registration_has_its_own_uid(mail_app, smtp_server, summer_event):
    event = summer_event()
    with mail_app.app_context():
        book(event, email="ada@example.org")
        book(event, email="bob@example.org")
    _deliver(mail_app)
    uids = {str(vevent(r.message)["uid"]) for r in smtp_server.received}
    assert len(uids) == 2


def test_what_changed_is_read_from_the_old_values_given(app, make_event):
    event = make_event(venue_name="New Hall", venue_address="")
    with app.app_context():
        event = db.session.get(Event, event.id)
        assert emails.schedule_changes(event, {}) == []
        assert emails.schedule_changes(event, {"venue_name": "Old Hall"}) == [
            {"what": "Where", "was": "Old Hall", "now": "New Hall"}
        ]
        earlier = {"starts_at": event.starts_at - dt.timedelta(days=1), "venue_name": "Old Hall"}
        changes = emails.schedule_changes(event, earlier)
        assert [c["what"] for c in changes] == ["When", "Where"]
        assert changes[0]["was"].startswith("Wednesday 20 January 2027, 9:30am")


def _workshop_fields(workshop: EventSession, **changes) -> dict:
    fields = {
        "kind": workshop.kind.value,
        "title": workshop.title,
        "description_md": workshop.description_md or "",
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "room": workshop.room,
        "capacity": workshop.capacity,
    }
    return {**fields, **changes}


def _first_workshop(event_id: int) -> EventSession:
    return db.session.get(Event, event_id).workshops[0]


def test_people_booked_on_a_moved_workshop_are_told(mail_app, smtp_server, summer_event):
    event = summer_event()
    with mail_app.app_context():
        workshop = _first_workshop(event.id)
        book(event, email="ada@example.org", workshop_ids=[workshop.id])
        book(event, email="bob@example.org")  # not on that workshop
        told = programme_services.update_session(
            workshop, _workshop_fields(workshop, room="Calder Room")
        )
        assert told == 1
        # Saving it again unchanged tells nobody.
        workshop = _first_workshop(event.id)
        assert programme_services.update_session(workshop, _workshop_fields(workshop)) == 0
    _deliver(mail_app)
    mail = by_recipient(smtp_server)
    assert len(mail["bob@example.org"]) == 1  # the confirmation only
    _confirmation, changed = mail["ada@example.org"]
    body = _readable_alone(changed)
    assert "“Well-being”, has changed" in body
    assert "Room: now Calder Room\n(was Aire Room)" in body
    assert mail_app.test_client().get(manage_path(changed)).status_code == 200


def test_people_booked_on_a_removed_workshop_are_told_and_it_leaves_their_booking(
    mail_app, smtp_server, summer_event
):
    event = summer_event()
    with mail_app.app_context():
        workshop = _first_workshop(event.id)
        book(event, email="ada@example.org", workshop_ids=[workshop.id])
        assert programme_services.delete_session(workshop) == 1
        ada = db.session.scalar(
            db.select(Registration).where(Registration.email == "ada@example.org")
        )
        assert ada.workshops == []
        assert "workshop removed: Well-being" in [h.note for h in ada.history]
    _deliver(mail_app)
    _confirmation, removed = by_recipient(smtp_server)["ada@example.org"]
    assert "“Well-being” at Engagement Day will no longer run" in _readable_alone(removed)


def test_a_workshop_cannot_have_fewer_places_than_people_booked(app, summer_event):
    event = summer_event()
    with app.app_context():
        workshop = _first_workshop(event.id)
        for name in ("ada", "bob"):
            book(event, email=f"{name}@example.org", workshop_ids=[workshop.id])
        with pytest.raises(programme_services.WorkshopBelowBooked, match="the 2 people"):
            programme_services.update_session(workshop, _workshop_fields(workshop, capacity=1))
        assert _first_workshop(event.id).capacity is None
        programme_services.update_session(workshop, _workshop_fields(workshop, capacity=2))
        assert _first_workshop(event.id).capacity == 2
