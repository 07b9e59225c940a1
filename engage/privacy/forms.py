"""The privacy pages' forms: an address to look up, a download, an erasure."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from engage.addresses import MAX_LENGTH, InvalidEmail, normalise_email
from engage.forms import EngageForm, NoControlCharacters, SingleLine, strip
from engage.registrations.consents import WORDING_MAX

JSON = "json"
CSV = "csv"


def _address(form, field) -> None:
    try:
        # Any address that could have been stored, so SMTPUTF8 ones are found too.
        field.data = normalise_email(field.data or "", smtputf8=True)
    except InvalidEmail as error:
        raise ValidationError(str(error)) from error


class LookupForm(EngageForm):
    """The email address of the person asking."""

    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired("Enter the email address of the person asking"),
            Length(max=MAX_LENGTH, message="Email address must be 254 characters or fewer"),
            SingleLine(),
            _address,
        ],
        description="We look for it, in any case, in everything Engage holds.",
    )


class DownloadForm(LookupForm):
    """A download of everything held about the address, as JSON or CSV."""

    format = HiddenField(validators=[AnyOf([JSON, CSV], message="Choose JSON or CSV")])


class EraseForm(LookupForm):
    """Erasure of everything held about the address; `confirm` says the admin has seen what goes."""

    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        """Whether this is the confirmation page's own button."""
        return self.confirm.data == "yes"


class WordingForm(EngageForm):
    """A new version of a consent wording (or of the notice's opening words)."""

    text = TextAreaField(
        "Wording",
        filters=[strip],
        validators=[
            DataRequired("Enter the wording"),
            Length(max=WORDING_MAX, message=f"Wording must be {WORDING_MAX} characters or fewer"),
            NoControlCharacters(),
        ],
        description=(
            "Saving publishes a new version at once. Everyone who agreed to an earlier "
            "version stays recorded against the words they read."
        ),
    )

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def validate_text(self, field) -> None:
        """A version the same as the current one would say nothing new."""
        if field.data == self.current:
            raise ValidationError("Change the wording to publish a new version")
