"""Correcting a walk-in's details: no email (or job title) given at the desk may stay empty.

Only for a registration that has none: anyone else's address (or job title)
can never be emptied, by the form or by the service.
"""

from __future__ import annotations

import pytest

from engage.accounts.models import Role, User
from engage.attendees import services
from engage.attendees.services import DetailNeeded, Details
from engage.checkin.walk_ins import WalkIn, register_walk_in
from engage.events.models import Event
from engage.extensions import db
from engage.registrations.models import AttendeeCategory
from tests.attendees.helpers import booked, fresh, outbox
from tests.attendees.test_views import _details_form, _html, _url
from tests.security.world import changed_tables, snapshot


@pytest.fixture
def admin(app, client, make_user, login_as):
    """The test client signed in as an admin; the admin's id."""
    user = make_user("admin@example.org", role=Role.ADMIN)
    login_as(client, user)
    return user.id


def _walk_in(event, admin_id: int) -> int:
    walk_in = WalkIn(
        first_name="Grace",
        last_name="Hopper",
        email="",
        organisation="Navy",
        category=AttendeeCategory.PARTNER,
        privacy_accepted=True,
    )
    by = db.session.get(User, admin_id)
    return register_walk_in(db.session.get(Event, event.id), walk_in, by=by).registration.id


def test_a_walk_in_without_email_is_corrected_without_adding_one(app, client, admin, make_event):
    event = make_event()
    with app.app_context():
        rid = _walk_in(event, admin)
        queued = outbox()
    page = _html(client.get(_url(event, rid, "details")))
    assert 'Email address <span class="optional">(optional)</span>' in page
    assert "They did not give one at the desk" in page
    response = client.post(
        _url(event, rid, "details"),
        data=_details_form(
            first_name="Grace",
            last_name="Hopper",
            email="",
            organisation="US Navy",
            job_title="",
            category="partner",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        registration = fresh(rid)
        assert (registration.organisation, registration.email, registration.job_title) == (
            "US Navy",
            "",
            "",
        )
        assert outbox() == queued  # no address: no email, even without "don't email them"


def test_a_walk_in_may_be_given_an_address_later(app, client, admin, make_event):
    event = make_event()
    with app.app_context():
        rid = _walk_in(event, admin)
    data = _details_form(first_name="Grace", last_name="Hopper", email="Grace@Example.org")
    assert client.post(_url(event, rid, "details"), data=data).status_code == 302
    with app.app_context():
        assert fresh(rid).email == "grace@example.org"
        assert outbox()[-1] == ("details_updated", "grace@example.org")


def test_anyone_elses_address_cannot_be_emptied_by_the_form(app, client, admin, make_event):
    event = make_event()
    with app.app_context():
        rid = booked(event)
    page = _html(client.get(_url(event, rid, "details")))
    assert "They did not give one at the desk" not in page
    before = snapshot(app)
    html = _html(client.post(_url(event, rid, "details"), data=_details_form(email="")))
    assert '<a href="#email">Enter their email address</a>' in html
    assert changed_tables(before, snapshot(app)) == []


@pytest.mark.parametrize("emptied", ["email", "job_title"])
def test_nor_by_the_service(app, make_event, emptied):
    """The form's check is not the only one: the service refuses to empty them too."""
    event = make_event()
    with app.app_context():
        rid = booked(event)
        details = Details(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.org",
            organisation="Northbridge Police",
            job_title="Inspector",
            category=AttendeeCategory.POLICE_OFFICER,
        )
        setattr(details, emptied, "")
        with pytest.raises(DetailNeeded) as refused:
            services.update_details(fresh(rid), details)
        assert refused.value.field == emptied
        assert (fresh(rid).email, fresh(rid).job_title) == ("ada@example.org", "Inspector")
