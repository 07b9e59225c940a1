"""Every form, posted as a browser would and as JSON, with junk: no 500, nothing half-written.

ASVS 5.0 V2.2.1 (all input validated against what is expected), V2.3.3 (an operation
succeeds whole or leaves nothing), V16.5.3 (failing safely: a refused form writes
nothing). Flask-WTF reads a JSON body as the form's data, so a JSON value can be a
number, null, a boolean, an object or a nested list: such a value must be refused as
"Enter text" (engage.forms.EngageForm), never reach a filter, validator or service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_PASSWORD
from tests.feedback.world import survey_answers
from tests.registrations.conftest import FORM_FIELDS
from tests.security.world import changed_tables, sign_in_as, snapshot

NEW_PASSWORD = "a fresh new passphrase"
HUGE = "x" * 70_000  # longer than any field allows, well inside the 1 MB request limit


def redirected(response) -> bool:
    """Most forms answer a success with a redirect (Post/Redirect/Get)."""
    return 300 <= response.status_code < 400


@dataclass(frozen=True)
class FormCase:
    """One form: who posts it, where, a valid filling, and the names it reads."""

    who: str | None
    path: str
    valid: Callable[[dict], dict]
    fields: tuple[str, ...]
    accepted: Callable = redirected
    # Tables a refused post may still write: a failed sign-in is counted and audited.
    may_write_when_refused: tuple[str, ...] = ()


def _questions(world) -> tuple[str, ...]:
    return tuple(sorted(world["questions"].values()))


def _registration(world) -> dict:
    return {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "organisation_choice": "other",
        "organisation": "Navy",
        "job_title": "Rear Admiral",
        "category": "police_officer",
        "privacy": "y",
        world["questions"]["single_choice"]: "Car",
    }


REGISTRATION_FIELDS = FORM_FIELDS
EVENT = {
    "title": "Engagement Day 2027",
    "slug": "",
    "summary": "Our annual day.",
    "description_md": "Come **along**.",
    "starts_at": "2027-01-21T09:30",
    "ends_at": "2027-01-21T16:30",
    "venue_name": "Riverside Conference Centre",
    "venue_address": "1 River Street, Leeds",
    "capacity": "120",
    "waitlist_enabled": "y",
    "max_workshops": "1",
    "reminder_offsets_hours": "7d, 1d",
    "retention_days": "180",
    "needs_retention_days": "7",
    "save": "Save event",
}
EVENT_FIELDS = (
    *EVENT,
    "is_online",
    "online_join_details",
    "travel_info_md",
    "access_info_md",
    "attendee_note_md",
    "contact_email",
    "registration_opens_at",
    "registration_closes_at",
    "preview",
)
SESSION = {
    "kind": "workshop",
    "title": "Workshop C",
    "starts_at": "2027-01-21T11:00",
    "ends_at": "2027-01-21T12:00",
    "room": "Room 1",
    "capacity": "20",
    "save": "Save session",
}
SESSION_FIELDS = (*SESSION, "description_md")
QUESTION = {
    "kind": "single_choice",
    "label": "Lunch?",
    "help_text": "",
    "choices": "Soup\nSalad",
    "is_required": "y",
    "save": "Save question",
}
SURVEY = {
    "is_enabled": "y",
    "anonymous": "y",
    "rate_sessions": "y",
    "send_after_hours": "2",
    "reminder_after_days": "5",
    "closes_after_days": "21",
    "intro": "Tell us how it went.",
    "save": "Save",
}
SURVEY_FIELDS = (*SURVEY,)
SURVEY_QUESTION = {**QUESTION, "kind": "multiple_choice"}
RESOURCE = {
    "title": "Slides",
    "url": "https://example.org/slides.pdf",
    "description": "From the opening talk.",
    "session_id": "",
    "save": "Save resource",
}
NEWS = {"title": "News", "slug": "", "summary": "S", "body_md": "B", "event_id": "", "save": "x"}
NEWS_FIELDS = (*NEWS, "publish_at", "preview", "publish", "schedule")
NEW_PASSWORDS = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
ATTENDEE = "/admin/events/{event_id}/attendees"
ATTENDEE_DETAILS = {
    "first_name": "Augusta",
    "last_name": "Lovelace",
    "email": "augusta@example.org",
    "organisation_choice": "other",
    "organisation": "Northbridge Police",
    "job_title": "Inspector",
    "category": "academic",
    "dietary_requirements": "Vegan",
    "access_requirements": "",
}
CHECK_IN = "/admin/events/{event_id}/check-in"
WALK_IN = {
    "first_name": "Grace",
    "last_name": "Hopper",
    "email": "",
    "organisation": "Navy",
    "category": "partner",
    "privacy": "y",
}
ADD_FIELDS = (*(f for f in REGISTRATION_FIELDS if f != "website"), "notify")
MESSAGE = {
    "key": "a-key-of-twenty-chars",
    "subject": "Parking",
    "body_md": "Dear {first_name}, park *behind* the hall.",
    "send": "Send",
}

FORMS = {
    "registration": FormCase(
        None,
        "/events/day/register",
        _registration,
        REGISTRATION_FIELDS,
    ),
    "link again": FormCase(
        None,
        "/events/day/link",
        lambda w: {"email": "grace@example.org"},
        ("email",),
        accepted=lambda response: "Check your email" in response.get_data(as_text=True),
    ),
    "self-service edit": FormCase(
        None,
        "/registrations/{registration_token}/edit",
        lambda w: {"workshops": str(w["workshop_ids"][1]), w["questions"]["single_choice"]: "Car"},
        ("workshops",),
    ),
    "withdraw consent": FormCase(
        None,
        "/registrations/{registration_token}/withdraw/dietary",
        lambda w: {"confirm": "yes"},
        ("confirm",),
    ),
    "sign in": FormCase(
        None,
        "/account/sign-in",
        lambda w: {"email": "org@example.org", "password": TEST_PASSWORD},
        ("email", "password"),
        may_write_when_refused=("audit_entries", "throttle_hits"),
    ),
    "reset request": FormCase(
        None,
        "/account/reset",
        lambda w: {"email": "org@example.org"},
        ("email",),
        accepted=lambda response: "Check your email" in response.get_data(as_text=True),
    ),
    "reset password": FormCase(
        None,
        "/account/reset/{reset_token}",
        lambda w: NEW_PASSWORDS,
        ("password", "confirm_password"),
    ),
    "accept invitation": FormCase(
        None,
        "/account/invitation/{invitation_token}",
        lambda w: NEW_PASSWORDS,
        ("password", "confirm_password"),
    ),
    "change password": FormCase(
        "organiser",
        "/account/password",
        lambda w: {"current_password": TEST_PASSWORD, **NEW_PASSWORDS},
        ("current_password", "password", "confirm_password"),
    ),
    "invite": FormCase(
        "admin",
        "/admin/users/invite",
        lambda w: {"email": "new@example.org", "name": "New", "role": "organiser"},
        ("email", "name", "role", "can_post_news"),
    ),
    "user edit": FormCase(
        "admin",
        "/admin/users/{organiser}",
        lambda w: {"name": "Changed", "role": "organiser", "can_post_news": "y"},
        ("name", "role", "can_post_news"),
    ),
    "assign organiser": FormCase(
        "admin",
        "/admin/users/{organiser}/events",
        lambda w: {"event_id": str(w["other_event_id"])},
        ("event_id",),
    ),
    "event create": FormCase("organiser", "/admin/events/new", lambda w: EVENT, EVENT_FIELDS),
    "event edit": FormCase(
        "organiser", "/admin/events/{event_id}/edit", lambda w: EVENT, EVENT_FIELDS
    ),
    "session add": FormCase(
        "organiser", "/admin/events/{event_id}/sessions/new", lambda w: SESSION, SESSION_FIELDS
    ),
    "session edit": FormCase(
        "organiser",
        "/admin/events/{event_id}/sessions/{session_id}/edit",
        lambda w: SESSION,
        SESSION_FIELDS,
    ),
    "question add": FormCase(
        "organiser", "/admin/events/{event_id}/questions/new", lambda w: QUESTION, (*QUESTION,)
    ),
    "question edit": FormCase(
        "organiser",
        "/admin/events/{event_id}/questions/{question_id}/edit",
        lambda w: QUESTION,
        (*QUESTION,),
    ),
    "resource add": FormCase(
        "organiser", "/admin/events/{event_id}/resources/new", lambda w: RESOURCE, (*RESOURCE,)
    ),
    "resource edit": FormCase(
        "organiser",
        "/admin/events/{event_id}/resources/{resource_id}/edit",
        lambda w: {**RESOURCE, "session_id": str(w["session_id"])},
        (*RESOURCE,),
    ),
    "cancel event": FormCase(
        "organiser",
        "/admin/events/{event_id}/cancel",
        lambda w: {"reason": "Snow"},
        ("reason", "confirm"),
    ),
    "attendee details": FormCase(
        "organiser",
        ATTENDEE + "/{registration_id}/details",
        lambda w: ATTENDEE_DETAILS,
        (*ATTENDEE_DETAILS, "quiet"),
    ),
    "attendee workshops": FormCase(
        "organiser",
        ATTENDEE + "/{registration_id}/workshops",
        lambda w: {"workshops": [str(i) for i in w["workshop_ids"]], "book_full": "y"},
        ("workshops", "book_full", "quiet"),
    ),
    "attendee add": FormCase(
        "organiser",
        ATTENDEE + "/new",
        lambda w: {**_registration(w), "email": "added@example.org", "notify": "y"},
        ADD_FIELDS,
    ),
    "attendee cancel": FormCase(
        "organiser", ATTENDEE + "/{registration_id}/cancel", lambda w: {"quiet": "y"}, ("quiet",)
    ),
    "email attendees": FormCase(
        "organiser",
        "/admin/events/{event_id}/mailings/new",
        lambda w: MESSAGE,
        (*MESSAGE, "preview", "test"),
        # "Send me a test" queues the test and shows the form again, typed text kept.
        accepted=lambda response: redirected(response) or "A test has been sent" in response.text,
    ),
    "check-in box": FormCase(
        "organiser",
        CHECK_IN,
        lambda w: {"q": w["code"]},
        ("q",),
        accepted=lambda response: "Checked in: " in response.get_data(as_text=True),
    ),
    "walk-in": FormCase(
        "organiser",
        CHECK_IN + "/walk-in",
        lambda w: {**WALK_IN, "over_capacity": "y"},
        (*WALK_IN, "over_capacity"),
    ),
    "feedback survey": FormCase(None, "/feedback/{feedback_token}", survey_answers, ("send",)),
    "survey settings": FormCase(
        "organiser", "/admin/events/{event_id}/feedback/", lambda w: SURVEY, SURVEY_FIELDS
    ),
    "survey question add": FormCase(
        "organiser",
        "/admin/events/{event_id}/feedback/questions/new",
        lambda w: SURVEY_QUESTION,
        (*SURVEY_QUESTION,),
    ),
    "survey question edit": FormCase(
        "organiser",
        "/admin/events/{event_id}/feedback/questions/{survey_question_id}/edit",
        lambda w: SURVEY_QUESTION,
        (*SURVEY_QUESTION,),
    ),
    "organisation add": FormCase(
        "admin",
        "/admin/organisations/new",
        lambda w: {"name": "Acme Research", "kind": "company"},
        ("name", "kind"),
    ),
    "organisation edit": FormCase(
        "admin",
        "/admin/organisations/{organisation_id}",
        lambda w: {"name": "Northbridge Police Service", "kind": "police_force"},
        ("name", "kind"),
    ),
    "news create": FormCase("organiser", "/admin/news/new", lambda w: NEWS, NEWS_FIELDS),
    "news edit": FormCase("organiser", "/admin/news/{item_id}/edit", lambda w: NEWS, NEWS_FIELDS),
    "privacy lookup": FormCase(
        "admin",
        "/admin/privacy/",
        lambda w: {"email": "ada@example.org"},
        ("email",),
        accepted=lambda response: "What we hold about" in response.get_data(as_text=True),
    ),
    "privacy download": FormCase(
        "admin",
        "/admin/privacy/download",
        lambda w: {"email": "ada@example.org", "format": "json"},
        ("email", "format"),
        accepted=lambda response: "attachment" in response.headers.get("Content-Disposition", ""),
    ),
    "consent wording": FormCase(
        "admin", "/admin/consents/dietary", lambda w: {"text": "Dietary, a new version"}, ("text",)
    ),
    "privacy erase": FormCase(
        "admin",
        "/admin/privacy/erase",
        lambda w: {"email": "ada@example.org", "confirm": "yes"},
        ("email", "confirm"),
    ),
}

# --- what is posted -----------------------------------------------------------------

text = st.one_of(
    st.text(max_size=40),  # control characters, NUL and all
    st.sampled_from(
        ["", " ", "\x00", "\r\nBcc: x@example.org", "<script>alert(1)</script>", "y", "-1", HUGE]
    ),
)
not_text = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dictionaries(st.text(max_size=3), st.integers() | st.text(max_size=3), max_size=2),
    st.lists(st.none() | st.integers() | st.lists(st.text(max_size=3)), min_size=1, max_size=2),
)
value = st.one_of(text, st.lists(text, max_size=3), not_text)


def is_text(item) -> bool:
    """A string, or a list of strings: what a browser's form post can hold."""
    return isinstance(item, str) or (
        isinstance(item, list) and all(isinstance(part, str) for part in item)
    )


