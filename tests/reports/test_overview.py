"""Reach across events: totals, distinct organisations, returning people, years, who sees what."""

from __future__ import annotations

import time_machine
from sqlalchemy import insert

from engage.accounts.models import Role
from engage.events.models import Event, event_organisers
from engage.extensions import db
from engage.registrations.retention import purge
from engage.reports.overview import overview
from tests.conftest import london
from tests.feedback.conftest import people
from tests.reports.conftest import PURGED, build_known

NOW = london(2027, 6, 1)


def _world(app, survey_event, make_event):
    """Two known events in 2027 (the same eight addresses) and a small one in 2026."""
    first = build_known(app, survey_event)
    second = build_known(
        app,
        survey_event,
        starts_at=london(2027, 3, 4, 9),
        ends_at=london(2027, 3, 4, 17),
    )
    old = make_event(starts_at=london(2026, 6, 1, 9), ends_at=london(2026, 6, 1, 17))
    # Known at the first events too, by another spelling of the organisation.
    people(app, old, 1, start=50, organisation="northbridge  police", checked_in=True)
    people(app, old, 1, start=51, organisation="Southshire Constabulary")
    make_event(starts_at=london(2027, 9, 1, 9))  # not held yet: left out
    return first, second, old


def _overview(app, user_id, year=None, now=NOW):
    from engage.accounts.models import User

    with app.app_context():
        return overview(db.session.get(User, user_id), year, now=now)


def test_across_every_event_and_by_year(app, survey_event, make_event, make_user):
    _world(app, survey_event, make_event)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    every = _overview(app, admin.id)
    assert every.years == [2026, 2027]
    assert every.per_year == [(2026, 1, 1), (2027, 2, 6)]
    assert len(every.rows) == 3
    assert (every.confirmed, every.checked_in) == (14, 7)
    assert every.organisations == 3  # Northbridge (two spellings), Leeds, Southshire
    # The six confirmed addresses of the two 2027 events; person0 and person1 of
    # the old event are confirmed there too, but as person50 and person51.
    assert every.returning == 6
    assert every.average == 4.0
    assert every.purged == 0

    year = _overview(app, admin.id, 2026)
    assert [row.year for row in year.rows] == [2026]
    assert (year.confirmed, year.checked_in, year.organisations) == (2, 1, 2)
    assert year.returning == 0 and year.average is None


def test_returning_people_cannot_be_known_after_a_purge(app, survey_event, make_event, make_user):
    first, _, _ = _world(app, survey_event, make_event)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        db.session.get(Event, first.event_id).retention_days = 30
        db.session.commit()
    with app.app_context(), time_machine.travel(london(2027, 3, 1), tick=False):
        purge()
    found = _overview(app, admin.id)
    assert found.purged == 2  # the first 2027 event and the 2026 one
    assert found.returning == 0  # only the second event is still held
    # The counts are still all there.
    assert (found.confirmed, found.checked_in, found.organisations) == (14, 7, 3)
    with app.app_context(), time_machine.travel(PURGED, tick=False):
        purge()
    assert _overview(app, admin.id).returning is None


def test_organisers_see_only_their_own_events(app, survey_event, make_event, make_user):
    first, _, _ = _world(app, survey_event, make_event)
    organiser = make_user("own@example.org")
    with app.app_context():
        db.session.execute(
            insert(event_organisers), [{"event_id": first.event_id, "user_id": organiser.id}]
        )
        db.session.commit()
    found = _overview(app, organiser.id)
    assert [row.event.id for row in found.rows] == [first.event_id]
    assert found.returning == 0 and found.confirmed == 6
    assert _overview(app, make_user("other@example.org").id).rows == []


def test_the_page_filters_by_year(app, client, survey_event, make_event, make_user, login_as):
    _world(app, survey_event, make_event)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with time_machine.travel(NOW, tick=False):
        login_as(client, admin)
        every = client.get("/admin/reports").get_data(as_text=True)
        year = client.get("/admin/reports?year=2026").get_data(as_text=True)
        nonsense = client.get("/admin/reports?year=<b>").get_data(as_text=True)
    assert every.count("<svg") == 2 and every.count('class="chart__table"') == 2
    assert "<dt>Events held</dt><dd>3</dd>" in every
    assert "<dt>Returning attendees</dt><dd>6 (" in every and "cannot be known" not in every
    assert "<dt>Events held</dt><dd>1</dd>" in year
    assert '<option value="2026" selected>' in year
    assert "<h1>Reports: 2026</h1>" in year
    assert "<dt>Events held</dt><dd>3</dd>" in nonsense


def test_the_page_says_returning_people_are_unknown_after_the_purge(
    app, client, survey_event, make_event, make_user, login_as
):
    _world(app, survey_event, make_event)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with app.app_context(), time_machine.travel(PURGED, tick=False):
        purge()
    with time_machine.travel(PURGED, tick=False):
        login_as(client, admin)
        page = client.get("/admin/reports").get_data(as_text=True)
    assert "<dt>Returning attendees</dt><dd>Not known." in page
    assert "The attendees of 4 events were deleted" in page
