"""The programme's sessions and the event's own questions, edited on their own pages."""

from __future__ import annotations

import pytest

from engage.audit.models import AuditEntry
from engage.events import programme_services
from engage.events.models import Event, EventQuestion, EventSession, QuestionKind, SessionKind
from engage.extensions import db
from tests.conftest import london


@pytest.fixture
def event(make_event, organiser, assign):
    """A published event on 21 January 2027, 9:30am to 4:30pm, run by `organiser`."""
    return assign(
        make_event(starts_at=london(2027, 1, 21, 9, 30), ends_at=london(2027, 1, 21, 16, 30)),
        organiser,
    )


@pytest.fixture
def signed_in(client, login_as, organiser):
    login_as(client, organiser)
    return client


def _sessions(app, event_id):
    with app.app_context():
        return db.session.scalars(
            db.select(EventSession).where(EventSession.event_id == event_id)
        ).all()


def _questions(app, event_id):
    with app.app_context():
        return db.session.get(Event, event_id).questions and [
            (q.label, q.kind, q.choices, q.is_required, q.position)
            for q in db.session.get(Event, event_id).questions
        ]


def test_add_two_workshops_and_a_plenary(app, signed_in, event, session_form):
    url = f"/admin/events/{event.id}/sessions/new"
    assert signed_in.get(url).status_code == 200
    assert signed_in.post(url, data=session_form(title="A")).status_code == 302
    assert signed_in.post(url, data=session_form(title="B", room="Room 2")).status_code == 302
    response = signed_in.post(
        url,
        data=session_form(
            kind="plenary",
            title="Welcome",
            starts_at="2027-01-21T09:30",
            ends_at="2027-01-21T10:00",
            capacity="",
        ),
    )
    assert response.status_code == 302
    sessions = sorted(_sessions(app, event.id), key=lambda s: s.title)
    assert [(s.title, s.kind, s.capacity) for s in sessions] == [
        ("A", SessionKind.WORKSHOP, 20),
        ("B", SessionKind.WORKSHOP, 20),
        ("Welcome", SessionKind.PLENARY, None),
    ]
    assert sessions[0].starts_at == london(2027, 1, 21, 11, 0)
    html = signed_in.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Welcome" in html and "Room 2" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": "2027-01-21T08:00"}, "must start and end within the event"),
        ({"ends_at": "2027-01-21T17:00"}, "must start and end within the event"),
        ({"ends_at": "2027-01-21T10:00"}, "The end must be after the start"),
        ({"kind": "break", "capacity": "10"}, "Only workshops have their own number of places"),
        ({"kind": "party"}, "Not a valid choice"),
        ({"capacity": "-1"}, "Places must be between 1 and 10000"),
        ({"starts_at": "2027-02-30T10:00"}, "must be a real date and time"),
        ({"title": "x\x00"}, "must be on one line"),
    ],
)
def test_bad_sessions_are_refused(app, signed_in, event, session_form, overrides, message):
    response = signed_in.post(
        f"/admin/events/{event.id}/sessions/new", data=session_form(**overrides)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and message in html
    assert _sessions(app, event.id) == []


def test_edit_and_delete_a_session(app, signed_in, event, session_form):
    signed_in.post(f"/admin/events/{event.id}/sessions/new", data=session_form(title="Old"))
    [session] = _sessions(app, event.id)
    base = f"/admin/events/{event.id}/sessions/{session.id}"
    edit = signed_in.get(f"{base}/edit").get_data(as_text=True)
    assert 'value="2027-01-21T11:00"' in edit
    assert '<option selected value="workshop">' in edit
    signed_in.post(f"{base}/edit", data=session_form(title="New"))
    assert [s.title for s in _sessions(app, event.id)] == ["New"]
    assert signed_in.get(f"{base}/delete").status_code == 200
    assert _sessions(app, event.id) != []  # a GET only asks
    signed_in.post(f"{base}/delete")
    assert _sessions(app, event.id) == []
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["event.session_added", "event.session_updated", "event.session_deleted"]


def test_session_of_another_event_is_404(signed_in, event, make_event, session_form, app):
    other = make_event()
    with app.app_context():
        db.session.add(
            EventSession(
                event_id=other.id,
                kind=SessionKind.BREAK,
                title="Lunch",
                starts_at=other.starts_at,
                ends_at=other.ends_at,
            )
        )
        db.session.commit()
        [foreign] = db.session.scalars(db.select(EventSession)).all()
    assert signed_in.get(f"/admin/events/{event.id}/sessions/{foreign.id}/edit").status_code == 404


def test_moving_the_event_cannot_strand_its_sessions(
    app, signed_in, event, session_form, event_form
):
    signed_in.post(f"/admin/events/{event.id}/sessions/new", data=session_form(title="Talk"))
    response = signed_in.post(
        f"/admin/events/{event.id}/edit",
        data=event_form(slug=event.slug, starts_at="2027-01-22T09:30", ends_at="2027-01-22T16:30"),
    )
    assert "would fall outside the new times" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, event.id).starts_at == london(2027, 1, 21, 9, 30)


