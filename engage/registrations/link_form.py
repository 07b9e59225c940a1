"""The "email me my link again" form."""

from __future__ import annotations

from engage.forms import EngageForm
from engage.registrations.forms import email_field


class LinkAgainForm(EngageForm):
    """One email address, the one a booking was made with."""

    email = email_field("Enter the email address you registered with")
