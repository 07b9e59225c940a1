"""On a phone, from the link in the email that arrived: the survey answered, errors fixed, axe clean."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from engage.feedback import sending
from engage.feedback.models import Survey, SurveyResponse
from engage.mail.worker import deliver_due
from tests.core.test_accessibility import violations
from tests.feedback.conftest import people, questions
from tests.mail.messages_helpers import text

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 700}


def test_answering_the_survey_from_the_email_on_a_phone(
    app, mail_app, smtp_server, live_server, page, make_event
):
    now = dt.datetime.now(dt.UTC)
    event = make_event(title="Engagement Day", starts_at=now - dt.timedelta(days=1))
    with app.app_context():
        survey = Survey(event_id=event.id, is_enabled=True, anonymous=True, intro="Thank you!")
        survey.questions.extend(questions())
        db.session.add(survey)
        db.session.commit()
    people(app, event, 1)
    with mail_app.app_context():
        assert sending.send_due(now=now) == (1, 0)
        assert deliver_due().sent == 1
    body = text(smtp_server.received[-1].message)
    link = re.search(r"https?://\S+(/feedback/[A-Za-z0-9_-]+)", body)[1]

    page.set_viewport_size(PHONE)
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback on Engagement Day")
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("Anything else?").fill("More coffee, please.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_title(re.compile("^Error: "))  # once the answer has loaded
    expect(page.get_by_label("Anything else?")).to_have_value("More coffee, please.")
    assert violations(page) == []
    page.get_by_role("link", name="Answer the question “How was the day overall?”").click()

    page.get_by_label("5 (excellent)").check()
    page.get_by_label("Maybe").check()
    page.get_by_label("Networking").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, you have already answered"
    )
    assert violations(page) == []
    with app.app_context():
        (response,) = db.session.scalars(db.select(SurveyResponse))
        assert response.registration_id is None
        assert sorted(str(a.value or a.rating) for a in response.answers) == [
            "5",
            "Maybe",
            "More coffee, please.",
            "['Networking']",
        ]
