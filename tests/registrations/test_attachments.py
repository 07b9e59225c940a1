"""Calendar invitations and check-in QR codes, read back after a real SMTP delivery."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
import zxingcpp
from icalendar import Calendar

from engage.extensions import db
from engage.mail.models import OutboxMessage
from engage.mail.qrcode import qr_png
from engage.mail.services import queue_email
from engage.mail.worker import deliver_due
from engage.registrations.attachments import (
    checkin_qr,
    checkin_qr_svg,
    invitation,
    registration_uid,
)
from tests.conftest import london

CONTEXT = {"user": {"name": "Ada"}, "reset_url": "http://x/r", "site_name": "S", "site_url": "u"}


def _queue(app, *attachments):
    with app.test_request_context():
        queue_email(
            kind="test",
            to="ada@example.org",
            subject="Your place",
            template="accounts/password_reset",
            context=CONTEXT,
            attachments=attachments,
        )
        db.session.commit()


def _send(app, *attachments):
    _queue(app, *attachments)
    with app.app_context():
        assert deliver_due().sent == 1


def _calendar(part) -> Calendar:
    return Calendar.from_ical(part.get_payload(decode=True))


def test_an_invitation_arrives_as_a_request_with_a_stable_uid(mail_app, smtp_server, make_event):
    event = make_event(
        title="Engagement Day",
        starts_at=london(2027, 6, 21, 9, 30),  # British Summer Time: 08:30 UTC
        ends_at=london(2027, 6, 21, 16, 30),
        venue_name="Riverside Conference Centre",
        venue_address="1 River Street, Leeds",
    )
    with mail_app.test_request_context():
        uid = registration_uid(42)
        first = invitation(event, uid=uid, sequence=0, attendee_email="ada@example.org")
        update = invitation(event, uid=uid, sequence=3, attendee_email="ada@example.org")
    _send(mail_app, first)
    _send(mail_app, update)

    calendars = []
    for received in smtp_server.received:
        [part] = list(received.message.iter_attachments())
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invite.ics"
        calendars.append(_calendar(part))

    for cal in calendars:
        assert cal["method"] == "REQUEST"
        [item] = cal.walk("VEVENT")
        assert str(item["uid"]) == "registration-42@engage.invalid"
        assert item.decoded("dtstart") == dt.datetime(2027, 6, 21, 8, 30, tzinfo=dt.UTC)
        assert item.decoded("dtend") == dt.datetime(2027, 6, 21, 15, 30, tzinfo=dt.UTC)
        assert str(item["summary"]) == "Engagement Day"
        assert str(item["location"]) == "Riverside Conference Centre, 1 River Street, Leeds"
        assert str(item["organizer"]) == "mailto:events@engage.invalid"
        assert str(item["attendee"]) == "mailto:ada@example.org"
        assert str(item["status"]) == "CONFIRMED"
    assert [c.walk("VEVENT")[0]["sequence"] for c in calendars] == [0, 3]


def test_a_cancellation_has_the_same_uid_and_method_cancel(mail_app, smtp_server, make_event):
    event = make_event()
    with mail_app.test_request_context():
        cancel = invitation(event, uid=registration_uid(7), sequence=1, cancel=True)
    _send(mail_app, cancel)
    [part] = list(smtp_server.received[0].message.iter_attachments())
    assert part.get_param("method") == "CANCEL"
    cal = _calendar(part)
    [item] = cal.walk("VEVENT")
    assert (cal["method"], str(item["status"])) == ("CANCEL", "CANCELLED")
    assert (str(item["uid"]), item["sequence"]) == ("registration-7@engage.invalid", 1)


def test_a_hostile_attendee_name_stays_a_parameter(mail_app, make_event):
    event = make_event()
    with mail_app.test_request_context():
        ics = invitation(
            event,
            uid="u@x",
            sequence=0,
            attendee_email="ada@example.org",
            attendee_name="Ada\r\nATTENDEE:mailto:evil@example.org",
        )
    [item] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(item["attendee"]) == "mailto:ada@example.org"  # still just the one


def test_the_qr_code_arrives_inline_and_as_a_file(mail_app, smtp_server):
    token = "ck_3b8f0c2e9a"
    _send(mail_app, checkin_qr(token))
    [part] = list(smtp_server.received[0].message.iter_attachments())
    assert part.get_content_type() == "image/png"
    assert part["Content-ID"] == "<check-in-code>"
    assert part.get_content_disposition() == "inline"
    data = part.get_content()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data == qr_png(token)  # the same code, rebuilt
    assert data != qr_png("ck_other")


def test_the_outbox_keeps_the_qr_codes_text_and_the_worker_draws_it(mail_app):
    # Drawing the PNG is slow: the booking request stores only the text the code holds.
    _queue(mail_app, checkin_qr("ck_3b8f0c2e9a"))
    with mail_app.app_context():
        [stored] = db.session.scalar(db.select(OutboxMessage.attachments))
    assert stored == {
        "filename": "check-in-code.png",
        "content_type": "image/png",
        "qr": "ck_3b8f0c2e9a",
        "content_id": "check-in-code",
    }


def _chunks(png: bytes) -> dict[bytes, bytes]:
    """A PNG's chunks by name (each name once in these files)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        name, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(name + data)
        chunks[name], at = data, at + 12 + length
    return chunks


def _pixels(png: bytes) -> tuple[int, bytes]:
    """A 1-bit greyscale PNG's width and pixels, a byte each (0 black, 255 white)."""
    chunks = _chunks(png)
    assert set(chunks) == {b"IHDR", b"IDAT", b"IEND"}
    width, height, depth, colour, *_ = struct.unpack(">2I5B", chunks[b"IHDR"])
    assert (depth, colour) == (1, 0) and width == height
    raw, stride = zlib.decompress(chunks[b"IDAT"]), width // 8 + 1
    rows, previous = [], bytes(stride - 1)
    for start in range(0, len(raw), stride):
        kind, row = raw[start], raw[start + 1 : start + stride]
        assert kind in (0, 2)  # none, or "Up"
        if kind == 2:
            row = bytes((a + b) & 0xFF for a, b in zip(row, previous, strict=True))
        rows.append(row)
        previous = row
    assert len(rows) == height
    bits = b"".join(rows)
    return width, bytes(255 if byte >> (7 - bit) & 1 else 0 for byte in bits for bit in range(8))


@pytest.mark.parametrize("token", ["ck_1", "https://events.example.org/check-in/" + "a" * 64])
def test_the_qr_png_reads_back_as_the_token(token):
    width, pixels = _pixels(qr_png(token))
    assert width % 8 == 0 and pixels[: width * 32] == b"\xff" * width * 32  # the quiet zone
    image = memoryview(bytearray(pixels)).cast("B", (width, width))
    read = zxingcpp.read_barcode(
        image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=False
    )
    assert read is not None and read.text == token and read.ec_level == "M"


def test_the_qr_code_is_also_available_as_svg_for_pages():
    svg = checkin_qr_svg("ck_1")
    assert svg.startswith("<svg") and "<title>Check-in code</title>" in svg
    assert svg != checkin_qr_svg("ck_2")
