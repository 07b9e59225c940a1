"""Resources after the day: organisers keep them; the event page shows them once it has ended."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.db import utcnow
from engage.events.models import EventResource, EventSession, SessionKind
from engage.events.resources import has_ended, web_address_problem
from engage.extensions import db

SLIDES = {"title": "Opening slides", "url": "https://example.org/slides.pdf", "session_id": ""}


@pytest.fixture
def past_event(make_event, organiser, assign):
    """An event, run by `organiser`, that ended yesterday, with one workshop."""
    start = utcnow() - dt.timedelta(days=2)
    workshop = EventSession(
        kind=SessionKind.WORKSHOP,
        title="Evidence-based practice",
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=2),
    )
    event = make_event(
        slug="past-day", starts_at=start, ends_at=start + dt.timedelta(hours=7), sessions=[workshop]
    )
    return assign(event, organiser)


@pytest.fixture
def signed_in(client, login_as, organiser):
    login_as(client, organiser)
    return client


def _resources(app, event_id) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(EventResource)
            .where(EventResource.event_id == event_id)
            .order_by(EventResource.position, EventResource.id)
        )
        return [(r.title, r.url, r.description, r.session_id) for r in rows]


def _workshop_id(app, event_id) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(EventSession.id).where(EventSession.event_id == event_id)
        )


def test_add_edit_move_and_delete(app, signed_in, past_event):
    base = f"/admin/events/{past_event.id}/resources"
    assert signed_in.get(base).status_code == 200
    workshop_id = _workshop_id(app, past_event.id)
    assert signed_in.post(base + "/new", data=SLIDES).status_code == 302
    second = {
        "title": "Reading list",
        "url": "http://example.net/reading",
        "description": "Papers mentioned on the day.",
        "session_id": str(workshop_id),
    }
    assert signed_in.post(base + "/new", data=second).status_code == 302
    assert _resources(app, past_event.id) == [
        ("Opening slides", "https://example.org/slides.pdf", "", None),
        ("Reading list", "http://example.net/reading", "Papers mentioned on the day.", workshop_id),
    ]
    with app.app_context():
        first_id, second_id = db.session.scalars(
            db.select(EventResource.id).order_by(EventResource.position)
        ).all()

    edited = {**SLIDES, "title": "Opening slides (final)"}
    assert signed_in.post(f"{base}/{first_id}/edit", data=edited).status_code == 302
    assert signed_in.post(f"{base}/{second_id}/move", data={"direction": "up"}).status_code == 302
    assert [r[0] for r in _resources(app, past_event.id)] == [
        "Reading list",
        "Opening slides (final)",
    ]
    assert signed_in.post(f"{base}/{second_id}/delete").status_code == 302
    assert [r[0] for r in _resources(app, past_event.id)] == ["Opening slides (final)"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "example.org/slides",
        "https://",
        "https://exa mple.org/",
    ],
)
def test_only_http_and_https_addresses_are_taken(app, signed_in, past_event, url):
    page = signed_in.post(
        f"/admin/events/{past_event.id}/resources/new", data={**SLIDES, "url": url}
    )
    assert page.status_code == 200
    html = page.text
    assert "<title>Error: " in html
    # The message sits beside the field, and the summary links to it; what was typed is kept.
    assert 'id="url-error"' in html
    assert 'href="#url"' in html
    assert "Opening slides" in html
    assert _resources(app, past_event.id) == []


def test_the_web_address_rule():
    assert web_address_problem("https://example.org/a?b=c#d") is None
    assert web_address_problem("HTTP://EXAMPLE.ORG") is None
    assert "https://" in web_address_problem("javascript:alert(1)")
    assert web_address_problem("") == "Enter the web address of the resource"


def test_a_session_of_another_event_is_refused(app, signed_in, past_event, make_event):
    other = make_event(
        sessions=[
            EventSession(
                kind=SessionKind.PLENARY,
                title="Elsewhere",
                starts_at=past_event.starts_at,
                ends_at=past_event.ends_at,
            )
        ]
    )
    foreign = _workshop_id(app, other.id)
    page = signed_in.post(
        f"/admin/events/{past_event.id}/resources/new", data={**SLIDES, "session_id": str(foreign)}
    )
    assert page.status_code == 200
    assert _resources(app, past_event.id) == []


def test_organisers_manage_only_their_own_events_resources(
    app, client, login_as, make_user, past_event
):
    login_as(client, make_user("other@example.org"))
    base = f"/admin/events/{past_event.id}/resources"
    assert client.get(base).status_code == 404
    assert client.post(base + "/new", data=SLIDES).status_code == 404
    assert _resources(app, past_event.id) == []


def test_the_event_page_shows_them_only_once_the_event_has_ended(
    app, client, make_event, signed_in, past_event, assign, organiser
):
    start = utcnow() + dt.timedelta(days=10)
    future = assign(
        make_event(slug="future-day", starts_at=start, ends_at=start + dt.timedelta(hours=7)),
        organiser,
    )
    workshop_id = _workshop_id(app, past_event.id)
    for event in (past_event, future):
        signed_in.post(f"/admin/events/{event.id}/resources/new", data=SLIDES)
    signed_in.post(
        f"/admin/events/{past_event.id}/resources/new",
        data={
            "title": "Workshop notes",
            "url": "https://notes.example.com/w",
            "session_id": str(workshop_id),
        },
    )
    visitor = app.test_client()

    ended = visitor.get("/events/past-day").text
    assert "After the event" in ended
    assert (
        '<a href="https://example.org/slides.pdf" rel="noopener">Opening slides</a>'
        ' <span class="muted">(on example.org)</span>'
    ) in ended
    programme = ended[ended.index("<h2>Programme</h2>") : ended.index("After the event")]
    assert "Workshop notes" in programme and "(on notes.example.com)" in programme

    coming = visitor.get("/events/future-day").text
    assert "After the event" not in coming
    assert "example.org/slides.pdf" not in coming


def test_has_ended():
    class Event:
        is_cancelled = False
        ends_at = utcnow()

    assert has_ended(Event(), now=Event.ends_at)
    assert not has_ended(Event(), now=Event.ends_at - dt.timedelta(seconds=1))


def test_a_sessions_resources_go_with_it(app, signed_in, past_event):
    workshop_id = _workshop_id(app, past_event.id)
    base = f"/admin/events/{past_event.id}"
    signed_in.post(base + "/resources/new", data=SLIDES)
    signed_in.post(
        base + "/resources/new",
        data={**SLIDES, "title": "Notes", "session_id": str(workshop_id)},
    )
    assert signed_in.post(f"{base}/sessions/{workshop_id}/delete").status_code == 302
    assert [r[0] for r in _resources(app, past_event.id)] == ["Opening slides"]
