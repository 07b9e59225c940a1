"""The organisation question: a choice from the curated list, or Other and a typed name.

Used by the public registration form and the organiser's forms alike. The list
is the admins' (engage.organisations), never what earlier attendees typed.
"""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from engage.forms import FieldError, SingleLine, strip
from engage.organisations.models import KIND_LABELS
from engage.organisations.services import OTHER, offered, resolve
from engage.pagecache import remembered

ORGANISATION_MAX = 200
PLACEHOLDER = "Choose an organisation"
LIST_TABLES = frozenset({"organisations"})
OTHER_LABEL = "Other (not in the list)"


def organisation_choice_field(label: str = "Organisation"):
    """The <select> of listed organisations, grouped by kind, ending with Other."""
    # Checked by OrganisationChoice.validate_organisation_choice through the service.
    return SelectField(label, choices=[], validate_choice=False)


def other_organisation_field(label: str = "Your organisation"):
    """The free-text name, used only when Other is chosen."""
    return StringField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(
                max=ORGANISATION_MAX,
                message=f"{label} must be {ORGANISATION_MAX} characters or fewer",
            ),
            SingleLine(),
        ],
    )


def organisation_options(current: int | None = None) -> list[SelectChoice]:
    """The select's options: a prompt, each active entry under its kind, then Other.

    Every booking builds them, and only admins change the list: they are kept
    for at most a second per process, and at once forgotten by a write here.
    """
    return remembered(
        ("organisation-options", current), lambda: _options(current), tables=LIST_TABLES
    )


def _options(current: int | None) -> list[SelectChoice]:
    options = [SelectChoice("", PLACEHOLDER)]
    options += [
        SelectChoice(str(o.id), o.name, optgroup=KIND_LABELS[o.kind]) for o in offered(current)
    ]
    options.append(SelectChoice(OTHER, OTHER_LABEL))
    return options


class OrganisationChoice:
    """A form mixin: `organisation_choice` and `organisation`, resolved by the list's rules.

    After validation `chosen_organisation` holds (entry id or None for Other, name shown).
    `keep_organisation` is an entry that stays acceptable though retired (the one a
    registration being corrected names already).
    """

    keep_organisation: int | None = None
    chosen_organisation: tuple[int | None, str] = (None, "")

    def offer_organisations(self, current: int | None = None) -> None:
        """Fill the select from the list; `current` is offered even if it has been retired."""
        self.keep_organisation = current
        self.organisation_choice.choices = organisation_options(current)

    def validate_organisation_choice(self, field) -> None:
        """A listed entry, or Other with a name typed (the service's rule)."""
        try:
            self.chosen_organisation = resolve(
                field.data or "", self.organisation.data or "", also=self.keep_organisation
            )
        except FieldError as error:
            raise ValidationError(error.message) from error
