"""Stored XSS: what staff and attendees type is shown as text everywhere it is shown.

ASVS 5.0 V1.2.1 (output encoded for its context: HTML, XML, iCalendar), V1.3.5
(Markdown sanitised), V3.2.2 (text shown as text). Every text field anyone can write
holds a script and an attribute break-out, tagged with the field's name. Then every
page (public and staff), the Atom feed, the calendar files and every email's HTML
part are read: none may carry a script, an event handler or a javascript: link, and
each field's tag must turn up somewhere, so that no field escapes the check by not
being looked at. tests/registrations/test_hostile_input.py and test_emails.py keep
the attendee side of this for the registration pages and emails.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from icalendar import Calendar

from engage.accounts.models import Role, User
from engage.attendees import message_services as messages
from engage.attendees.filters import AttendeeFilter
from engage.certificates.models import Certificate
from engage.events import manage_services
from engage.events.models import (
    Event,
    EventQuestion,
    EventResource,
    EventSession,
    QuestionKind,
    SessionKind,
)
from engage.extensions import db
from engage.feedback.models import (
    ResponseAnswer,
    Survey,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)
from engage.mail.mailings import write_next_batch
from engage.mail.models import OutboxMessage
from engage.organisations import services as organisations
from engage.organisations.models import OrganisationKind
from engage.registrations import consents
from engage.registrations import services as registrations
from engage.registrations.models import AttendeeCategory, ConsentKind
from engage.registrations.services import RegistrationData
from tests.conftest import london
from tests.security.world import sign_in_as, url_for_rule

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
# A line break that would start a new property in a calendar file written carelessly.
ICS_BREAK = "\r\nX-INJECTED:yes\r\nBEGIN:VALARM"


def hostile(field: str, multiline: bool = False) -> str:
    """The payload for one field, tagged with the field's name."""
    return f"xss[{field}] {SCRIPT}{BREAKOUT}" + (ICS_BREAK if multiline else "")