def as_form_post(body: dict) -> dict:
    """The same values as a browser would send them: text only (JSON spelling for the rest)."""

    def one(item):
        return item if isinstance(item, str) else json.dumps(item)

    return {
        name: [one(part) for part in item] if isinstance(item, list) else one(item)
        for name, item in body.items()
    }


def post(app, world: dict, case: FormCase, body: dict, as_json: bool):
    """Post the body to the form, signed in as the case says; the response."""
    client = app.test_client()
    sign_in_as(client, app, world[case.who] if case.who else None)
    url = case.path.format(**world)
    if as_json:
        return client.post(url, json=body)
    return client.post(url, data=as_form_post(body))


# Forms that share one site: a success in one does not stop the others being reached
# (a cancelled event would close registration, so the attendee forms have their own).
GROUPS = {
    "attendee": ("registration", "link again", "self-service edit"),
    "passwords": (
        "sign in",
        "reset request",
        "reset password",
        "accept invitation",
        "change password",
    ),
    "accounts": ("invite", "user edit", "assign organiser"),
    "organisations": ("organisation add", "organisation edit"),
    "event builder": (
        "event create",
        "event edit",
        "session add",
        "session edit",
        "question add",
        "question edit",
        "cancel event",
    ),
    "news": ("news create", "news edit"),
    "resources": ("resource add", "resource edit"),
    "organiser for an attendee": ("attendee details", "attendee workshops", "attendee add"),
    # Cancelling ends what the others may do: a site of its own.
    "organiser cancels": ("attendee cancel",),
    "messages": ("email attendees",),
    "check-in desk": ("check-in box", "walk-in"),
    "privacy": ("privacy lookup", "privacy download"),
    # Erasing takes the world's attendee away: a site of its own.
    "privacy erase": ("privacy erase",),
    # Withdrawing erases the world's attendee's answer: a site of its own.
    "withdraw consent": ("withdraw consent",),
    "consent wordings": ("consent wording",),
    "feedback": ("feedback survey",),
    "survey builder": ("survey settings", "survey question add", "survey question edit"),
}
# The forms that ask the event's own questions too.
ASKS_QUESTIONS = ("registration", "self-service edit", "attendee add")


