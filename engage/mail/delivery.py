"""Turning outbox rows into emails and handing them to the SMTP server."""

from __future__ import annotations

import base64
import binascii
import functools
import re
import smtplib
import time
from dataclasses import dataclass
from email import headerregistry, policy
from email.utils import formatdate, parseaddr

import flask_mail
from flask import current_app

from engage.mail import mime
from engage.mail.models import OutboxMessage
from engage.mail.qrcode import qr_png

# One addr-spec: no spaces, no control characters, nothing that could start
# a second address or a new header line.
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\\\"\x00-\x1f\x7f]+@[^\s@<>()\[\],;:\\\"\x00-\x1f\x7f]+")
_MIME_WORD = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"
# type/subtype with optional token parameters, e.g. "text/calendar; method=REQUEST".
_MIME_TYPE = re.compile(rf"{_MIME_WORD}/{_MIME_WORD}(?:; ?{_MIME_WORD}={_MIME_WORD})*")
_CONTENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsendableMessage(Exception):
    """The row cannot be turned into an email; sending it again will not help."""


class HeaderClasses(headerregistry.HeaderRegistry):
    """The standard library's header classes, each made once instead of for every header.

    HeaderRegistry builds a new class each time a header is written (about a
    quarter of the time to serialise a reminder); the classes hold no state,
    so one per header name serves every message, and the bytes are the same.
    """

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_HEADERS = HeaderClasses()
# What Flask-Mail serialises with (policy.SMTP, or SMTPUTF8), with the header classes kept.
SMTP = policy.SMTP.clone(header_factory=_HEADERS)
SMTPUTF8 = policy.SMTPUTF8.clone(header_factory=_HEADERS)


@dataclass
class Email:
    """An email ready for SMTP: its envelope and its bytes (engage.mail.mime).

    A recipient with letters beyond ASCII before the @ (accepted only when
    MAIL_SMTPUTF8 is on) is sent as RFC 6531 asks: headers in raw UTF-8 and
    the SMTPUTF8 option on MAIL FROM. A relay that does not offer it refuses
    the message for good (smtplib raises SMTPNotSupportedError).
    """

    envelope_from: str
    recipient: str
    reply_to: str | None
    content: bytes
    needs_smtputf8: bool

    @property
    def mail_options(self) -> list[str]:
        """The MAIL FROM options: SMTPUTF8 for an address beyond ASCII."""
        return ["SMTPUTF8"] if self.needs_smtputf8 else []


class Connection(flask_mail.Connection):
    """Flask-Mail's SMTP connection, with a timeout so a silent server cannot hang the worker."""

    def configure_host(self) -> smtplib.SMTP:
        """Connect, start TLS and sign in as configured."""
        mail = self.mail
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp_class(mail.server, mail.port, timeout=timeout)
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host

    def send(self, message: Email) -> None:
        """Send one message; an address beyond ASCII goes with SMTPUTF8 (RFC 6531)."""
        self.host.sendmail(
            message.envelope_from, [message.recipient], message.content, message.mail_options
        )
        self.num_emails += 1
        if self.num_emails == self.mail.max_emails:
            # As Flask-Mail does: a fresh connection after MAIL_MAX_EMAILS messages.
            self.num_emails = 0
            self.host.quit()
            self.host = self.configure_host()


def connect() -> Connection:
    """An open SMTP connection to MAIL_SERVER, for a batch of messages."""
    connection = Connection(current_app.extensions["mail"])
    connection.host = connection.configure_host()
    return connection


def disconnect(connection: Connection | None) -> None:
    """Close a connection, politely if the server is still listening."""
    if connection is None or connection.host is None:
        return
    try:
        connection.host.quit()
    except (smtplib.SMTPException, OSError):
        connection.host.close()
    connection.host = None


def one_line(value: str) -> str:
    """The value with every run of whitespace, line breaks included, made one space."""
    return " ".join(_CONTROL.sub(" ", value).split())


def message_id(row: OutboxMessage) -> str:
    """A Message-ID that stays the same however often the row is retried."""
    domain = _domain(current_app.config["MAIL_DEFAULT_SENDER"])
    stamp = int(row.created_at.timestamp()) if row.created_at else 0
    return f"<outbox.{row.id}.{stamp}@{domain or 'engage.invalid'}>"


@functools.lru_cache(maxsize=16)
def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2]