class Page(HTMLParser):
    """An HTML document read as a browser would: its scripts, handlers, links and text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.problems.append("an inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler <{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip(
                " \t\r\n"
            ).lower().startswith(("javascript:", "data:text/html")):
                self.problems.append(f"a script link <{tag} {name}={value!r}>")
            self.text.append(value or "")  # a field's value is read too

    def handle_data(self, data):
        self.text.append(data)


def html_problems(html: str) -> tuple[list[str], str]:
    """What in the HTML would run a script; and the text a reader sees."""
    page = Page(html)
    problems = list(page.problems)
    for raw in (SCRIPT, BREAKOUT.removeprefix('">')):
        if raw in html:
            problems.append(f"{raw} unescaped")
    return problems, " ".join(page.text)


@pytest.fixture
def hostile_world(app, make_user, make_event, make_news):
    """Every text field of every kind of record, holding a payload."""
    admin = make_user("admin@example.org", role=Role.ADMIN, name=hostile("staff_name"))
    start = london(2027, 1, 21, 9, 30)
    fields = (
        "summary",
        "description_md",
        "venue_address",
        "travel_info_md",
        "access_info_md",
        "attendee_note_md",
    )
    event = make_event(
        slug="day",
        title=hostile("event_title"),
        venue_name=hostile("venue_name"),
        **{name: hostile(name, multiline=True) for name in fields},
        sessions=[
            EventSession(
                kind=SessionKind.WORKSHOP,
                title=hostile("session_title"),
                room=hostile("session_room"),
                description_md=hostile("session_description", multiline=True),
                starts_at=start.replace(hour=11),
                ends_at=start.replace(hour=12),
            )
        ],
        questions=[
            EventQuestion(
                kind=QuestionKind.TEXT,
                label=hostile("question_label"),
                help_text=hostile("question_hint"),
            ),
            EventQuestion(
                kind=QuestionKind.SINGLE_CHOICE,
                label="Travel?",
                choices=[hostile("question_choice"), "Car"],
                position=1,
            ),
        ],
    )
    online = make_event(
        slug="online-day",
        title=hostile("online_title"),
        is_online=True,
        venue_name="",
        online_join_details=hostile("online_join_details", multiline=True),
    )
    news = make_news(
        slug="news-item",
        title=hostile("news_title"),
        summary=hostile("news_summary", multiline=True),
        body_md=hostile("news_body", multiline=True),
        event_id=event.id,
        author_id=admin.id,
    )
    with app.test_request_context():
        # A listed name is typed by an admin, and shown on every registration form.
        listed_id = organisations.add(hostile("organisation_name"), OrganisationKind.CHARITY).id
        for kind in ConsentKind:  # shown beside the boxes, on the notice and in the back office
            multiline = kind == ConsentKind.PRIVACY_NOTICE
            consents.publish(
                kind,
                hostile(f"consent_{kind.value}", multiline=multiline),
                actor=db.session.get(User, admin.id),
            )
        day = db.session.get(Event, event.id)
        text_q, choice_q = day.questions
        booking = registrations.register(
            day,
            RegistrationData(
                first_name=hostile("first_name"),
                last_name=hostile("last_name"),
                email="ada@example.org",
                organisation=hostile("organisation"),
                job_title=hostile("job_title"),
                category=AttendeeCategory.POLICE_OFFICER,
                privacy_accepted=True,
                dietary_requirements=hostile("dietary", multiline=True),
                dietary_consent=True,
                access_requirements=hostile("access", multiline=True),
                access_consent=True,
                workshop_ids=[day.workshops[0].id],
                answers={
                    text_q.id: hostile("text_answer", multiline=True),
                    choice_q.id: hostile("question_choice"),
                },
            ),
        )
        remote = db.session.get(Event, online.id)
        registrations.register(
            remote,
            RegistrationData(
                first_name="Grace",
                last_name="Hopper",
                email="grace@example.org",
                organisation="Navy",
                job_title="Admiral",
                category=AttendeeCategory.POLICE_OFFICER,
                privacy_accepted=True,
            ),
        )
        manage_services.cancel_event(remote, hostile("cancel_reason", multiline=True))
        mailing, _ = messages.send_message(
            AttendeeFilter.from_args(day, {}),
            hostile("mailing_subject") + " {first_name}",
            hostile("mailing_body", multiline=True) + "\n\nDear {first_name}, {event_title}",
            key="hostile-world-message",
            actor=db.session.get(User, admin.id),
        )
        mailing_id = mailing.id
        while write_next_batch():  # the worker writes the cancellation notices
            pass
        resource = EventResource(
            event_id=day.id,
            session_id=day.workshops[0].id,
            title=hostile("resource_title"),
            url="https://example.org/?q=" + BREAKOUT,
            description=hostile("resource_description"),
        )
        certificate = Certificate(registration_id=booking.registration.id)
        db.session.add_all([resource, certificate])
        db.session.commit()
        resource_id, certificate_code = resource.id, certificate.code
        session_id, question_id = day.workshops[0].id, text_q.id
        registration_id = booking.registration.id
        code = booking.registration.checkin_code
        survey_question_id = _hostile_survey(day, session_id)
        token = db.session.scalars(
            db.select(OutboxMessage.body_text)
            .where(OutboxMessage.registration_id == booking.registration.id)
            .order_by(OutboxMessage.id)  # the confirmation, with its link: first, on any database
        ).first()
    return {
        "admin": admin.id,
        "event_id": event.id,
        "session_id": session_id,
        "question_id": question_id,
        "item_id": news.id,
        "user_id": admin.id,
        "message_id": 1,
        "registration_id": registration_id,
        "mailing_id": mailing_id,
        "organisation_id": listed_id,
        "code": code,
        "resource_id": resource_id,
        "certificate_code": certificate_code,
        "registration_token": token.split("/registrations/")[1].split()[0],
        "reset_token": "none",
        "invitation_token": "none",
        "feedback_token": "none",
        "survey_question_id": survey_question_id,
        "kind": "dietary",
    }


def _hostile_survey(event: Event, session_id: int) -> int:
    """The event's survey, its questions and one response, each text holding a payload."""
    survey = Survey(event_id=event.id, intro=hostile("survey_intro", multiline=True))
    survey.rate_sessions = True
    text_q = SurveyQuestion(kind=SurveyQuestionKind.TEXT, label=hostile("survey_question"))
    choice_q = SurveyQuestion(
        kind=SurveyQuestionKind.SINGLE_CHOICE, choices=[hostile("survey_choice"), "No"], label="?"
    )
    survey.questions.extend([text_q, choice_q])
    db.session.add(survey)
    db.session.flush()
    response = SurveyResponse(survey_id=survey.id, submitted_at=london(2027, 1, 22))
    response.answers = [
        ResponseAnswer(question_id=text_q.id, value=hostile("survey_answer", multiline=True)),
        ResponseAnswer(question_id=choice_q.id, value=hostile("survey_choice")),
        ResponseAnswer(session_id=session_id, rating=4, comment=hostile("survey_comment")),
    ]
    db.session.add(response)
    db.session.commit()
    return text_q.id


