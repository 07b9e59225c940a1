"""Email addresses as Engage stores them: checked by email-validator, normalised, lower case.

One rule for attendees and staff alike, read by the forms and the services.
An address is stored in the form the relay can send to: an internationalised
domain in its ASCII (punycode) form; a local part with accents or non-Latin
letters only when the relay speaks SMTPUTF8 (the MAIL_SMTPUTF8 setting).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from wtforms.validators import ValidationError

from engage.forms import FieldError

MAX_LENGTH = 254


class InvalidEmail(FieldError):
    """Not an email address."""

    field = "email"


class UnsendableEmail(InvalidEmail):
    """An address we could not send to: non-ASCII before the @, and no SMTPUTF8 relay."""

    message = (
        "We cannot send email to addresses with accents or non-Latin letters yet. "
        "Please use another address."
    )


def _smtputf8() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SMTPUTF8"))


def normalise_email(text: str, *, smtputf8: bool | None = None) -> str:
    """The address in its stored form (syntax checked, no DNS look-up).

    InvalidEmail if it is not an address; UnsendableEmail if its local part is
    not ASCII and the relay cannot send that (`smtputf8`, by default the
    MAIL_SMTPUTF8 setting).
    """
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(
            "Enter an email address in the correct format, like name@example.org"
        ) from error
    if smtputf8 is None:
        smtputf8 = _smtputf8()
    if checked.ascii_local_part is None and not smtputf8:
        raise UnsendableEmail()
    # The domain as it goes over SMTP: punycode for an internationalised one,
    # so that one domain typed two ways is one address.
    return f"{checked.local_part}@{checked.ascii_domain}".lower()


def lookup_key(text: str) -> str:
    """What to look a typed address up by: its stored form, or as typed if it is not valid."""
    try:
        return normalise_email(text)
    except InvalidEmail:
        return text.strip().lower()


class Email:
    """A form validator: refuse a malformed or unsendable address and keep the normalised one."""

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = normalise_email(field.data)
        except InvalidEmail as error:
            raise ValidationError(str(error)) from error