def readable(world: dict, name: str) -> tuple[str, ...]:
    """The names a form reads: its fields, and for the attendee forms the event's questions."""
    questions = _questions(world) if name in ASKS_QUESTIONS else ()
    if name == "feedback survey":
        questions = tuple(world["survey_fields"].values())
    return (*FORMS[name].fields, *questions)


@pytest.mark.parametrize("group", GROUPS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), as_json=st.booleans(), base=st.booleans())
def test_asvs_2_2_1_every_form_takes_junk_without_500_or_half_writes(
    app, world, group, data, as_json, base
):
    name = data.draw(st.sampled_from(GROUPS[group]), label="form")
    case = FORMS[name]
    extra = st.sampled_from((*_questions(world), "unexpected", "csrf_token"))
    names = st.sampled_from(readable(world, name)) | extra
    junk = data.draw(st.dictionaries(names, value, max_size=4), label="junk")
    body = {**(case.valid(world) if base else {}), **junk}
    before = snapshot(app)

    response = post(app, world, case, body, as_json)

    assert response.status_code < 500
    after = snapshot(app)
    accepted = case.accepted(response)
    if not accepted:
        written = set(changed_tables(before, after)) - set(case.may_write_when_refused)
        assert not written, f"a refused post wrote to {sorted(written)}"
    if as_json and not all(is_text(v) for k, v in junk.items() if k in readable(world, name)):
        assert not accepted, "a JSON value that is not text was accepted"
        assert changed_tables(before, after) == []


def test_the_groups_hold_every_form():
    assert sorted(name for group in GROUPS.values() for name in group) == sorted(FORMS)
