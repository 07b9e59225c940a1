"""The attendee's survey: one response each, GOV.UK errors, closing, and real anonymity."""

from __future__ import annotations

import datetime as dt

import time_machine
from markupsafe import escape
from sqlalchemy import select

from engage.events.models import Event
from engage.extensions import db
from engage.feedback.models import (
    ResponseAnswer,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from engage.registrations.models import WorkshopCheckIn, registration_workshops
from tests.feedback.conftest import CLOSES, DAY, SENDS, invite, people

ANSWERED_AT = SENDS + DAY + dt.timedelta(hours=3, minutes=7, seconds=11)


def _fields(app, survey_id: int) -> dict[str, str]:
    """question label -> the form field's name."""
    with app.app_context():
        rows = db.session.scalars(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
        )
        return {q.label: f"question_{q.id}" for q in rows}


def _answers(app, survey_id: int, **extra) -> dict:
    names = _fields(app, survey_id)
    return {
        names["How was the day overall?"]: "4",
        names["Would you come again?"]: "Yes",
        names["What was most useful?"]: ["Talks", "Networking"],
        names["Anything else?"]: "More coffee, please.",
        **extra,
    }


def _one_person(app, survey_event, **survey):
    event, survey_id = survey_event(**survey)
    (person,) = people(app, event, 1)
    return event, survey_id, person, invite(app, survey_id, person)


@time_machine.travel(ANSWERED_AT, tick=False)
def test_answering_once_then_thank_you(app, client, survey_event):
    _, survey_id, person, token = _one_person(app, survey_event)
    page = client.get(f"/feedback/{token}")
    assert page.status_code == 200 and "How was the day overall?" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    sent = client.post(f"/feedback/{token}", data=_answers(app, survey_id))
    assert sent.status_code == 302
    again = client.get(f"/feedback/{token}")
    assert "Thank you, you have already answered" in again.text
    second = client.post(f"/feedback/{token}", data=_answers(app, survey_id))
    assert "Thank you, you have already answered" in second.text
    with app.app_context():
        (response,) = db.session.scalars(select(SurveyResponse))
        assert response.registration_id == person  # not anonymous: kept with the registration
        assert response.submitted_at == ANSWERED_AT
        values = {(a.question.label, str(a.value), a.rating) for a in response.answers}
    assert values == {
        ("How was the day overall?", "None", 4),
        ("Would you come again?", "Yes", None),
        ("What was most useful?", "['Talks', 'Networking']", None),
        ("Anything else?", "More coffee, please.", None),
    }


@time_machine.travel(ANSWERED_AT, tick=False)
def test_errors_are_shown_the_govuk_way_and_typed_text_kept(app, client, survey_event):
    _, survey_id, _, token = _one_person(app, survey_event)
    names = _fields(app, survey_id)
    answers = _answers(app, survey_id)
    del answers[names["How was the day overall?"]]
    answers[names["Would you come again?"]] = "Forged"
    page = client.post(f"/feedback/{token}", data=answers)
    assert page.status_code == 200
    assert "<title>Error: " in page.text and "There is a problem" in page.text
    assert f'href="#{names["How was the day overall?"]}-0"' in page.text  # its first radio
    assert "Answer the question “How was the day overall?”" in page.text
    assert "Choose one of the options given" in page.text
    assert "More coffee, please." in page.text
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SurveyResponse.id))) == 0
        assert db.session.scalar(select(SurveyInvitation.answered_at)) is None


def test_closed_before_the_day_ends_and_after_it_closes(app, client, survey_event):
    _, survey_id, _, token = _one_person(app, survey_event)
    with time_machine.travel(CLOSES - dt.timedelta(seconds=1), tick=False):
        assert "How was the day overall?" in client.get(f"/feedback/{token}").text
    with time_machine.travel(CLOSES, tick=False):
        page = client.get(f"/feedback/{token}")
        assert "This survey has closed" in page.text
        client.post(f"/feedback/{token}", data=_answers(app, survey_id))
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SurveyResponse.id))) == 0


