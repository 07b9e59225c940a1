"""Whatever is typed into the event builder, the answer is a page or a redirect, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.events.models import Event
from engage.extensions import db

FIELDS = (
    "title",
    "slug",
    "summary",
    "description_md",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "max_workshops",
    "reminder_offsets_hours",
    "retention_days",
    "needs_retention_days",
    "online_join_details",
)
junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", " ", "\x00", "-1", "0", "2027-02-30T09:00", "9999-12-31T23:59", "99999999999999", "7d,,"]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({}, optional={name: junk for name in FIELDS}))
def test_event_form_never_errors(app, client, login_as, organiser, event_form, data):
    login_as(client, organiser)
    response = client.post("/admin/events/new", data=event_form(**data))
    assert response.status_code in (200, 302)
    with app.app_context():
        for event in db.session.scalars(db.select(Event)):
            assert event.ends_at > event.starts_at
