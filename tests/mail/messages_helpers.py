"""Reading what arrived: text and HTML parts, calendar files, QR codes, self-service links."""

from __future__ import annotations

import re
from email.message import EmailMessage

from icalendar import Calendar

LINK = re.compile(r"https?://\S+?(/registrations/[A-Za-z0-9_-]+)")


def text(message: EmailMessage) -> str:
    """The plain-text part, with plain line ends."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message: EmailMessage) -> str:
    """The HTML part."""
    return message.get_body(preferencelist=("html",)).get_content()


def attachments(message: EmailMessage) -> dict[str, EmailMessage]:
    """Attachments by file name."""
    return {part.get_filename(): part for part in message.iter_attachments()}


def calendar(message: EmailMessage, filename: str = "invite.ics") -> Calendar:
    """The attached calendar file, parsed back with icalendar."""
    return Calendar.from_ical(attachments(message)[filename].get_payload(decode=True))


def vevent(message: EmailMessage, filename: str = "invite.ics"):
    """The one VEVENT of the attached calendar file."""
    [item] = calendar(message, filename).walk("VEVENT")
    return item


def manage_path(message: EmailMessage) -> str:
    """The self-service link's path, from the text part (the HTML part has the same)."""
    path = LINK.search(text(message)).group(1)
    assert path in html(message)
    return path


def by_recipient(server) -> dict[str, list[EmailMessage]]:
    """Everything the SMTP server accepted, by recipient, in order."""
    found: dict[str, list[EmailMessage]] = {}
    for received in server.received:
        found.setdefault(received.rcpt_tos[0], []).append(received.message)
    return found
