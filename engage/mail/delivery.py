"""Turning outbox rows into emails and handing them to the SMTP server."""

from __future__ import annotations

import base64
import binascii
import re
import smtplib
import time
from email import headerregistry, policy
from email.utils import parseaddr

import flask_mail
from flask import current_app

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
UTF8_STAND_IN = "smtputf8@engage.invalid"


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


class Message(flask_mail.Message):
    """A Flask-Mail message serialised once, however often it is read.

    A recipient with letters beyond ASCII before the @ (accepted only when
    MAIL_SMTPUTF8 is on) is sent as RFC 6531 asks: headers in raw UTF-8 and
    the SMTPUTF8 option on MAIL FROM. A relay that does not offer it refuses
    the message for good (smtplib raises SMTPNotSupportedError).
    """

    _bytes: bytes | None = None

    @property
    def needs_smtputf8(self) -> bool:
        """Whether an address can only be written in UTF-8."""
        return not all(address.isascii() for address in self.send_to)

    def as_bytes(self) -> bytes:
        """The message as sent; built on first use and then kept."""
        if self._bytes is None:
            if self.needs_smtputf8:
                self._bytes = self._utf8_bytes()
            else:
                built = self._message()
                built.policy = SMTP
                self._bytes = built.as_bytes()
        return self._bytes

    def _utf8_bytes(self) -> bytes:
        # Flask-Mail writes addresses with formataddr, which refuses non-ASCII ones:
        # build with a stand-in and put the real address back as raw UTF-8.
        recipients = self.recipients
        self.recipients = [UTF8_STAND_IN]
        try:
            built = self._message()
        finally:
            self.recipients = recipients
        del built["To"]
        built["To"] = ", ".join(recipients)
        built.policy = SMTPUTF8
        return built.as_bytes()


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

    def send(self, message: Message, envelope_from: str | None = None) -> None:
        """Send one message; an address beyond ASCII goes with SMTPUTF8 (RFC 6531)."""
        if not message.needs_smtputf8:
            super().send(message, envelope_from)
            return
        self.host.sendmail(
            flask_mail.sanitize_address(envelope_from or message.sender),
            list(message.send_to),
            message.as_bytes(),
            message.mail_options,
            message.rcpt_options,
        )
        self.num_emails += 1


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
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2]
    stamp = int(row.created_at.timestamp()) if row.created_at else 0
    return f"<outbox.{row.id}.{stamp}@{domain or 'engage.invalid'}>"


def build_message(row: OutboxMessage) -> Message:
    """The email for an outbox row: text and HTML alternatives, attachments, safe headers.

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
    message = Message(
        subject=one_line(row.subject),
        recipients=[address],
        reply_to=reply_to or None,
        body=row.body_text,
        html=row.body_html or None,
        extra_headers={"Auto-Submitted": "auto-generated"},
        attachments=[_attachment(item) for item in row.attachments or []],
    )
    message.msgId = message_id(row)
    message.date = time.time()
    if message.needs_smtputf8:
        message.mail_options = ["SMTPUTF8"]
    if message.has_bad_headers():
        raise UnsendableMessage("The message headers are not valid.")
    try:
        message.as_bytes()
    except (ValueError, TypeError, UnicodeError) as error:
        raise UnsendableMessage("The message could not be encoded.") from error
    return message


def _attachment(item: dict) -> flask_mail.Attachment:
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
        return flask_mail.Attachment(filename=filename, content_type=content_type, data=data)
    if not _CONTENT_ID.fullmatch(str(content_id)):
        raise UnsendableMessage("An attachment has an invalid Content-ID.")
    return flask_mail.Attachment(
        filename=filename,
        content_type=content_type,
        data=data,
        disposition="inline",
        headers={"Content-ID": f"<{content_id}>"},
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
