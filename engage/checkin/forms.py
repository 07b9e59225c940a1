"""The desk's forms: the one box, the check-in buttons, and the walk-in's short form."""

from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from engage.addresses import Email
from engage.checkin.walk_ins import WalkIn
from engage.forms import EngageForm, SingleLine, strip
from engage.registrations.forms import category_field, one_line
from engage.registrations.models import AttendeeCategory

BOX_MAX = 300


class DeskForm(EngageForm):
    """The search box: a name, email or organisation to search, or a check-in code to check in."""

    q = StringField(
        "Name, email, organisation or check-in code",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=BOX_MAX, message=f"Type no more than {BOX_MAX} characters"),
            SingleLine("Type a name or scan a code, on one line"),
        ],
    )


class CheckInForm(EngageForm):
    """A Check in (or Undo) button; the second confirmations ride along as hidden fields."""

    anyway = BooleanField("Give them a place and check them in")
    over_capacity = BooleanField("They are here: check them in over capacity")
    from_record = BooleanField()  # the button is on the attendee's record: go back there
    # At a workshop room's door: book them on the workshop, and over its places.
    add_to_workshop = BooleanField("Book them on the workshop and let them in")
    over_places = BooleanField("They are here: let them in over its places")

    def confirmed(self) -> list[str]:
        """The second confirmations given so far, to carry on to the next button."""
        names = ("anyway", "over_capacity", "add_to_workshop", "over_places")
        return [name for name in names if self[name].data]


class WalkInForm(EngageForm):
    """Register someone who turned up: the short form, email optional."""

    first_name = one_line("First name", 100, "Enter their first name")
    last_name = one_line("Last name", 100, "Enter their last name")
    email = StringField(
        "Email address",
        description="Only if they want their confirmation by email.",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            SingleLine(),
            Email(),
        ],
    )
    organisation = one_line("Organisation", 200, "Enter their organisation")
    category = category_field(
        "Which of these describes them?", "Choose which of these describes them"
    )
    privacy = BooleanField(
        "They have been told how we use their data (privacy notice)",
        validators=[DataRequired(message="Confirm they have been told how we use their data")],
    )
    over_capacity = BooleanField("They are here: add them over capacity")

    def to_walk_in(self) -> WalkIn:
        """The answers as the service takes them."""
        return WalkIn(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.email.data or "",
            organisation=self.organisation.data,
            category=AttendeeCategory(self.category.data),
            privacy_accepted=bool(self.privacy.data),
        )
