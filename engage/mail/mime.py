"""The bytes of an outbox email, written directly rather than through Flask-Mail's Message.

Flask-Mail builds a tree of standard-library MIME objects and the generator
then parses every header back to serialise it: about 1.5 ms a reminder, most
of the worker's time. The emails the worker sends have one of three fixed
shapes, so this writes the same bytes itself: each header still folded by the
policy (so long and non-ASCII headers come out as the generator writes them),
bodies with CRLF line ends, attachments in base64, and MIME boundaries drawn
the way the generator draws them. tests/mail/test_serialise.py checks the
bytes against Flask-Mail's own for every shape.
"""

from __future__ import annotations

import base64
import random
import re
import sys
from email.message import Message
from email.policy import EmailPolicy

# As email.generator writes them: any line end becomes CRLF; boundaries of
# fifteen "=", a random number padded to the width of sys.maxsize, and "==".
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


Headers = list[tuple[str, object]]


def text(text: str, subtype: str) -> tuple[Headers, bytes]:
    """A text/plain or text/html part in UTF-8, as MIMEText writes it with Flask-Mail's charset."""
    data = _NEWLINES.sub("\r\n", text).encode("utf-8")
    headers = [
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "7bit" if data.isascii() else "8bit"),
    ]
    return headers, data


def attachment(
    content_type: str,
    data: bytes,
    *,
    filename: str,
    disposition: str = "attachment",
    extra_headers: dict[str, str] | None = None,
) -> tuple[Headers, bytes]:
    """A base64 attachment, its file name given as Flask-Mail gives it (RFC 2231 beyond ASCII)."""
    holder = Message()  # formats the file name parameter as the standard library does
    holder.add_header(
        "Content-Disposition",
        disposition,
        filename=filename if filename.isascii() else ("UTF8", "", filename),
    )
    headers = [
        ("Content-Type", content_type),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Disposition", holder["Content-Disposition"]),
        *(extra_headers or {}).items(),
    ]
    return headers, base64.encodebytes(data).replace(b"\n", b"\r\n")


def multipart(policy: EmailPolicy, subtype: str, parts: list[bytes]) -> tuple[Headers, bytes]:
    """A multipart container of written parts, with a boundary none of them holds."""
    boundary = _boundary(b"\r\n".join(parts))
    marker = f"--{boundary}".encode()
    between = b"\r\n" + marker + b"\r\n"
    body = marker + b"\r\n" + between.join(parts) + b"\r\n" + marker + b"--\r\n"
    # The generator re-stores Content-Type with the boundary through the policy.
    content_type = policy.header_store_parse(
        "Content-Type", f'multipart/{subtype}; boundary="{boundary}"'
    )[1]
    return [("Content-Type", content_type), ("MIME-Version", "1.0")], body


def part(policy: EmailPolicy, headers: Headers, body: bytes) -> bytes:
    """A part, or the whole message: its headers in order, each folded by the policy, then
    the body."""
    folded = b"".join(policy.fold_binary(name, value) for name, value in headers)
    return folded + b"\r\n" + body


def _boundary(text: bytes) -> str:
    # email.generator's _make_boundary, with its regular expression (compiled
    # anew for every boundary) only when the text holds the boundary at all.
    boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}" + "=="
    candidate, counter = boundary, 0
    while f"--{candidate}".encode() in text and re.search(
        b"^--" + re.escape(candidate.encode()) + b"(--)?$", text, re.MULTILINE
    ):
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate
