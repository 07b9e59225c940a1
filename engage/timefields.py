"""Times typed in UK time and stored as aware UTC; the rule that an end follows its start."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from wtforms import Field
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import DateTimeLocalInput

from engage.forms import FieldError

INPUT_FORMAT = "%Y-%m-%dT%H:%M"
# Browsers without a datetime-local picker show a text box; accept a space, or a UK date.
ACCEPTED_FORMATS = (INPUT_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
# The browser shows the date in its own language's order (21/01/2027, 01/21/2027,
# 2027-01-21...): a hint never names a format the person may not see.
HINT = "UK time. Use the date picker, or type the date and then the time."
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class LocalDateTimeField(Field):
    """A date and time entered in a named zone (UK time by default); `data` is aware UTC.

    A wall-clock time the clocks skip in spring is refused; one they pass twice
    in autumn is read as the first (summer time) of the two.
    """

    widget = DateTimeLocalInput()

    def __init__(self, label=None, validators=None, zone: str = "Europe/London", **kwargs):
        kwargs.setdefault("description", HINT)
        super().__init__(label, validators, **kwargs)
        self.zone = ZoneInfo(zone)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0][:40]
        if self.data:
            return self.data.astimezone(self.zone).strftime(INPUT_FORMAT)
        return ""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        wall = _parse(text)
        if wall is None:
            raise ValueError(f"{self.label.text} must be a real date and time")
        if not EARLIEST_YEAR <= wall.year <= LATEST_YEAR:
            raise ValueError(f"{self.label.text} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        self.data = to_utc(wall, self.zone)
        if self.data is None:
            raise ValueError(
                f"{self.label.text} falls in the hour the clocks go forward; choose another time"
            )


def _parse(text: str) -> dt.datetime | None:
    if len(text) > 20:
        return None
    for fmt in ACCEPTED_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def to_utc(wall: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """A naive wall-clock time in `zone` as aware UTC; None if the clocks skip it."""
    aware = wall.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return utc


class Required:
    """Refuse a missing value, keeping any message about a malformed one."""

    def __init__(self, message: str):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class EndsBeforeStart(FieldError):
    """The end is not after the start."""

    field = "ends_at"


def check_ends_after_start(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """Raise EndsBeforeStart unless the end comes after the start."""
    if ends_at <= starts_at:
        raise EndsBeforeStart("The end must be after the start")


class EndsAfterStart:
    """A form validator for an `ends_at` field: check_ends_after_start against `starts_at`."""

    def __call__(self, form, field) -> None:
        if field.data and form.starts_at.data:
            try:
                check_ends_after_start(form.starts_at.data, field.data)
            except EndsBeforeStart as error:
                raise ValidationError(str(error)) from error
