"""Fixtures for the organiser's attendee pages: the registration fixtures, shared."""

from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
from tests.registrations.conftest import workshop_event  # noqa: F401 - shared fixture
