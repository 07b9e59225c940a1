"""Times are shown in the event's zone, named, the way people read them."""

import datetime as dt

from engage import timefmt
from tests.conftest import london


def test_winter_and_summer_times_in_london(app):
    with app.app_context():
        winter = london(2027, 1, 21, 9, 30)
        assert winter.hour == 9  # GMT
        assert timefmt.date_and_time(winter) == "Thursday 21 January 2027, 9:30am (UK time)"
        summer = dt.datetime(2027, 7, 1, 8, 0, tzinfo=dt.UTC)  # 9am BST
        assert timefmt.date_and_time(summer) == "Thursday 1 July 2027, 9am (UK time)"


def test_span_on_one_day_names_the_day_once(app):
    with app.app_context():
        text = timefmt.span(london(2027, 1, 21, 9, 30), london(2027, 1, 21, 16, 30))
        assert text == "Thursday 21 January 2027, 9:30am to 4:30pm (UK time)"


def test_span_over_two_days(app):
    with app.app_context():
        text = timefmt.span(london(2027, 1, 21, 18), london(2027, 1, 22, 12))
        assert text == ("Thursday 21 January 2027, 6pm to Friday 22 January 2027, midday (UK time)")


def test_other_zones_are_named(app):
    with app.app_context():
        start = dt.datetime(2027, 1, 21, 14, 0, tzinfo=dt.UTC)
        assert timefmt.date_and_time(start, "America/New_York") == (
            "Thursday 21 January 2027, 9am (America/New York)"
        )


def test_iso_is_utc():
    assert timefmt.iso(london(2027, 7, 1, 9)) == "2027-07-01T08:00:00Z"