def test_questions_add_edit_reorder_delete(app, signed_in, event):
    base = f"/admin/events/{event.id}/questions"
    assert signed_in.get(f"{base}/new").status_code == 200
    signed_in.post(f"{base}/new", data={"kind": "text", "label": "Job title", "help_text": ""})
    signed_in.post(
        f"{base}/new",
        data={
            "kind": "single_choice",
            "label": "Lunch",
            "choices": "Meat\r\nVegan\r\n\r\nVegan",
            "is_required": "y",
        },
    )
    assert _questions(app, event.id) == [
        ("Job title", QuestionKind.TEXT, [], False, 0),
        ("Lunch", QuestionKind.SINGLE_CHOICE, ["Meat", "Vegan"], True, 1),
    ]
    with app.app_context():
        ids = [q.id for q in db.session.get(Event, event.id).questions]
    html = signed_in.get(f"{base}/{ids[1]}/edit").get_data(as_text=True)
    assert "Meat\nVegan</textarea>" in html
    signed_in.post(f"{base}/{ids[1]}/move", data={"direction": "up"})
    assert [q[0] for q in _questions(app, event.id)] == ["Lunch", "Job title"]
    signed_in.post(
        f"{base}/{ids[0]}/edit", data={"kind": "yes_no", "label": "Need a parking space?"}
    )
    signed_in.post(f"{base}/{ids[1]}/delete")
    assert _questions(app, event.id) == [
        ("Need a parking space?", QuestionKind.YES_NO, [], False, 0)
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "single_choice", "label": "Lunch", "choices": "Only one"},
            "at least two choices",
        ),
        ({"kind": "text", "label": "Name", "choices": "a\nb"}, "Only list answers have choices"),
        (
            {"kind": "multiple_choice", "label": "X", "choices": "\n".join(map(str, range(40)))},
            "at most 30 choices",
        ),
        ({"kind": "text", "label": ""}, "Enter the question"),
        ({"kind": "text", "label": "x" * 400}, "cannot be longer than 300"),
        ({"kind": "essay", "label": "X"}, "Not a valid choice"),
    ],
)
def test_bad_questions_are_refused(app, signed_in, event, data, message):
    response = signed_in.post(f"/admin/events/{event.id}/questions/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    with app.app_context():
        assert db.session.scalars(db.select(EventQuestion)).all() == []


def _delete_behind_its_back(app, model, item_id: int) -> None:
    """Delete a row on a connection of its own, as a second staff member's request would."""
    with app.app_context(), db.engine.begin() as other:
        other.execute(db.delete(model.__table__).where(model.__table__.c.id == item_id))


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_session_deleted_meanwhile_is_not_found_not_a_500(
    app, signed_in, event, session_form, monkeypatch, change
):
    """Found by the sweep: an edit posted while another request deleted the session was a 500."""
    signed_in.post(f"/admin/events/{event.id}/sessions/new", data=session_form(title="Old"))
    [session] = _sessions(app, event.id)
    real = getattr(programme_services, f"{change}_session".replace("edit", "update"))

    def racing(item, *args):
        # The view has found the session; now someone else deletes it, then ours goes on.
        _delete_behind_its_back(app, EventSession, session.id)
        return real(item, *args)

    monkeypatch.setattr(programme_services, real.__name__, racing)
    base = f"/admin/events/{event.id}/sessions/{session.id}"
    response = signed_in.post(f"{base}/{change}", data=session_form(title="New"))
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "change",
    [
        lambda question: programme_services.update_question(
            question, {"kind": "text", "label": "R"}
        ),
        programme_services.delete_question,
        lambda question: programme_services.move_question(question, 1),
    ],
    ids=["update", "delete", "move"],
)
def test_a_question_deleted_meanwhile_is_not_found(app, event, change):
    with app.app_context():
        question = EventQuestion(event_id=event.id, kind=QuestionKind.TEXT, label="Q")
        db.session.add(question)
        db.session.commit()
        db.session.refresh(question)  # as the view has it: loaded, then someone deletes it
        _delete_behind_its_back(app, EventQuestion, question.id)
        with pytest.raises(programme_services.ProgrammeItemGone):
            change(question)