def build_message(row: OutboxMessage) -> Email:
    """The email for an outbox row: text and HTML alternatives, attachments, safe headers.

    The bytes are those Flask-Mail would write (tests/mail/test_serialise.py).
    Raises UnsendableMessage for rows no retry can fix.
    """
    address = row.to_address.strip()
    if len(address) > 254 or not _ADDRESS.fullmatch(address):
        raise UnsendableMessage("The recipient address is not a valid email address.")
    reply_to = (row.reply_to or "").strip()
    # Only a plain ASCII address; anything else is left out rather than risk the message.
    if reply_to and (
        len(reply_to) > 254 or not reply_to.isascii() or not _ADDRESS.fullmatch(reply_to)
    ):
        reply_to = ""
    sender = _sender()
    if "\n" in sender or "\r" in sender:
        raise UnsendableMessage("The message headers are not valid.")
    needs_smtputf8 = not address.isascii()
    smtp_policy = SMTPUTF8 if needs_smtputf8 else SMTP
    try:
        # Non-ASCII addresses are written as raw UTF-8, where Flask-Mail would refuse them.
        recipient = address if needs_smtputf8 else flask_mail.sanitize_address(address)
        subject = one_line(row.subject)
        headers = [
            ("Subject", flask_mail.sanitize_subject(subject)),
            ("From", _sanitized(sender)),
            ("To", recipient),
            ("Date", formatdate(time.time(), localtime=True)),
            ("Message-ID", message_id(row)),
            ("Reply-To", reply_to and _sanitized(reply_to)),
            ("Auto-Submitted", "auto-generated"),
        ]
        if needs_smtputf8:
            headers.append(headers.pop(2))  # Flask-Mail's To, replaced last
        headers = [(name, value) for name, value in headers if value]
        body = _body(row, smtp_policy, headers)
    except (ValueError, TypeError, UnicodeError) as error:
        raise UnsendableMessage("The message could not be encoded.") from error
    return Email(
        envelope_from=_sanitized(sender),
        recipient=recipient,
        reply_to=reply_to or None,
        content=body,
        needs_smtputf8=needs_smtputf8,
    )


def _body(row: OutboxMessage, smtp_policy, headers: mime.Headers) -> bytes:
    """The message in Flask-Mail's shapes: plain text alone, or a multipart/mixed of the
    text (or a multipart/alternative of text and HTML) and the attachments."""
    attachments = [_attachment(item) for item in row.attachments or []]
    text_headers, text = mime.text(row.body_text, "plain")
    if not attachments and not row.body_html:
        # The text part is the message: its own headers first, then the message's.
        return mime.part(smtp_policy, [*text_headers, *headers], text)
    parts = [mime.part(smtp_policy, text_headers, text)]
    if row.body_html:
        html = mime.part(smtp_policy, *mime.text(row.body_html, "html"))
        parts = [
            mime.part(smtp_policy, *mime.multipart(smtp_policy, "alternative", [*parts, html]))
        ]
    parts += [mime.part(smtp_policy, *item) for item in attachments]
    container_headers, body = mime.multipart(smtp_policy, "mixed", parts)
    return mime.part(smtp_policy, [*container_headers, *headers], body)


def _sender() -> str:
    sender = current_app.extensions["mail"].default_sender
    return f"{sender[0]} <{sender[1]}>" if isinstance(sender, tuple) else sender


@functools.lru_cache(maxsize=64)
def _sanitized(address: str) -> str:
    # The sender and the events' contacts repeat in every message; the encoding is slow.
    return flask_mail.sanitize_address(address)


def _attachment(item: dict) -> tuple[mime.Headers, bytes]:
    try:
        filename = one_line(str(item["filename"]))
        content_type = str(item["content_type"])
        data = _data(item)
    except (KeyError, TypeError, binascii.Error) as error:
        raise UnsendableMessage("An attachment is incomplete or not valid base64.") from error
    if not filename or not _MIME_TYPE.fullmatch(content_type):
        raise UnsendableMessage("An attachment has no file name or an invalid content type.")
    content_id = item.get("content_id")
    if content_id is None:
        return mime.attachment(content_type, data, filename=filename)
    if not _CONTENT_ID.fullmatch(str(content_id)):
        raise UnsendableMessage("An attachment has an invalid Content-ID.")
    return mime.attachment(
        content_type,
        data,
        filename=filename,
        disposition="inline",
        extra_headers={"Content-ID": f"<{content_id}>"},
    )


def _data(item: dict) -> bytes:
    # A QR code is stored as its text and drawn here, where the cost does not slow a booking.
    if "qr" in item:
        if item.get("content_type") != "image/png" or not isinstance(item["qr"], str):
            raise TypeError("a QR code is a PNG of a text")
        return qr_png(item["qr"])
    return base64.b64decode(item["data"], validate=True)


def classify(error: Exception) -> tuple[bool, str]:
    """Whether a sending error is permanent (a 5xx answer), and the reason to keep."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        # Raised before anything is sent: this relay cannot carry the address, ever.
        return True, "The mail server does not accept addresses with non-ASCII letters (SMTPUTF8)."
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(error.recipients.values()), (0, b""))
        return _is_permanent(code), _reason(code, answer)
    if isinstance(error, smtplib.SMTPResponseException):
        return _is_permanent(error.smtp_code), _reason(error.smtp_code, error.smtp_error)
    # smtplib reports a read that timed out as a disconnection.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return False, "The mail server did not answer in time."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, "The mail server closed the connection."
    if isinstance(error, ConnectionRefusedError):
        return False, "The mail server refused the connection."
    return False, f"Could not reach the mail server ({type(error).__name__})."


def _is_permanent(code: int) -> bool:
    return 500 <= code < 600


def _reason(code: int, answer: bytes | str) -> str:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    return one_line(f"{code} {answer}")
