"""Logs never hold the secret in a link: request lines are written with it blanked out.

The development server (werkzeug) and gunicorn's access log, when it is turned
on, write each request's path. Self-service, password-reset and invitation
links, and the check-in QR code's link, carry their secret in the path; this
filter replaces that part with "[secret]" before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

SECRET_PATHS = re.compile(r"(/(?:registrations|account/reset|account/invitation|c)/)[^/\s?\"']+")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    """The text with every link's secret blanked out."""
    return SECRET_PATHS.sub(r"\1[secret]", text)


class RedactLinks(logging.Filter):
    """A logging filter that blanks the secrets out of a record's formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, its message rewritten without secrets."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Put the filter on the loggers that write request lines (once per process)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinks) for f in logger.filters):
            logger.addFilter(RedactLinks())
