"""The survey's part of the walks' worlds: a question to edit, and an open survey with a live link."""

from __future__ import annotations

import datetime as dt

from engage.extensions import db
from engage.feedback.models import Survey, SurveyInvitation, SurveyQuestion, SurveyQuestionKind
from engage.registrations.models import AttendeeCategory, Registration, RegistrationStatus
from engage.tokens import digest

FEEDBACK_TOKEN = "feedback-link-of-the-world-" + "x" * 16
# The attendee's form, as the form fuzz and the CSRF walk post it.
SURVEY_ANSWERS = {"rating": "4", "text": "A good day."}


def survey_world(app, make_event, event_id: int) -> dict:
    """A survey question on the world's event; and an event held two days ago, its survey open.

    Returns survey_question_id, feedback_token and the answer form's field names.
    """
    now = dt.datetime.now(dt.UTC)
    held = make_event(slug="held-day", starts_at=now - dt.timedelta(days=2))
    with app.app_context():
        own = Survey(event_id=event_id)
        own.questions.append(SurveyQuestion(kind=SurveyQuestionKind.RATING, label="Overall?"))
        survey = Survey(event_id=held.id, is_enabled=True, anonymous=True)
        survey.questions.extend(
            [
                SurveyQuestion(kind=SurveyQuestionKind.RATING, label="Overall?", is_required=True),
                SurveyQuestion(kind=SurveyQuestionKind.TEXT, label="Anything else?", position=1),
            ]
        )
        person = Registration(
            event_id=held.id,
            status=RegistrationStatus.CONFIRMED,
            email="came@example.org",
            first_name="Came",
            last_name="Along",
            organisation="Org",
            job_title="Role",
            category=AttendeeCategory.ACADEMIC,
            privacy_accepted=True,
        )
        db.session.add_all([own, survey, person])
        db.session.flush()
        db.session.add(
            SurveyInvitation(
                survey_id=survey.id,
                registration_id=person.id,
                token_hash=digest(FEEDBACK_TOKEN),
                sent_at=now,
            )
        )
        db.session.commit()
        rating, text = survey.questions
        return {
            "survey_question_id": own.questions[0].id,
            "feedback_token": FEEDBACK_TOKEN,
            "survey_fields": {"rating": f"question_{rating.id}", "text": f"question_{text.id}"},
        }


def survey_answers(world: dict) -> dict:
    """A valid filling of the world's survey form."""
    return {world["survey_fields"][kind]: value for kind, value in SURVEY_ANSWERS.items()}
