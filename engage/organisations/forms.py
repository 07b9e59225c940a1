"""The admin's forms for the list: one entry's name and kind, and the search box."""

from __future__ import annotations

from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from engage.forms import EngageForm, SingleLine, strip
from engage.organisations.models import KIND_LABELS, NAME_MAX

KIND_NAMES = {
    "police_force": "Police force",
    "university": "University",
    "other_public": "Other public body",
    "charity": "Charity",
    "company": "Company",
    "other": "Other",
}


class OrganisationForm(EngageForm):
    """Add or rename an entry: its name as people should see it, and its kind."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the organisation's name"),
            Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer"),
            SingleLine(),
        ],
    )
    kind = RadioField(
        "What kind of organisation is it?",
        choices=[SelectChoice(kind.value, KIND_NAMES[kind.value]) for kind in KIND_LABELS],
        validators=[InputRequired(message="Choose what kind of organisation it is")],
        validate_choice=True,
    )


class SearchForm(EngageForm):
    """The list's search box (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search the list",
        filters=[strip],
        validators=[Optional(), Length(max=200, message="Search for 200 characters or fewer")],
    )
