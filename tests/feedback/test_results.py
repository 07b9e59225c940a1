"""The organiser's pages: settings, questions, the results' figures from known answers, the exports."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import select

from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.feedback import services
from engage.feedback.models import Survey, SurveyInvitation, SurveyQuestion
from engage.feedback.results import results
from engage.feedback.services import Answers
from tests.feedback.conftest import DAY, SENDS, invite, people

HOSTILE = '=HYPERLINK("http://evil.example","x")'


def _questions(app, survey_id) -> dict[str, int]:
    with app.app_context():
        rows = db.session.scalars(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id)
        )
        return {q.label: q.id for q in rows}


def _answered(app, survey_event, **survey):
    """Five people answer a known set of answers; (event, survey id)."""
    event, survey_id = survey_event(rate_sessions=True, **survey)
    ids = people(app, event, 6)
    q = _questions(app, survey_id)
    with app.app_context():
        sessions = {s.title: s.id for s in db.session.get(Event, event.id).sessions}
    given = [
        (5, "Yes", ["Talks"], "Great day", (5, "Inspiring")),
        (4, "Yes", ["Talks", "Workshops"], HOSTILE, (4, "")),
        (4, "Maybe", ["Networking"], "", (None, "Too short")),
        (2, "No", [], "Room too cold", (2, "")),
        (5, None, ["Talks"], "", None),
    ]
    for person, (rating, again, useful, text, plenary) in zip(ids, given, strict=False):
        token = invite(app, survey_id, person)
        answers = Answers(
            ratings={q["How was the day overall?"]: rating},
            questions={
                q["Would you come again?"]: again,
                q["What was most useful?"]: useful,
                q["Anything else?"]: text,
            },
            sessions={sessions["Opening plenary"]: plenary} if plenary else {},
        )
        with app.app_context():
            invitation = services.invitation_by_token(token)
            services.submit(invitation, answers, now=SENDS + DAY)
    invite(app, survey_id, ids[5])  # invited, never answered
    return event, survey_id


def test_the_figures_from_a_known_set_of_answers(app, survey_event):
    _, survey_id = _answered(app, survey_event)
    with app.app_context():
        found = results(db.session.get(Survey, survey_id))
        overall, again, useful, other = found.questions
        (plenary,) = found.sessions
        assert (found.invited, found.answered) == (6, 5)
        assert overall.answered == 5
        assert overall.ratings.counts == {1: 0, 2: 1, 3: 0, 4: 2, 5: 2}
        assert overall.ratings.average == 4.0
        assert again.answered == 4 and again.choices == [("Yes", 2), ("Maybe", 1), ("No", 1)]
        assert useful.choices == [("Talks", 3), ("Workshops", 1), ("Networking", 1)]
        assert sorted(other.texts) == sorted(["Great day", HOSTILE, "Room too cold"])
        assert plenary.session.title == "Opening plenary"
        assert plenary.ratings.counts == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
        assert plenary.ratings.average == 11 / 3
        assert sorted(plenary.comments) == ["Inspiring", "Too short"]


def _organiser(app, make_user, login_as, client, event):
    user = make_user("own@example.org")
    with app.app_context():
        db.session.execute(event_organisers.insert().values(event_id=event.id, user_id=user.id))
        db.session.commit()
    login_as(client, user)


def test_the_results_page_draws_each_chart_with_its_table(
    app, client, make_user, login_as, survey_event
):
    event, _ = _answered(app, survey_event)
    _organiser(app, make_user, login_as, client, event)
    page = client.get(f"/admin/events/{event.id}/feedback/results")
    assert page.status_code == 200
    assert "5 of 6 people invited have answered" in page.text
    assert "Average 4.0 out of 5, from 5 ratings." in page.text
    assert "Average 3.7 out of 5, from 3 ratings." in page.text  # the plenary
    assert page.text.count("<svg") == 2 and page.text.count('class="chart__table"') == 2
    assert "<script" not in page.text
    assert "Room too cold" in page.text and "Too short" in page.text
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in page.text  # escaped, shown as typed


def test_the_exports_are_formula_safe_csv_and_excel(app, client, make_user, login_as, survey_event):
    event, _ = _answered(app, survey_event)
    _organiser(app, make_user, login_as, client, event)
    got = client.get(f"/admin/events/{event.id}/feedback/export?format=csv")
    assert got.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Submitted", "First name", "Last name", "Email", "Organisation"]
    assert "Opening plenary: rating" in header and len(body) == 5
    cells = [cell for row in body for cell in row]
    assert "'" + HOSTILE in cells and HOSTILE not in cells
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/admin/events/{event.id}/feedback/export?format=xlsx").data)
    )
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "'" + HOSTILE in values and HOSTILE not in values
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_an_anonymous_export_names_nobody(app, client, make_user, login_as, survey_event):
    event, _ = _answered(app, survey_event, anonymous=True)
    _organiser(app, make_user, login_as, client, event)
    text = client.get(f"/admin/events/{event.id}/feedback/export?format=csv").get_data(as_text=True)
    assert "Person" not in text and "@example.org" not in text
    assert text.lstrip("\ufeff").startswith("Submitted (date),How was the day overall?")


def test_settings_and_questions_from_the_organiser_pages(
    app, client, make_user, login_as, make_event
):
    event = make_event()
    _organiser(app, make_user, login_as, client, event)
    base = f"/admin/events/{event.id}/feedback"
    assert client.get(base + "/").status_code == 200
    bad = client.post(
        base + "/",
        data={"send_after_hours": "x", "reminder_after_days": "5", "closes_after_days": "2"},
    )
    assert "There is a problem" in bad.text
    assert "must be a whole number" in bad.text and 'value="x"' in bad.text
    saved = client.post(
        base + "/",
        data={
            "is_enabled": "y",
            "anonymous": "y",
            "send_after_hours": "3",
            "reminder_after_days": "4",
            "closes_after_days": "30",
            "intro": "Tell us",
        },
    )
    assert saved.status_code == 302
    for label in ("First", "Second"):
        added = client.post(base + "/questions/new", data={"kind": "rating", "label": label})
        assert added.status_code == 302
    refused = client.post(
        base + "/questions/new", data={"kind": "single_choice", "label": "Pick", "choices": "One"}
    )
    assert "Enter at least two choices, one per line" in refused.text
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
        assert (survey.is_enabled, survey.anonymous, survey.send_after_hours) == (True, True, 3)
        assert [q.label for q in survey.questions] == ["First", "Second"]
        second = survey.questions[1].id
    client.post(base + f"/questions/{second}/move", data={"direction": "up"})
    client.post(
        base + f"/questions/{second}/edit", data={"kind": "text", "label": "Second, renamed"}
    )
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
        assert [(q.label, q.kind.value) for q in survey.questions] == [
            ("Second, renamed", "text"),
            ("First", "rating"),
        ]
    assert client.post(base + f"/questions/{second}/delete").status_code == 302
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
        assert [q.label for q in survey.questions] == ["First"]
        assert db.session.scalar(select(db.func.count(SurveyInvitation.id))) == 0
