"""The survey's responses as a spreadsheet, one row each, formula-safe (the attendees' writers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engage.attendees.exports import Sheet
from engage.extensions import db
from engage.feedback.models import Survey, SurveyResponse
from engage.registrations.models import Registration
from engage.timefmt import local


def _cell(answer) -> str | int | None:
    if answer is None:
        return None
    if answer.rating is not None:
        return answer.rating
    if isinstance(answer.value, list):
        return "; ".join(answer.value)
    return answer.value


def responses_sheet(survey: Survey) -> Sheet:
    """Every response to the survey, with the person's name only when it is not anonymous."""
    event = survey.event
    sessions = [s for s in event.sessions if s.kind.value != "break"]
    header = ["Submitted (date)" if survey.anonymous else "Submitted"]
    if not survey.anonymous:
        header += ["First name", "Last name", "Email", "Organisation"]
    header += [q.label for q in survey.questions]
    if survey.rate_sessions:
        for session in sessions:
            header += [f"{session.title}: rating", f"{session.title}: comment"]
    query = (
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .options(selectinload(SurveyResponse.answers))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    rows = []
    for response in db.session.scalars(query):
        when = local(response.submitted_at, event.timezone)
        row: list = [
            when.date().isoformat() if survey.anonymous else when.strftime("%Y-%m-%d %H:%M")
        ]
        if not survey.anonymous:
            person = (
                db.session.get(Registration, response.registration_id)
                if response.registration_id
                else None
            )
            row += [
                getattr(person, name, "") if person else ""
                for name in ("first_name", "last_name", "email", "organisation")
            ]
        by_question = {a.question_id: a for a in response.answers if a.question_id}
        by_session = {a.session_id: a for a in response.answers if a.session_id}
        row += [_cell(by_question.get(q.id)) for q in survey.questions]
        if survey.rate_sessions:
            for session in sessions:
                answer = by_session.get(session.id)
                row += [answer.rating if answer else None, answer.comment if answer else None]
        rows.append(row)
    return Sheet(title="Responses", header=header, rows=rows)
