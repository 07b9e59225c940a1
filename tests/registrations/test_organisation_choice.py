"""The organisation question: chosen from the admins' list or typed under Other, and recorded.

And the leak of issue 13: the public form never shows what an earlier attendee typed.
"""

import re

import pytest

from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.registrations.models import Registration
from tests.registrations.conftest import form


def _recorded(app) -> list[tuple[int | None, str]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Registration).order_by(Registration.id))
        return [(r.organisation_id, r.organisation) for r in rows]


@pytest.fixture
def listed(make_organisation):
    make_organisation("University of Northbridge", OrganisationKind.UNIVERSITY)
    return make_organisation("Northbridge Police")


def test_the_list_is_a_select_grouped_by_kind_ending_with_other(client, make_event, listed):
    make_event(slug="day")
    html = client.get("/events/day/register").get_data(as_text=True)
    police = html.index('<optgroup label="Police forces">')
    universities = html.index('<optgroup label="Universities">')
    other = html.index('<option value="other">Other (not in the list)</option>')
    assert police < html.index(f'<option value="{listed.id}">Northbridge Police') < universities
    assert universities < other
    assert "Only if you chose Other." in html and "js/organisation.js" in html


def test_a_listed_choice_is_recorded_and_anything_typed_ignored(app, client, make_event, listed):
    make_event(slug="day")
    data = form(organisation_choice=str(listed.id), organisation="Something else")
    assert client.post("/events/day/register", data=data).status_code == 302
    assert _recorded(app) == [(listed.id, "Northbridge Police")]


def test_other_keeps_what_was_typed_and_records_it_as_other(app, client, make_event, listed):
    make_event(slug="day")
    data = form(organisation_choice="other", organisation="Acme Research")
    assert client.post("/events/day/register", data=data).status_code == 302
    assert _recorded(app) == [(None, "Acme Research")]


def test_other_typed_as_a_listed_name_is_the_listed_one(app, client, make_event, listed):
    make_event(slug="day")
    data = form(organisation_choice="other", organisation="NORTHBRIDGE police")
    assert client.post("/events/day/register", data=data).status_code == 302
    assert _recorded(app) == [(listed.id, "Northbridge Police")]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("other", "in the box below the list, as Other is chosen"),
        ("", "Choose an organisation from the list, or choose Other and type its name"),
    ],
)
def test_other_left_empty_is_an_error_beside_the_list(
    app, client, make_event, listed, choice, message
):
    make_event(slug="day")
    data = form(organisation_choice=choice, organisation="", first_name="Kept Name")
    response = client.post("/events/day/register", data=data)
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert 'href="#organisation_choice">' in html  # the summary lands on the select
    assert 'id="organisation_choice-error"' in html and message in html
    assert re.search(r'<select [^>]*aria-invalid="true"[^>]*id="organisation_choice"', html)
    assert 'value="Kept Name"' in html
    if choice == "other":
        assert '<option selected value="other">' in html  # the choice is kept too
    assert _recorded(app) == []


def test_a_retired_or_forged_choice_is_refused(app, client, make_event, make_organisation):
    make_event(slug="day")
    gone = make_organisation("Old Constabulary", active=False)
    for forged in (str(gone.id), "424242", "../etc"):
        html = client.post("/events/day/register", data=form(organisation_choice=forged)).get_data(
            as_text=True
        )
        assert "Choose an organisation from the list, or choose Other" in html
    assert "Old Constabulary" not in client.get("/events/day/register").get_data(as_text=True)
    assert _recorded(app) == []


def test_the_form_never_shows_an_organisation_an_earlier_attendee_typed(
    app, client, make_event, make_organisation
):
    """Issue 13: suggestions came from earlier registrants; now only the admins' list."""
    make_event(slug="day")
    typed = "Secret Constabulary of Nowhere"
    assert (
        client.post(
            "/events/day/register", data=form(organisation_choice="other", organisation=typed)
        ).status_code
        == 302
    )
    assert _recorded(app) == [(None, typed)]
    fresh = app.test_client()  # another visitor
    assert (
        typed.casefold() not in fresh.get("/events/day/register").get_data(as_text=True).casefold()
    )
    # Control: the page does show organisations, when an admin lists one.
    make_organisation(typed)
    assert typed in fresh.get("/events/day/register").get_data(as_text=True)
