"""event_figures(): the same counts from live data and, after the purge, from the stored ones."""

import time_machine

from engage.events.models import Event
from engage.extensions import db
from engage.registrations import figures
from engage.registrations.figures import aggregate, aggregate_keys, event_figures
from engage.registrations.retention import purge
from tests.registrations.retention_world import ALL_GO, build


def test_figures_from_a_known_set_of_registrations_live_then_kept(app, make_event, make_user):
    world = build(app, make_event, make_user)
    w = str(world.workshop_id)
    expected = {
        "registrations": {"total": 4},
        "status": {"confirmed": 2, "waitlisted": 1, "cancelled": 1},
        "attendance": {"checked_in": 1, "no_show": 1},
        "category": {"police_officer": 2, "police_staff": 0, "academic": 0, "partner": 0},
        "organisation": {"Northbridge Police": 2},
        "workshop": {w: 1},
        "workshop_attended": {w: 0},
        "registered_on": {"2026-12-22": 4},
        "waiting_list": {"peak": 2},
    }
    with app.app_context():
        live = event_figures(db.session.get(Event, world.event_id))
        assert not live.kept and live.metrics == expected
        with time_machine.travel(ALL_GO, tick=False):
            purge()
        kept = event_figures(db.session.get(Event, world.event_id))
        assert kept.kept and kept.metrics == expected
        assert kept.get("attendance", "no_show") == 1 and kept.get("nothing") == 0


def test_another_feature_adds_a_figure_that_is_kept(app, make_event, make_user, monkeypatch):
    monkeypatch.setattr(figures, "_metrics", dict(figures._metrics))

    @aggregate("organisation_kind")
    def by_kind(event):
        return {"police_force": 2}

    assert "organisation_kind" in aggregate_keys()
    world = build(app, make_event, make_user)
    with app.app_context():
        with time_machine.travel(ALL_GO, tick=False):
            purge()
        kept = event_figures(db.session.get(Event, world.event_id))
        assert kept.metrics["organisation_kind"] == {"police_force": 2}
