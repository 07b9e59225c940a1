"""Fixtures for the journeys: the mail fixtures, shared."""

from tests.mail.conftest import mail_app, smtp_server  # noqa: F401 - shared fixtures
