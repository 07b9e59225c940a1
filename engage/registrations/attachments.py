"""Files attached to attendees' emails: calendar invitations and check-in QR codes.

The helpers take plain values (a UID, a sequence number, a token) so that the
registration feature decides what they are; they only build the files.
"""

from __future__ import annotations

import io
import struct
import zlib
from email.utils import parseaddr

import segno
import zxingcpp
from flask import current_app
from icalendar import Calendar, vCalAddress, vText, vUri

from engage.events.calendar import PRODID, vevent
from engage.events.contact import join_url
from engage.events.models import Event
from engage.mail.services import Attachment, external_url

ICS_FILENAME = "invite.ics"
QR_FILENAME = "check-in-code.png"
QR_CONTENT_ID = "check-in-code"
# The PNG's look: 8 pixels a module, the standard 4-module quiet zone.
QR_SCALE, QR_BORDER = 8, 4


def registration_uid(registration_id: int) -> str:
    """The calendar UID of one registration: the same in every update and cancellation."""
    return f"registration-{registration_id}@{current_app.config['ICS_UID_DOMAIN']}"


def invitation(
    event: Event,
    *,
    uid: str,
    sequence: int,
    attendee_email: str | None = None,
    attendee_name: str | None = None,
    cancel: bool = False,
    joining: str = "",
) -> Attachment:
    """An iTIP .ics for one attendee: METHOD:REQUEST, or METHOD:CANCEL when `cancel`.

    Send every update with the same `uid` and a higher `sequence` (e.g. the
    event's ics_sequence) so that calendars replace the entry instead of adding one.
    Needs a request context, or SERVER_NAME, for the event's URL.
    `joining`, an online event's joining details, is for this attendee alone:
    it goes in the DESCRIPTION, and its first web address in URL and LOCATION.
    """
    method = "CANCEL" if cancel else "REQUEST"
    item = vevent(event, uid=uid, sequence=sequence)
    if joining.strip() and not cancel:
        _add_joining(item, joining.strip())
    if cancel:
        item["status"] = vText("CANCELLED")
    sender_name, sender_address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    organiser = vCalAddress(f"mailto:{sender_address}")
    organiser.params["cn"] = vText(sender_name or current_app.config["SITE_NAME"])
    item.add("organizer", organiser)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = vText(" ".join(attendee_name.split()))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        item.add("attendee", attendee)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(item)
    return Attachment(
        filename="cancel.ics" if cancel else ICS_FILENAME,
        content_type=f"text/calendar; method={method}",
        data=cal.to_ical(),
    )


def _add_joining(item, joining: str) -> None:
    # Lines as typed (CRLF from a browser's textarea made LF), as a paragraph of their own.
    text = "\n".join(line.rstrip() for line in joining.splitlines())
    item["description"] = vText(f"How to join:\n{text}\n\n{item['description']}")
    if url := join_url(joining):
        item["url"] = vUri(url)
        item["location"] = vText(f"Online: {url}")


def checkin_link(code: str) -> str:
    """What the QR code holds: the staff check-in link on this site, carrying only the random code.

    Any QR app opens it (staff sign in, then check the person in); the desk's
    box and its camera read the code back out of it. No personal data.
    """
    return external_url("checkin.by_link", code=code)


def checkin_qr(token: str) -> Attachment:
    """A PNG QR code holding `token` (the check-in link: checkin_link), never personal data.

    It carries a Content-ID, so an HTML body can show it with
    <img src="cid:check-in-code">; it is attached as a file as well. Made by
    zxing-cpp (compiled): segno, in Python, took most of a reminder's time
    choosing the mask, and every attendee email carries one.
    """
    barcode = zxingcpp.create_barcode(token, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = barcode.to_image(scale=1, add_quiet_zones=False)  # a byte a module: 0 dark
    return Attachment(QR_FILENAME, "image/png", _png(modules), content_id=QR_CONTENT_ID)


def _png(modules) -> bytes:
    """A 1-bit greyscale PNG of a square of modules (one byte each: 0 dark, 255 light).

    At QR_SCALE 8 a module is exactly one byte of a 1-bit row, so whole rows are
    copied at once; each module row is written once and repeated with PNG's
    "Up" filter, with a light quiet zone of QR_BORDER modules around.
    """
    view = memoryview(modules)
    size, data = view.shape[1], view.tobytes()
    width = size + 2 * QR_BORDER  # in modules, so in bytes of a row
    margin = b"\xff" * QR_BORDER
    repeat = (b"\2" + b"\0" * width) * (QR_SCALE - 1)
    rows = [
        b"\0" + margin + data[start : start + size] + margin + repeat
        for start in range(0, size * size, size)
    ]
    quiet = (b"\0" + b"\xff" * width) * (QR_BORDER * QR_SCALE)
    pixels = width * QR_SCALE
    header = struct.pack(">2I5B", pixels, pixels, 1, 0, 0, 0, 0)  # 1-bit greyscale
    image = zlib.compress(quiet + b"".join(rows) + quiet)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", image)
        + _chunk(b"IEND", b"")
    )


def _chunk(name: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))


def checkin_qr_svg(token: str) -> str:
    """The same QR code as an SVG string for a web page, sized by the page (it has a viewBox).

    Inline markup with no style attribute or script, so the site's CSP lets it through.
    """
    buffer = io.BytesIO()
    segno.make(token, error="m", micro=False).save(
        buffer,
        kind="svg",
        scale=1,
        border=4,
        xmldecl=False,
        svgns=True,
        omitsize=True,
        title="Check-in code",
    )
    return buffer.getvalue().decode("utf-8")
