"""Dates and times as people read them: 'Thursday 21 January 2027, 9:30am (UK time)'."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

UK_ZONE = "Europe/London"


def zone(name: str | None = None) -> ZoneInfo:
    """The named zone, or the site's display zone."""
    return ZoneInfo(name or current_app.config.get("DISPLAY_TIMEZONE", UK_ZONE))


def zone_label(name: str | None = None) -> str:
    """How the zone is named beside a time."""
    name = name or current_app.config.get("DISPLAY_TIMEZONE", UK_ZONE)
    return "UK time" if name == UK_ZONE else name.replace("_", " ")


def local(value: dt.datetime, tz: str | None = None) -> dt.datetime:
    """An aware datetime moved into the display zone."""
    return value.astimezone(zone(tz))


def _clock(value: dt.datetime) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    if value.hour == 12:
        return "midday"
    return f"{hour}{suffix}"


def _day(value: dt.datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def long_date(value: dt.datetime, tz: str | None = None) -> str:
    """'Thursday 21 January 2027'."""
    return _day(local(value, tz))


def short_date(value: dt.datetime, tz: str | None = None) -> str:
    """'21 January 2027'."""
    value = local(value, tz)
    return f"{value.day} {value:%B %Y}"


def clock_time(value: dt.datetime, tz: str | None = None) -> str:
    """'9:30am'."""
    return _clock(local(value, tz))


def date_and_time(value: dt.datetime, tz: str | None = None) -> str:
    """'Thursday 21 January 2027, 9:30am (UK time)'."""
    value_local = local(value, tz)
    return f"{_day(value_local)}, {_clock(value_local)} ({zone_label(tz)})"


def span(start: dt.datetime, end: dt.datetime, tz: str | None = None) -> str:
    """A start and end, naming the day once when both fall on it."""
    start_local, end_local = local(start, tz), local(end, tz)
    if start_local.date() == end_local.date():
        return (
            f"{_day(start_local)}, {_clock(start_local)} to {_clock(end_local)} ({zone_label(tz)})"
        )
    return (
        f"{_day(start_local)}, {_clock(start_local)} to "
        f"{_day(end_local)}, {_clock(end_local)} ({zone_label(tz)})"
    )


def iso(value: dt.datetime) -> str:
    """Machine-readable time for <time datetime="...">."""
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def register(app) -> None:
    """Make the formats available as Jinja filters."""
    app.jinja_env.filters.update(
        date=long_date,
        short_date=short_date,
        time=clock_time,
        datetime=date_and_time,
        iso=iso,
    )
    app.jinja_env.globals.update(time_span=span, zone_label=zone_label)
