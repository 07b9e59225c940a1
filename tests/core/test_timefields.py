"""Times typed in UK time become the right UTC instant, around both clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from engage.timefields import to_utc

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        (dt.datetime(2027, 1, 21, 9, 30), dt.datetime(2027, 1, 21, 9, 30)),  # GMT
        (dt.datetime(2027, 7, 1, 9, 30), dt.datetime(2027, 7, 1, 8, 30)),  # BST
        (dt.datetime(2027, 3, 28, 0, 59), dt.datetime(2027, 3, 28, 0, 59)),  # just before
        (dt.datetime(2027, 3, 28, 2, 0), dt.datetime(2027, 3, 28, 1, 0)),  # just after
        # 1:30am happens twice on 31 October 2027: the first (summer time) is meant.
        (dt.datetime(2027, 10, 31, 1, 30), dt.datetime(2027, 10, 31, 0, 30)),
    ],
)
def test_wall_clock_to_utc(wall, utc):
    assert to_utc(wall, LONDON) == utc.replace(tzinfo=dt.UTC)


def test_time_the_clocks_skip_is_none():
    assert to_utc(dt.datetime(2027, 3, 28, 1, 30), LONDON) is None
