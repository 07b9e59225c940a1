"""Organisers and admins build events: every field, validated, and only their own."""

from __future__ import annotations

import pytest

from engage.audit.models import AuditEntry
from engage.events import manage_services, signals
from engage.events.models import Event
from engage.extensions import db
from tests.conftest import london


def _events(app):
    with app.app_context():
        return db.session.scalars(db.select(Event).order_by(Event.id)).unique().all()


def _event(app, event_id):
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def _actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]


def test_visitor_is_not_let_in(client):
    response = client.get("/admin/events/")
    assert response.status_code in (302, 401)


def test_organiser_creates_event_stored_in_utc_and_is_assigned(
    app, client, login_as, organiser, event_form
):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new",
        data=event_form(starts_at="2027-07-01T09:30", ends_at="2027-07-01T17:00"),
    )
    assert response.status_code == 302
    [event] = _events(app)
    # Summer time: 9:30 in London is 8:30 UTC.
    assert event.starts_at == london(2027, 7, 1, 9, 30)
    assert event.starts_at.hour == 8
    assert event.slug == "engagement-day-2027"
    assert event.is_published is False
    assert event.reminder_offsets_hours == [168, 24]
    assert event.capacity == 120
    with app.app_context():
        event = db.session.get(Event, event.id)
        assert [u.id for u in event.organisers] == [organiser.id]
    assert "event.created" in _actions(app)
    assert client.get(response.headers["Location"]).status_code == 200


def test_winter_time_is_gmt(app, client, login_as, organiser, event_form):
    login_as(client, organiser)
    client.post("/admin/events/new", data=event_form())
    [event] = _events(app)
    assert event.starts_at.hour == 9 and event.starts_at.minute == 30