@time_machine.travel(ANSWERED_AT, tick=False)
def test_switched_off_is_closed_too(app, client, survey_event):
    _, survey_id, _, token = _one_person(app, survey_event)
    with app.app_context():
        db.session.get(Survey, survey_id).is_enabled = False
        db.session.commit()
    assert "This survey has closed" in client.get(f"/feedback/{token}").text


def test_a_made_up_link_is_not_found(client):
    page = client.get("/feedback/not-a-real-token-" + "x" * 30)
    assert page.status_code == 404 and "This link does not work" in page.text
    assert page.headers["Cache-Control"] == "no-store"


@time_machine.travel(ANSWERED_AT, tick=False)
def test_anonymous_responses_are_not_linked_to_the_invitation(app, client, survey_event):
    event, survey_id = survey_event(anonymous=True)
    ids = people(app, event, 3)
    tokens = [invite(app, survey_id, person) for person in ids]
    for token in tokens[:2]:
        assert client.post(f"/feedback/{token}", data=_answers(app, survey_id)).status_code == 302
    with app.app_context():
        responses = list(db.session.scalars(select(SurveyResponse)))
        answered = list(
            db.session.scalars(
                select(SurveyInvitation).where(SurveyInvitation.answered_at.is_not(None))
            )
        )
        answer_rows = list(db.session.scalars(select(ResponseAnswer)))
        invitation_ids = {str(i.id) for i in db.session.scalars(select(SurveyInvitation))}
    assert len(responses) == 2 and len(answered) == 2
    # The invitation records only that they answered, and when.
    assert {i.answered_at for i in answered} == {ANSWERED_AT}
    for response in responses:
        assert response.registration_id is None
        # The day only: never the answered_at time, to the second.
        assert response.submitted_at == dt.datetime(2027, 1, 22, tzinfo=dt.UTC)
        assert response.submitted_at.replace(microsecond=0) != ANSWERED_AT.replace(microsecond=0)
        # Random ids: neither a registration's, an invitation's, nor a count of responses.
        assert len(response.id) == 32 and response.id not in invitation_ids
    assert all(len(row.id) == 32 for row in answer_rows)
    # No column of either table points at an invitation or a person.
    response_columns = set(SurveyResponse.__table__.columns.keys())
    answer_columns = set(ResponseAnswer.__table__.columns.keys())
    assert response_columns == {"id", "survey_id", "registration_id", "submitted_at"}
    assert answer_columns == {
        "id",
        "response_id",
        "question_id",
        "session_id",
        "value",
        "rating",
        "comment",
    }


@time_machine.travel(ANSWERED_AT, tick=False)
def test_sessions_rated_are_the_ones_attended_or_booked_and_the_plenaries(
    app, client, survey_event
):
    event, survey_id = survey_event(rate_sessions=True)
    booked, attended, neither = people(app, event, 3)
    with app.app_context():
        stored = db.session.get(Event, event.id)
        by_title = {s.title: s.id for s in stored.sessions}
        db.session.execute(
            registration_workshops.insert().values(
                registration_id=booked, session_id=by_title["Workshop A"]
            )
        )
        db.session.add(WorkshopCheckIn(registration_id=attended, session_id=by_title["Workshop B"]))
        db.session.commit()

    def asked(person):
        page = client.get(f"/feedback/{invite(app, survey_id, person)}").text
        return {title for title in by_title if f"How would you rate “{title}”?" in page}

    assert asked(booked) == {"Opening plenary", "Workshop A"}
    assert asked(attended) == {"Opening plenary", "Workshop B"}
    assert asked(neither) == {"Opening plenary"}


@time_machine.travel(ANSWERED_AT, tick=False)
def test_the_survey_says_what_it_is_for_in_the_current_wording(
    app, client, survey_event, make_user
):
    from engage.accounts.models import Role
    from engage.registrations import consents
    from engage.registrations.models import ConsentKind

    _, _, _, token = _one_person(app, survey_event)
    first = str(escape(consents.DEFAULT_TEXTS[ConsentKind.FEEDBACK]))
    assert first in client.get(f"/feedback/{token}").text
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        consents.publish(
            ConsentKind.FEEDBACK, "Tell us how it went; organisers read it.", actor=admin
        )
    page = client.get(f"/feedback/{token}").text
    assert "Tell us how it went; organisers read it." in page
    assert first not in page
