"""QR codes drawn as PNG images when a message is delivered, not when it is queued.

The booking request writes the confirmation, so an outbox row stores only the
text the code holds and the worker draws it: the same text always gives the
same image, so a retried message carries the same code. zxing-cpp (compiled)
makes the code: segno, in Python, took about 5 ms choosing the mask, and every
attendee email carries one. segno still draws the SVG on pages.
"""

from __future__ import annotations

import struct
import zlib

import zxingcpp

# The PNG's look: 8 pixels a module, the standard 4-module quiet zone.
QR_SCALE, QR_BORDER = 8, 4


def qr_png(text: str) -> bytes:
    """A PNG QR code of `text`: error correction M, 8 pixels a module, the standard quiet zone."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return _png(barcode.to_image(scale=1, add_quiet_zones=False))  # a byte a module: 0 dark


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
