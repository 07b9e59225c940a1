"""The demo content loads, and loading it again changes nothing."""

from engage.events.models import Event
from engage.extensions import db
from engage.news.models import NewsItem
from engage.organisations.models import Organisation
from engage.registrations.models import Registration


def test_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["engage", "demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = (db.session.query(Event).count(), db.session.query(NewsItem).count())
    second = runner.invoke(args=["engage", "demo"])
    assert "0 new items" in second.output
    with app.app_context():
        assert (db.session.query(Event).count(), db.session.query(NewsItem).count()) == counts


def test_demo_has_the_engagement_days(app, runner, client):
    runner.invoke(args=["engage", "demo"])
    past = client.get("/events/cprl-engagement-day-2026").get_data(as_text=True)
    assert "What does the next decade of evidence-based policing look like?" in past
    assert "Wednesday 21 January 2026" in past
    upcoming = client.get("/events/cprl-engagement-day-2027").get_data(as_text=True)
    for workshop in (
        "Learning from success and failure",
        "Well-being and psychological safety",
        "Leadership",
        "Evidence-based practice",
        "Innovation",
    ):
        assert workshop in upcoming
    announcement = client.get("/news/engagement-day-2026-announced").get_data(as_text=True)
    assert "27 October 2025" in announcement
    assert client.get("/news/draft-annual-report").status_code == 404


def test_demo_attendees_chose_from_the_list_mostly_and_some_typed_other(app, runner):
    runner.invoke(args=["engage", "demo"])
    with app.app_context():
        rows = db.session.execute(
            db.select(Registration.organisation, Registration.organisation_id)
            .join(Event)
            .where(Event.slug == "cprl-engagement-day-2026")
        ).all()
        assert db.session.query(Organisation).count() > 190  # the shipped list
    listed = [name for name, organisation_id in rows if organisation_id is not None]
    other = [name for name, organisation_id in rows if organisation_id is None]
    assert len(listed) > len(other) > 0
    assert "West Yorkshire Police" in listed and "Victim Support (Northbridge)" in other
    runner.invoke(args=["engage", "demo"])
    with app.app_context():
        assert db.session.query(Registration).count() == len(rows)  # nobody twice


def test_the_demo_keeps_last_years_attendees_past_the_usual_retention(app, runner):
    # `make run` purges at once on start: with the usual 180 days, the 2026 day (long over
    # by this session's date) would show no attendees to a newcomer.
    import datetime as dt

    from engage.registrations import retention

    runner.invoke(args=["engage", "demo"])
    a_year_on = dt.datetime(2027, 11, 27, 12, tzinfo=dt.UTC)
    with app.app_context():
        retention.purge(now=a_year_on)
        past = db.session.scalar(db.select(Event).filter_by(slug="cprl-engagement-day-2026"))
        assert past.data_purged_at is None
        assert db.session.query(Registration).filter_by(event_id=past.id).count() == 11
