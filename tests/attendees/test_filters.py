"""The attendee filter picks the same people on both databases, read from and written to URLs."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from engage.attendees.filters import AttendeeFilter
from engage.events.models import Event
from engage.extensions import db
from engage.registrations import services
from engage.registrations.models import Registration
from tests.registrations.conftest import book


def _emails(event_id: int, **args) -> list[str]:
    event = db.session.get(Event, event_id)
    chosen = AttendeeFilter.from_args(event, MultiDict(args))
    return [r.email for r in db.session.scalars(chosen.statement())]


def _event_with_people(app, workshop_event):
    event = workshop_event()
    with app.app_context():
        first, second = (w.id for w in db.session.get(Event, event.id).workshops[:2])
        travel, topics, parking = (q.id for q in db.session.get(Event, event.id).questions[1:])
        book(
            event,
            email="zoe@example.org",
            first_name="Zoë",
            last_name="Ørsted",
            organisation="Université de Lyon",
            workshop_ids=[first],
            answers={travel: "Train", topics: ["Data", "Leadership"], parking: "yes"},
            dietary_requirements="Halal",
            dietary_consent=True,
        )
        book(
            event,
            email="bob@example.org",
            first_name="Bob",
            last_name="Brown",
            organisation="Kent Police",
            workshop_ids=[second],
            answers={travel: "Car", topics: ["Well-being"]},
        )
        cancelled = book(
            event,
            email="cat@example.org",
            first_name="Cat",
            last_name="Adams",
            answers={travel: "Train"},
        )
        services.cancel(db.session.get(Registration, cancelled.registration.id))
    return event, (first, second), (travel, topics, parking)


def test_search_ignores_case_and_accents_across_name_email_and_organisation(app, workshop_event):
    event, _, _ = _event_with_people(app, workshop_event)
    with app.app_context():
        assert _emails(event.id, q="ZOE") == ["zoe@example.org"]
        assert _emails(event.id, q="orsted") == ["zoe@example.org"]
        assert _emails(event.id, q="universite de") == ["zoe@example.org"]
        assert _emails(event.id, q="kent") == ["bob@example.org"]
        assert _emails(event.id, q="%") == []  # a LIKE wildcard is searched for, not obeyed
        assert sorted(_emails(event.id, q="example.org")) == ["bob@example.org", "zoe@example.org"]


def test_status_workshop_needs_and_answers_filter(app, workshop_event):
    event, (_, second), (travel, topics, parking) = _event_with_people(app, workshop_event)
    with app.app_context():
        assert _emails(event.id, status="cancelled") == ["cat@example.org"]
        assert sorted(_emails(event.id, status="all")) == [
            "bob@example.org",
            "cat@example.org",
            "zoe@example.org",
        ]
        assert _emails(event.id, workshop=str(second)) == ["bob@example.org"]
        assert _emails(event.id, needs="1") == ["zoe@example.org"]
        assert _emails(event.id, **{f"a{travel}": "Train"}) == ["zoe@example.org"]
        assert _emails(event.id, status="all", **{f"a{travel}": "Train"}) == [
            "cat@example.org",
            "zoe@example.org",
        ]
        assert _emails(event.id, **{f"a{topics}": "Data"}) == ["zoe@example.org"]
        assert _emails(event.id, **{f"a{topics}": "Well-being"}) == ["bob@example.org"]
        assert _emails(event.id, **{f"a{parking}": "yes"}) == ["zoe@example.org"]


def test_unknown_values_fall_back_and_the_url_round_trips(app, workshop_event):
    event, (first, _), (travel, _, _) = _event_with_people(app, workshop_event)
    with app.app_context():
        loaded = db.session.get(Event, event.id)
        junk = AttendeeFilter.from_args(
            loaded,
            MultiDict({"status": "x", "workshop": "9x", "sort": "evil", f"a{travel}": "Bus"}),
        )
        assert junk.is_default and junk.to_args() == {}
        chosen = AttendeeFilter.from_args(
            loaded, MultiDict({"q": " Zoe ", "workshop": str(first), "sort": "-booked"})
        )
        assert chosen.to_args() == {"q": "Zoe", "workshop": str(first), "sort": "-booked"}
        assert AttendeeFilter.from_args(loaded, MultiDict(chosen.to_args())) == chosen


def test_pages_read_after_a_key_follow_each_order_without_gaps(app, workshop_event):
    """AttendeeFilter.after(): keyset pages give every row once, in the statement's order."""
    event, _, (travel, _, _) = _event_with_people(app, workshop_event)
    with app.app_context():
        for extra in ("amy", "ann", "ava"):  # the same last name and organisation: ties
            book(
                event,
                email=f"{extra}@example.org",
                first_name=extra.title(),
                last_name="Brown",
                organisation="Kent Police",
                answers={travel: "Car"},
            )
        loaded = db.session.get(Event, event.id)
        for sort in ("name", "organisation", "booked", "-booked"):
            chosen = AttendeeFilter.from_args(loaded, MultiDict({"sort": sort, "status": "all"}))
            expected = [r.email for r in db.session.scalars(chosen.statement())]
            seen, query = [], chosen.statement()
            while page := db.session.scalars(query.limit(2)).all():
                seen += [r.email for r in page]
                query = chosen.statement().where(chosen.after(chosen.sort_key(page[-1])))
            assert seen == expected, sort
            assert len(expected) == 6
