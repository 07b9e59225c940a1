"""The back-office form for an event's resources."""

from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from engage.events.models import Event, EventResource
from engage.events.resources import URL_MAX, web_address_problem
from engage.forms import EngageForm, NoControlCharacters, SingleLine, options, strip
from engage.timefmt import clock_time

WHOLE_EVENT = ""


class ResourceForm(EngageForm):
    """A link to share: title, web address, a few words, and what it belongs to."""

    title = StringField(
        "Title", [DataRequired("Enter a title"), Length(max=200), SingleLine()], filters=[strip]
    )
    url = StringField(
        "Web address",
        [
            DataRequired("Enter the web address of the resource"),
            Length(max=URL_MAX, message=f"The web address must be {URL_MAX} characters or fewer"),
        ],
        filters=[strip],
    )
    description = TextAreaField(
        "Description", [Length(max=500), NoControlCharacters()], filters=[strip]
    )
    session_id = SelectField("Belongs to", default=WHOLE_EVENT, validate_choice=True)
    save = SubmitField("Save resource")

    def validate_url(self, field):
        """Only http and https links (the rule lives in engage.events.resources)."""
        if field.data and (problem := web_address_problem(field.data)):
            raise ValidationError(problem)

    def fields(self) -> dict:
        """What the service takes, from what was typed."""
        return {
            "title": self.title.data,
            "url": self.url.data,
            "description": self.description.data or "",
            "session_id": int(self.session_id.data) if self.session_id.data else None,
        }


def resource_form(event: Event, resource: EventResource | None = None) -> ResourceForm:
    """The form, with the event's sessions to choose from (and a resource's values to edit)."""
    data = None
    if resource is not None:
        data = {
            "title": resource.title,
            "url": resource.url,
            "description": resource.description,
            "session_id": str(resource.session_id or WHOLE_EVENT),
        }
    form = ResourceForm(data=data)
    form.session_id.flags.required = True  # it always has an answer: "(optional)" would mislead
    tz = event.timezone
    form.session_id.choices = options(
        [(WHOLE_EVENT, "The whole event")]
        + [(str(s.id), f"{s.title} ({clock_time(s.starts_at, tz)})") for s in event.sessions]
    )
    return form
