"""A JSON body is read as text or refused field by field, never a 500 (ASVS 5.0 V2.2.1, V16.5.3).

Flask-WTF takes a JSON request body as a form's data. Before engage.forms.EngageForm,
a number, null, true, an object or a list there reached filters and validators
written for text: {"email": 5} on sign-in and {"first_name": {"a": 1}} on registration
answered 500, and {"room": null} reached the database. The fuzz in
test_asvs_form_fuzz.py throws random bodies; these are the known ones, kept.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm

import engage
from engage.forms import NOT_TEXT, EngageForm
from tests.security.test_asvs_form_fuzz import ASKS_QUESTIONS, FORMS, _questions, post
from tests.security.world import changed_tables, snapshot

# (form, field, value): each answered 500 (or wrote junk) before the fix.
KNOWN = [
    ("sign in", "email", 5),
    ("registration", "first_name", {"a": 1}),
    ("registration", "text question", [1]),
    ("self-service edit", "text question", True),
    ("reset request", "email", [1]),
    ("reset password", "password", 5),
    ("accept invitation", "password", True),
    ("change password", "current_password", {"a": 1}),
    ("invite", "name", [["x"]]),
    ("user edit", "name", True),
    ("event create", "starts_at", None),
    ("event edit", "capacity", {"a": 1}),
    ("session edit", "room", None),
    ("question edit", "help_text", None),
    ("cancel event", "reason", 5),
    ("news create", "event_id", {"a": 1}),
    ("attendee details", "email", [1]),
    ("attendee add", "text question", {"a": 1}),
]
NOT_TEXT_VALUES = [5, None, True, {"a": 1}, [1], [["x"]], 1.5, [None]]


def _field(world: dict, name: str) -> str:
    return world["questions"]["text"] if name == "text question" else name


def refused_fields(response) -> set[str]:
    """The fields the page's error summary names with "Enter text"."""
    page = response.get_data(as_text=True)
    # A radio or checkbox group is linked by its first input, "<name>-0".
    return set(re.findall(r'<a href="#(.+?)(?:-0)?">' + NOT_TEXT + "</a>", page))


def refusal(app, world: dict, name: str, body: dict, expected: set[str]) -> str | None:
    """What is wrong with the form's answer to a JSON body it must refuse: None if nothing."""
    before = snapshot(app)
    response = post(app, world, FORMS[name], body, as_json=True)
    if response.status_code not in (200, 400):
        return f"{name}: answered {response.status_code}"
    if refused_fields(response) != expected:
        return f"{name}: 'Enter text' beside {sorted(refused_fields(response))}, not {sorted(expected)}"
    if written := changed_tables(before, snapshot(app)):
        return f"{name}: wrote to {written}"
    return None


def test_asvs_2_2_1_each_known_crasher_is_refused_as_enter_text(app, world):
    # One site for all: a refused post writes nothing, as each check proves.
    problems = []
    for name, field, value in KNOWN:
        field = _field(world, field)
        body = {**FORMS[name].valid(world), field: value}
        problems.append(refusal(app, world, name, body, {field}))
    assert [p for p in problems if p] == []


def test_asvs_2_2_1_every_field_of_every_form_refuses_json_that_is_not_text(app, world):
    """Each form with all of its fields at once given something other than text."""
    problems = []
    for name, case in FORMS.items():
        fields = [*case.fields, *(_questions(world) if name in ASKS_QUESTIONS else ())]
        body = {f: NOT_TEXT_VALUES[i % len(NOT_TEXT_VALUES)] for i, f in enumerate(fields)}
        problems.append(refusal(app, world, name, body, set(fields)))
    assert [p for p in problems if p] == []


def test_a_json_body_that_is_not_an_object_is_refused_without_500(app, world):
    client = app.test_client()
    before = snapshot(app)
    for raw in ("[1, 2]", '"text"', "5", "null", "true", "{", "[" * 100_000):
        response = client.post("/events/day/register", data=raw, content_type="application/json")
        assert response.status_code in (200, 400), raw[:10]
    assert changed_tables(before, snapshot(app)) == []


def test_json_of_text_is_read_as_a_browser_post_would_be(app, world):
    """Control: a JSON body of strings (a list for several values) books and signs in."""
    booking = dict(FORMS["registration"].valid(world))
    booking["workshops"] = [str(w) for w in world["workshop_ids"]]
    response = post(app, world, FORMS["registration"], booking, as_json=True)
    assert (response.status_code, response.headers["Location"]) == (302, "/events/day/registered")
    sign_in = FORMS["sign in"]
    response = post(app, world, sign_in, sign_in.valid(world), as_json=True)
    assert (response.status_code, response.headers["Location"]) == (302, "/admin/")


def _subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_form_in_engage_is_an_engage_form(app):
    """A FlaskForm added without EngageForm would read JSON bodies raw again."""
    forms = {c for c in _subclasses(FlaskForm) if c.__module__.startswith(engage.__name__)}
    assert len(forms) >= 12  # every module with forms is imported by create_app
    assert {c.__qualname__ for c in forms if not issubclass(c, EngageForm)} == set()
