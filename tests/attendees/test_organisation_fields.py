"""The organiser's forms ask the organisation as the public form does, and exports say which."""

import pytest

from engage.accounts.models import Role
from engage.extensions import db
from engage.organisations import services as organisations
from engage.organisations.models import Organisation
from engage.registrations.models import Registration
from tests.attendees.helpers import booked, fresh
from tests.attendees.test_exports import read_csv
from tests.registrations.conftest import form


@pytest.fixture
def staff(app, client, make_user, login_as):
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _details(**changes) -> dict:
    fields = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "job_title": "Inspector",
        "category": "police_officer",
    }
    return {**fields, **changes}


def test_adding_someone_with_a_listed_organisation(app, staff, make_event, make_organisation):
    event = make_event()
    listed = make_organisation("Northbridge Police")
    data = form(organisation_choice=str(listed.id), organisation="")
    response = staff.post(f"/admin/events/{event.id}/attendees/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        [registration] = db.session.scalars(db.select(Registration)).all()
        assert (registration.organisation_id, registration.organisation) == (
            listed.id,
            "Northbridge Police",
        )


def test_other_left_empty_is_an_error_on_the_add_form(app, staff, make_event):
    event = make_event()
    data = form(organisation_choice="other", organisation="")
    html = staff.post(f"/admin/events/{event.id}/attendees/new", data=data).get_data(as_text=True)
    assert 'href="#organisation_choice"' in html and "as Other is chosen" in html
    with app.app_context():
        assert db.session.scalars(db.select(Registration)).all() == []


def test_correcting_keeps_a_retired_entry_and_can_switch_to_other(
    app, staff, make_event, make_organisation
):
    event = make_event()
    listed = make_organisation("Old Constabulary")
    with app.app_context():
        rid = booked(event, organisation="Old Constabulary", organisation_id=listed.id)
        organisations.set_active(db.session.get(Organisation, listed.id), False)
    url = f"/admin/events/{event.id}/attendees/{rid}/details"
    page = staff.get(url).get_data(as_text=True)
    assert f'<option selected value="{listed.id}">Old Constabulary</option>' in page
    # Saving other details keeps the retired entry they chose.
    kept = staff.post(url, data=_details(first_name="Augusta", organisation_choice=str(listed.id)))
    assert kept.status_code == 302
    with app.app_context():
        assert (fresh(rid).organisation_id, fresh(rid).first_name) == (listed.id, "Augusta")
    moved = staff.post(url, data=_details(organisation_choice="other", organisation="Acme"))
    assert moved.status_code == 302
    # The name and the list's entry both changed: one "organisation" to the reader.
    assert "Saved: first name, organisation." in staff.get(moved.location).get_data(as_text=True)
    with app.app_context():
        assert (fresh(rid).organisation_id, fresh(rid).organisation) == (None, "Acme")


def test_the_export_says_whether_the_organisation_came_from_the_list(
    app, staff, make_event, make_organisation
):
    event = make_event()
    listed = make_organisation("Northbridge Police")
    with app.app_context():
        booked(event, organisation="Northbridge Police", organisation_id=listed.id)
        booked(event, email="bo@example.org", organisation="Acme Research")
    response = staff.post(
        f"/admin/events/{event.id}/attendees/export",
        data={"columns": ["email", "organisation", "organisation_listed"], "file_format": "csv"},
    )
    rows = read_csv(response)
    assert rows[0] == ["Email", "Organisation", "Organisation from list"]
    assert sorted(rows[1:]) == [
        ["ada@example.org", "Northbridge Police", "Yes"],
        ["bo@example.org", "Acme Research", "No"],
    ]