# Every field that holds a payload, by the tag in its payload.
MARKERS = frozenset(
    {
        "staff_name",
        "event_title",
        "venue_name",
        "summary",
        "description_md",
        "venue_address",
        "travel_info_md",
        "access_info_md",
        "attendee_note_md",
        "session_title",
        "session_room",
        "session_description",
        "question_label",
        "question_hint",
        "question_choice",
        "online_title",
        "online_join_details",
        "news_title",
        "news_summary",
        "news_body",
        "first_name",
        "last_name",
        "organisation",
        "organisation_name",
        "job_title",
        "dietary",
        "access",
        "text_answer",
        "cancel_reason",
        "mailing_subject",
        "mailing_body",
        "survey_intro",
        "survey_question",
        "survey_choice",
        "survey_answer",
        "survey_comment",
        "resource_title",
        "resource_description",
    }
)


def _seen(text: str) -> set[str]:
    return {m for m in MARKERS if f"xss[{m}]" in text}


def page_walk(
    app, world: dict, roles: tuple[str, ...] = ("visitor", "admin")
) -> tuple[list[str], dict[str, set[str]]]:
    """Every HTML page as a visitor and as an admin: what would run, and which tags each shows."""
    seen: dict[str, set[str]] = {}
    problems = []
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    urls = {url_for_rule(app, rule, world) for rule in rules} | {"/events/online-day"}
    for who in roles:
        client = app.test_client()
        sign_in_as(client, app, world.get(who))
        for url in sorted(urls):
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            found, text = html_problems(response.get_data(as_text=True))
            problems += [f"{who} {url}: {p}" for p in found]
            seen[f"{who} {url}"] = _seen(text)
    return problems, seen


def test_asvs_1_2_1_pages_show_every_field_as_text(app, hostile_world):
    problems, seen = page_walk(app, hostile_world)
    assert problems == []
    # Each tag is where a reader would look for it: these pages were really read.
    assert {"event_title", "description_md", "venue_name", "session_title"} <= seen[
        "visitor /events/day"
    ]
    assert {"question_label", "question_hint", "question_choice"} <= seen[
        "visitor /events/day/register"
    ]
    assert {"news_title", "news_body"} <= seen["visitor /news/news-item"]
    assert "cancel_reason" in seen["visitor /events/online-day"]
    manage_page = seen[f"visitor /registrations/{hostile_world['registration_token']}"]
    assert {"text_answer", "attendee_note_md"} <= manage_page
    attendees = f"admin /admin/events/{hostile_world['event_id']}/attendees/"
    assert {"first_name", "last_name", "organisation", "session_title"} <= seen[attendees]
    assert "staff_name" in seen[f"admin /admin/users/{hostile_world['admin']}"]
    record = f"admin /admin/events/{hostile_world['event_id']}/attendees/{hostile_world['registration_id']}"
    assert {"first_name", "organisation", "dietary", "access", "text_answer"} <= seen[record]
    assert {"first_name", "job_title", "dietary"} <= seen[record + "/details"]
    mailing_page = f"admin /admin/events/{hostile_world['event_id']}/mailings/"
    assert {"mailing_subject", "mailing_body", "event_title"} <= seen[
        mailing_page + str(hostile_world["mailing_id"])
    ]
    # The curated list's names: on the admin's list and in the public form's select.
    assert "organisation_name" in seen["admin /admin/organisations/"]
    assert "organisation_name" in seen["visitor /events/day/register"]
    # The check-in page the QR code's link opens: name, organisation and access needs.
    assert {"first_name", "organisation", "access"} <= seen[f"admin /c/{hostile_world['code']}"]
    results = f"admin /admin/events/{hostile_world['event_id']}/feedback/results"
    assert {"survey_question", "survey_choice", "survey_answer", "survey_comment"} <= seen[results]
    resources = f"admin /admin/events/{hostile_world['event_id']}/resources"
    assert {"resource_title", "resource_description", "session_title"} <= seen[resources]
    # The report shows typed organisations in its SVG charts and their tables.
    report = f"admin /admin/events/{hostile_world['event_id']}/report"
    assert {"event_title", "organisation"} <= seen[report]
    certificate = f"visitor /certificates/{hostile_world['certificate_code']}"
    assert {"first_name", "last_name", "event_title"} <= seen[certificate]
    everywhere = set().union(*seen.values())
    # Joining details go to confirmed attendees by email only, never on a page.
    assert MARKERS - everywhere == {"online_join_details"}


def test_the_page_walk_sees_a_page_that_forgets_to_escape(app, hostile_world):
    """Control: a page that writes a stored title into its HTML unescaped is caught."""

    def careless():
        title = db.session.get(Event, hostile_world["event_id"]).title
        return f"<!doctype html><title>x</title><h1>{title}</h1>"

    app.add_url_rule("/careless", "careless", careless)
    problems, _ = page_walk(app, hostile_world, roles=("visitor",))
    assert problems == [
        "visitor /careless: an inline <script>",
        "visitor /careless: an event handler <img onerror=...>",
        f"visitor /careless: {SCRIPT} unescaped",
        "visitor /careless: <img src=x onerror=alert(1)> unescaped",
    ]


