"""Forms of the organiser's attendee pages."""

from __future__ import annotations

import secrets

from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from engage.forms import EngageForm, NoControlCharacters, SingleLine, strip

SUBJECT_MAX = 200
BODY_MAX = 20_000


def new_message_key() -> str:
    """A random key for one message form: sending it twice finds the same mailing."""
    return secrets.token_urlsafe(18)


class MessageForm(EngageForm):
    """An email to the people a filter picks: subject, Markdown body, and what to do with it."""

    # Written into the page when it is first shown and posted back with every button.
    key = HiddenField(
        "Form key",
        [
            DataRequired("This form has expired: copy your message, then open the page again"),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="This form has expired: open it again"),
        ],
    )
    subject = StringField(
        "Subject",
        [
            DataRequired("Enter a subject"),
            Length(max=SUBJECT_MAX, message=f"Keep the subject to {SUBJECT_MAX} characters"),
            SingleLine(),
        ],
        filters=[strip],
    )
    body_md = TextAreaField(
        "Message",
        [
            DataRequired("Enter the message"),
            Length(max=BODY_MAX, message=f"Keep the message to {BODY_MAX:,} characters"),
            NoControlCharacters(),
        ],
        filters=[strip],
    )
    # In this order: pressing Enter in the subject previews, it never sends.
    preview = SubmitField("Preview")
    test = SubmitField("Send me a test")
    send = SubmitField("Send")
