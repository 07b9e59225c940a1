"""The privacy pages' forms: an address to look up, a download, an erasure."""

from __future__ import annotations

from wtforms import EmailField, HiddenField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from engage.addresses import MAX_LENGTH, InvalidEmail, normalise_email
from engage.forms import EngageForm, SingleLine, strip

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