def test_asvs_1_2_1_emails_html_parts_show_every_field_as_text(app, hostile_world):
    with app.app_context():
        bodies = db.session.scalars(db.select(OutboxMessage.body_html)).all()
    problems, seen = [], set()
    for html in bodies:
        found, text = html_problems(html)
        problems += found
        seen |= _seen(text)
    assert problems == []
    assert {
        "first_name",
        "event_title",
        "venue_name",
        "session_title",
        "session_room",
        "online_join_details",
        "attendee_note_md",
        "text_answer",
        "cancel_reason",
        "mailing_body",
    } <= seen


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_problems(data: bytes) -> tuple[list[str], set[str]]:
    """What in an Atom feed would run a script in a reader; and the tags it shows."""
    try:
        feed = ET.fromstring(data)
    except ET.ParseError as error:
        return [f"not well-formed: {error}"], set()
    problems, seen = [], set()
    for element in feed.iter():
        if element.get("type") == "html":  # a reader renders this text as HTML
            found, text = html_problems(element.text or "")
            problems += [f"{element.tag.removeprefix(ATOM)}: {p}" for p in found]
            seen |= _seen(text)
        elif element.get("type") == "xhtml":
            problems.append(f"{element.tag}: xhtml is not expected")
        else:
            seen |= _seen(element.text or "")
    return problems, seen


def test_asvs_1_2_1_the_atom_feed_is_well_formed_and_its_html_is_safe(app, hostile_world):
    problems, seen = feed_problems(app.test_client().get("/news/feed.atom").data)
    assert problems == []
    assert {"news_title", "news_summary", "news_body", "staff_name"} <= seen


def test_the_feed_check_sees_careless_html_and_broken_xml():
    """Control: a feed that pastes text into its HTML content, or into the XML, is caught."""
    careless = (
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        '<entry><content type="html">{}</content></entry></feed>'
    )
    escaped_once = careless.format(hostile("news_body").replace("&", "&amp;").replace("<", "&lt;"))
    assert feed_problems(escaped_once.encode())[0] == [
        "content: an inline <script>",
        "content: an event handler <img onerror=...>",
        f"content: {SCRIPT} unescaped",
        "content: <img src=x onerror=alert(1)> unescaped",
    ]
    assert feed_problems(careless.format(hostile("news_body")).encode())[0][0].startswith(
        "not well-formed"
    )


def calendar_problems(data: bytes) -> list[str]:
    """What in a calendar file escaped its property: injected properties or components."""
    problems = []
    if b"\r\nX-INJECTED" in data or b"\r\nBEGIN:VALARM" in data:
        problems.append("a typed line break started a new line")
    calendar = Calendar.from_ical(data)
    for event in calendar.walk("VEVENT"):
        if "X-INJECTED" in event:
            problems.append("an injected property")
        if event.subcomponents:
            problems.append("an injected component")
    if not calendar.walk("VEVENT"):
        problems.append("no event at all")
    return problems


def _calendars(app, token: str) -> dict[str, bytes]:
    client = app.test_client()
    # The cancelled online event has no file of its own (404): the feed carries it.
    urls = (
        "/events/calendar.ics",
        "/events/day/calendar.ics",
        f"/registrations/{token}/calendar.ics",
    )
    files = {url: client.get(url).data for url in urls}
    assert client.get("/events/online-day/calendar.ics").status_code == 404
    with app.app_context():
        for message in db.session.scalars(db.select(OutboxMessage)):
            for attachment in message.attachments:
                if attachment["filename"].endswith(".ics"):
                    name = f"{message.kind} {attachment['filename']}"
                    files[name] = base64.b64decode(attachment["data"])
    return files


def test_asvs_1_2_1_calendar_files_keep_text_inside_its_property(app, hostile_world):
    files = _calendars(app, hostile_world["registration_token"])
    assert "registration_confirmation invite.ics" in files and "event_cancelled cancel.ics" in files
    assert {name: calendar_problems(data) for name, data in files.items()} == {
        name: [] for name in files
    }
    day = Calendar.from_ical(files["/events/day/calendar.ics"]).walk("VEVENT")[0]
    assert str(day["SUMMARY"]) == hostile("event_title")  # read back exactly as typed
    summary = hostile("summary", multiline=True).replace("\r\n", "\n")
    assert str(day["DESCRIPTION"]).startswith(summary)
    assert str(day["LOCATION"]).startswith(hostile("venue_name"))


def test_the_calendar_check_sees_a_line_break_written_raw():
    """Control: a calendar written by pasting the summary in is caught."""
    careless = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        f"SUMMARY:{hostile('summary', multiline=True)}\r\nEND:VALARM\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert calendar_problems(careless.encode()) == [
        "a typed line break started a new line",
        "an injected property",
        "an injected component",
    ]
