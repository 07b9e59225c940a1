"""The registration form's error summary: each link lands on its field, in page order."""

from __future__ import annotations

from engage.events.models import Event
from engage.extensions import db
from tests.core.test_error_summary import assert_links_land_on_fields_in_page_order
from tests.registrations.conftest import form


def _ids(app, event):
    with app.app_context():
        found = db.session.get(Event, event.id)
        return [w.id for w in found.workshops], [q.id for q in found.questions]


def test_every_error_links_to_its_field_in_the_order_the_page_shows_them(
    app, client, workshop_event
):
    event = workshop_event(slug="day", max_workshops=1)
    (a, _, c), questions = _ids(app, event)
    response = client.post(
        "/events/day/register",
        data=form(
            first_name="",
            email="not-an-email",
            category=None,
            workshops=[str(a), str(c)],  # one too many
            dietary_requirements="Halal",  # without its consent
            privacy=None,
        ),
    )
    assert response.status_code == 200
    links = assert_links_land_on_fields_in_page_order(response.get_data(as_text=True))
    travel = f"question_{questions[1]}"  # the required single-choice question
    # The form declares workshops first and adds the questions last; the page does not.
    assert links == [
        "first_name",
        "email",
        "category-0",
        "workshops-0",
        f"{travel}-0",
        "dietary_consent",
        "privacy",
    ]