def test_time_skipped_by_clocks_going_forward_is_refused(client, login_as, organiser, event_form):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new",
        data=event_form(starts_at="2027-03-28T01:30", ends_at="2027-03-28T05:00"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "clocks go forward" in html


def test_end_before_start_is_refused_and_nothing_saved(
    app, client, login_as, organiser, event_form
):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new", data=event_form(title="Kept title", ends_at="2027-01-21T08:00")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "The end must be after the start" in html
    assert 'value="Kept title"' in html
    assert _events(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starts_at", "2027-02-30T09:00", "must be a real date and time"),
        ("starts_at", "not a date\x00", "must be a real date and time"),
        ("starts_at", "9" * 5000, "must be a real date and time"),
        ("starts_at", "1066-10-14T09:00", "must be between 2000 and 2100"),
        ("capacity", "-5", "Places must be between 1 and 100000"),
        ("capacity", "lots", "Places must be a whole number"),
        ("capacity", "9" * 400, "Places must be a whole number"),
        ("title", "x" * 5000, "Field cannot be longer than 200 characters"),
        ("title", "Bad\x00title", "must be on one line"),
        ("title", "   ", "Enter a title"),
        ("description_md", "ok\x00", "must not contain special characters"),
        ("reminder_offsets_hours", "7 days", "Reminders must be a list like"),
        ("reminder_offsets_hours", "99d", "between 1 hour and 60 days"),
        ("reminder_offsets_hours", "1h,2h,3h,4h,5h,6h", "at most 5 reminders"),
        ("retention_days", "0", "between 1 and 3650 days"),
        ("needs_retention_days", "", "Enter how many days to keep dietary"),
        ("needs_retention_days", "400", "between 0 and 365 days"),
        ("needs_retention_days", "181", "Keep answers for no longer than attendees"),
        ("max_workshops", "", "Enter how many workshops"),
        ("registration_closes_at", "2027-02-01T09:00", "must close before the event ends"),
        ("registration_opens_at", "2027-01-21T10:00", "must open before the event starts"),
    ],
)
def test_junk_is_refused_with_a_message_never_a_500(
    app, client, login_as, organiser, event_form, field, value, message
):
    login_as(client, organiser)
    response = client.post("/admin/events/new", data=event_form(**{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert _events(app) == []


def test_registration_must_close_after_it_opens(client, login_as, organiser, event_form):
    login_as(client, organiser)
    html = client.post(
        "/admin/events/new",
        data=event_form(
            registration_opens_at="2027-01-10T09:00", registration_closes_at="2027-01-09T09:00"
        ),
    ).get_data(as_text=True)
    assert "Registration must close after it opens" in html


def test_slug_is_editable_and_unique(app, client, login_as, organiser, event_form, make_event):
    make_event(slug="taken")
    login_as(client, organiser)
    response = client.post("/admin/events/new", data=event_form(slug="Taken"))
    assert "Another event already uses the web address name" in response.get_data(as_text=True)
    assert len(_events(app)) == 1
    response = client.post("/admin/events/new", data=event_form(slug="My Own Slug"))
    assert response.status_code == 302
    assert _events(app)[-1].slug == "my-own-slug"


def test_generated_slug_avoids_a_clash(app, client, login_as, organiser, event_form, make_event):
    make_event(slug="engagement-day-2027")
    login_as(client, organiser)
    client.post("/admin/events/new", data=event_form())
    assert _events(app)[-1].slug == "engagement-day-2027-2"


def test_preview_renders_sanitised_markdown_and_saves_nothing(
    app, client, login_as, organiser, event_form
):
    login_as(client, organiser)
    response = client.post(
        "/admin/events/new",
        data=event_form(
            description_md="**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
            save=None,
            preview="Preview",
        ),
    )
    html = response.get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript' not in html
    assert _events(app) == []


def test_online_details_are_kept_off_the_public_page(app, client, login_as, organiser, event_form):
    login_as(client, organiser)
    client.post(
        "/admin/events/new",
        data=event_form(is_online="y", online_join_details="https://meet.example/SECRET-ROOM"),
    )
    [event] = _events(app)
    assert event.is_online and event.online_join_details.endswith("SECRET-ROOM")
    client.post(f"/admin/events/{event.id}/publish")
    public = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "SECRET-ROOM" not in public


def test_edit_keeps_fields_and_shows_london_times(client, login_as, admin, make_event):
    event = make_event(starts_at=london(2027, 6, 1, 10, 0), capacity=None)
    login_as(client, admin)
    html = client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2027-06-01T10:00"' in html
    assert 'value="7d, 1d"' in html


def test_capacity_cannot_go_below_confirmed(app, client, login_as, admin, make_event, event_form):
    from tests.registrations.conftest import book

    event = make_event(capacity=50)
    with app.app_context():
        for n in range(30):
            book(event, email=f"person{n}@example.org")
    login_as(client, admin)
    html = client.post(
        f"/admin/events/{event.id}/edit", data=event_form(slug=event.slug, capacity="29")
    ).get_data(as_text=True)
    assert "Places cannot be fewer than the 30 people already confirmed" in html
    assert _event(app, event.id).capacity == 50
    response = client.post(
        f"/admin/events/{event.id}/edit", data=event_form(slug=event.slug, capacity="30")
    )
    assert response.status_code == 302
    assert _event(app, event.id).capacity == 30


def test_raising_capacity_promotes_the_waiting_list_in_order(
    app, client, login_as, admin, make_event, event_form
):
    from engage.mail.models import OutboxMessage
    from engage.registrations import services as registrations
    from engage.registrations.models import Registration, RegistrationStatus
    from tests.registrations.conftest import data

    event = make_event(capacity=1, waitlist_enabled=True)
    with app.app_context():
        for email in ("first@example.org", "second@example.org", "third@example.org"):
            registrations.register(db.session.get(Event, event.id), data(email=email))
    login_as(client, admin)
    response = client.post(
        f"/admin/events/{event.id}/edit",
        data=event_form(
            slug=event.slug,
            title=event.title,
            venue_name=event.venue_name,
            venue_address="",
            capacity="2",
        ),
        follow_redirects=True,
    )
    assert "1 people moved from the waiting list" in response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(db.select(Registration).order_by(Registration.id)).all()
        assert [r.status for r in rows] == [
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
        ]
        promoted = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == "waitlist_promoted")
        ).all()
        assert [m.to_address for m in promoted] == ["second@example.org"]


def test_schedule_change_on_published_event_bumps_sequence_and_tells_attendees(
    app, client, login_as, admin, make_event, event_form, listen
):
    event = make_event(starts_at=london(2027, 1, 21, 9, 30), ends_at=london(2027, 1, 21, 16, 30))
    told = listen(signals.schedule_changed, lambda e, previous: e.id, returns=3)
    login_as(client, admin)
    same = event_form(
        slug=event.slug, title=event.title, venue_name=event.venue_name, venue_address=""
    )
    client.post(f"/admin/events/{event.id}/edit", data={**same, "summary": "New words"})
    assert told == [] and _event(app, event.id).ics_sequence == 0
    response = client.post(
        f"/admin/events/{event.id}/edit",
        data={**same, "starts_at": "2027-01-21T10:00"},
        follow_redirects=True,
    )
    assert told == [event.id]
    assert _event(app, event.id).ics_sequence == 1
    assert "3 attendee(s) told" in response.get_data(as_text=True)
    client.post(f"/admin/events/{event.id}/edit", data={**same, "venue_name": "Elsewhere"})
    assert _event(app, event.id).ics_sequence == 2


def test_schedule_change_on_draft_tells_nobody(
    app, client, login_as, admin, make_event, event_form, listen
):
    event = make_event(is_published=False)
    told = listen(signals.schedule_changed, lambda e, previous: e.id)
    login_as(client, admin)
    client.post(f"/admin/events/{event.id}/edit", data=event_form(slug=event.slug))
    assert told == [] and _event(app, event.id).ics_sequence == 0


def test_schedule_change_on_cancelled_event_tells_nobody_again(
    app, client, login_as, admin, make_event, event_form, listen
):
    event = make_event(cancelled_at=london(2026, 11, 1), cancellation_reason="Flood")
    told = listen(signals.schedule_changed, lambda e, previous: e.id)
    login_as(client, admin)
    client.post(f"/admin/events/{event.id}/edit", data=event_form(slug=event.slug))
    assert told == []


def test_publish_and_unpublish(app, client, login_as, admin, make_event):
    event = make_event(is_published=False)
    login_as(client, admin)
    assert client.get(f"/events/{event.slug}").status_code == 404
    client.post(f"/admin/events/{event.id}/publish")
    assert client.get(f"/events/{event.slug}").status_code == 200
    client.post(f"/admin/events/{event.id}/unpublish")
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert _actions(app) == ["event.published", "event.unpublished"]


def test_cancel_needs_a_reason_then_tells_attendees(
    app, client, login_as, admin, make_event, listen
):
    event = make_event()
    told = listen(signals.event_cancelled, lambda e: e.cancellation_reason, returns=7)
    login_as(client, admin)
    assert client.get(f"/admin/events/{event.id}/cancel").status_code == 200
    html = client.post(f"/admin/events/{event.id}/cancel", data={"reason": " "}).get_data(
        as_text=True
    )
    assert "Enter the reason" in html and _event(app, event.id).cancelled_at is None
    response = client.post(
        f"/admin/events/{event.id}/cancel",
        data={"reason": "The venue flooded."},
        follow_redirects=True,
    )
    assert "7 attendee(s) will be told by email" in response.get_data(as_text=True)
    cancelled = _event(app, event.id)
    assert cancelled.cancelled_at is not None
    assert cancelled.cancellation_reason == "The venue flooded."
    # The message was queued with the cancellation already on the event, in one transaction.
    assert told == ["The venue flooded."]
    assert "event.cancelled" in _actions(app)
    assert "cancelled" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    # The subscribable feed says so with a higher SEQUENCE, so calendars update; the
    # event's own "Add to calendar" file is gone with its link.
    assert cancelled.ics_sequence == 1
    ics = client.get("/events/calendar.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    assert client.get(f"/events/{event.slug}/calendar.ics").status_code == 404


def test_organiser_sees_only_their_events(
    app, client, login_as, organiser, make_user, make_event, assign
):
    mine = assign(make_event(title="Mine"), organiser)
    theirs = assign(make_event(title="Theirs"), make_user("other@example.org"))
    login_as(client, organiser)
    html = client.get("/admin/events/").get_data(as_text=True)
    assert "Mine" in html and "Theirs" not in html
    assert client.get(f"/admin/events/{mine.id}/").status_code == 200
    assert client.get(f"/admin/events/{theirs.id}/").status_code == 404
    assert client.get(f"/admin/events/{theirs.id}/edit").status_code == 404


def test_admin_sees_every_event(client, login_as, admin, make_user, make_event, assign):
    assign(make_event(title="Theirs"), make_user("other@example.org"))
    login_as(client, admin)
    assert "Theirs" in client.get("/admin/events/").get_data(as_text=True)


def _event_routes():
    from tests.core.test_route_guards import RULES

    return [(e, p, m) for e, p, m in RULES if e.startswith("manage_events.") and "event_id" in p]


@pytest.mark.parametrize(("endpoint", "path", "methods"), _event_routes())
def test_another_organisers_event_is_404_on_every_route_and_method(
    app, client, login_as, organiser, make_user, make_event, assign, endpoint, path, methods
):
    from engage.events.models import EventQuestion, EventSession, QuestionKind, SessionKind

    theirs = assign(make_event(title="Theirs", is_published=False), make_user("o@example.org"))
    with app.app_context():
        session = EventSession(
            event_id=theirs.id,
            kind=SessionKind.BREAK,
            title="Lunch",
            starts_at=theirs.starts_at,
            ends_at=theirs.ends_at,
        )
        question = EventQuestion(event_id=theirs.id, kind=QuestionKind.TEXT, label="Q")
        db.session.add_all([session, question])
        db.session.commit()
        ids = {"event_id": theirs.id, "session_id": session.id, "question_id": question.id}
    url = path.replace("<int:", "<")
    for name, value in ids.items():
        url = url.replace(f"<{name}>", str(value))
    login_as(client, organiser)
    for method in methods:
        data = {"title": "Hijacked", "reason": "x", "direction": "up", "kind": "text", "label": "X"}
        assert client.open(url, method=method, data=data).status_code == 404, method
    after = _event(app, theirs.id)
    assert (after.title, after.is_published, after.cancelled_at) == ("Theirs", False, None)
    with app.app_context():
        assert len(db.session.get(Event, theirs.id).sessions) == 1
        assert len(db.session.get(Event, theirs.id).questions) == 1


def test_slug_race_is_a_friendly_error_and_saves_nothing(
    app, client, login_as, organiser, event_form, make_event, monkeypatch
):
    make_event(slug="engagement-day-2027")
    # As if another organiser took the slug between our check and our insert.
    monkeypatch.setattr(manage_services, "slug_taken", lambda model, slug, exclude_id=None: False)
    login_as(client, organiser)
    response = client.post("/admin/events/new", data=event_form(slug="engagement-day-2027"))
    assert "Another event already uses that web address name" in response.get_data(as_text=True)
    assert len(_events(app)) == 1
    assert _actions(app) == []


def test_fields_missing_from_the_post_are_blank_not_a_crash(app, client, login_as, organiser):
    login_as(client, organiser)
    minimal = {
        "title": "Bare",
        "starts_at": "2027-01-21T09:30",
        "ends_at": "2027-01-21T10:30",
        "max_workshops": "0",
        "retention_days": "30",
        "needs_retention_days": "7",
    }
    assert client.post("/admin/events/new", data=minimal).status_code == 302
    [event] = _events(app)
    assert (event.summary, event.capacity, event.reminder_offsets_hours) == ("", None, [])
    assert client.post("/admin/events/new", data={}).status_code == 200
    response = client.post(f"/admin/events/{event.id}/edit", data={"x": "1"})
    assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
    assert _event(app, event.id).title == "Bare"
    assert client.post(f"/admin/events/{event.id}/sessions/new", data={}).status_code == 200
    assert client.post(f"/admin/events/{event.id}/questions/new", data={}).status_code == 200
    assert client.post(f"/admin/events/{event.id}/cancel", data={}).status_code == 200
