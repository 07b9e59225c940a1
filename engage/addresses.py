"""Email addresses as Engage stores them: checked by email-validator, normalised, lower case.

One rule for attendees and staff alike, read by the forms and the services.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

from engage.forms import FieldError

MAX_LENGTH = 254


class InvalidEmail(FieldError):
    """Not an email address."""

    field = "email"


def normalise_email(text: str) -> str:
    """The address in its stored form (syntax checked, no DNS look-up); InvalidEmail if not one."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(
            "Enter an email address in the correct format, like name@example.org"
        ) from error
    return checked.normalized.lower()


def lookup_key(text: str) -> str:
    """What to look a typed address up by: its stored form, or as typed if it is not valid."""
    try:
        return normalise_email(text)
    except InvalidEmail:
        return text.strip().lower()


class Email:
    """A form validator: refuse a malformed address and keep the normalised one."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_email(field.data)
        except InvalidEmail as error:
            raise ValidationError(str(error)) from error
