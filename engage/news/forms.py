"""The back-office form for writing a news item."""

from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from engage.forms import EngageForm, NoControlCharacters, SingleLine, option_values, strip
from engage.slugs import SLUG_MAX, slug_filter
from engage.timefields import LocalDateTimeField


def _event_id(value):
    # The select posts "" for "no event"; anything else must be a listed id.
    if value is None or isinstance(value, int):
        return value
    if value == "":
        return None
    # Junk becomes an id no event has, so the validator names the problem.
    return int(value) if value.isdigit() and len(value) < 10 else -1


class NewsForm(EngageForm):
    """A news item, with one button per thing the editor may want to do."""

    title = StringField(
        "Title", [DataRequired("Enter a title"), Length(max=200), SingleLine()], filters=[strip]
    )
    slug = StringField(
        "Web address name",
        [Optional(), Length(max=SLUG_MAX)],
        filters=[slug_filter],
        description="Used in the item's web address. Leave blank to make one from the title.",
    )
    summary = TextAreaField(
        "Summary",
        [Length(max=500), NoControlCharacters()],
        filters=[strip],
        description="One or two sentences for lists and the news feed.",
    )
    body_md = TextAreaField(
        "Text",
        [Length(max=50_000), NoControlCharacters()],
        description="Markdown: **bold**, *italic*, [links](https://example.org), lists.",
    )
    event_id = SelectField("Related event", coerce=_event_id, validate_choice=False)
    publish_at = LocalDateTimeField(
        "Publish at", [Optional()], description="UK time. Only for “Schedule”."
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save as draft")
    publish = SubmitField("Publish now")
    schedule = SubmitField("Schedule")

    def validate_event_id(self, field):
        """Only an event offered in the list may be linked."""
        if field.data is not None and field.data not in option_values(field.choices):
            raise ValidationError("Choose an event from the list")

    def validate(self, extra_validators=None) -> bool:
        """Check every field; scheduling also needs a time."""
        valid = super().validate(extra_validators)
        if self.schedule.data and self.publish_at.data is None and not self.publish_at.errors:
            self.publish_at.errors.append("Enter the date and time to publish at")
            return False
        return valid

    def action(self) -> str:
        """Which button was pressed: preview, save, publish or schedule."""
        for name in ("preview", "publish", "schedule"):
            if self[name].data:
                return name
        return "save"


NEWS_FIELDS = ("title", "slug", "summary", "body_md", "event_id")
