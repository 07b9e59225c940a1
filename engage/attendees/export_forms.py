"""The export forms: which columns, which format; and the venue lists' format."""

from __future__ import annotations

from wtforms import BooleanField, RadioField
from wtforms.validators import InputRequired

from engage.attendees.export_data import ACCESS, DEFAULT_COLUMNS, DIETARY, Column
from engage.attendees.exports import FORMATS
from engage.forms import EngageForm, options
from engage.registrations.forms import MultiCheckbox

FORMAT_CHOICES = options(FORMATS.items())
NO_COLUMNS = "Choose at least one column to export"


class ExportForm(EngageForm):
    """The attendee export: columns ticked, requirements apart, and the file format."""

    columns = MultiCheckbox("Columns")
    dietary = BooleanField("Dietary requirements")
    access = BooleanField("Access requirements")
    file_format = RadioField(
        "Format",
        choices=FORMAT_CHOICES,
        default="csv",
        validators=[InputRequired("Choose CSV or Excel")],
    )

    def __init__(self, columns: list[Column], **kwargs):
        super().__init__(**kwargs)
        self.columns.choices = [(c.key, c.label) for c in columns if c.key not in (DIETARY, ACCESS)]
        self.columns.flags.required = True  # at least one, checked in validate()
        if not self.is_submitted():
            self.columns.data = list(DEFAULT_COLUMNS)

    def validate(self, extra_validators=None) -> bool:
        """The fields' checks, and at least one column chosen."""
        valid = super().validate(extra_validators)
        if valid and not self.keys():
            self.columns.errors = [NO_COLUMNS]
            valid = False
        return valid

    def keys(self) -> list[str]:
        """The column keys chosen, requirements included when ticked."""
        ticked = ((DIETARY, self.dietary), (ACCESS, self.access))
        return list(self.columns.data or []) + [key for key, field in ticked if field.data]


class VenueListForm(EngageForm):
    """The format of a ready-made venue list (the buttons carry it)."""

    file_format = RadioField("Format", choices=FORMAT_CHOICES, validators=[InputRequired()])
