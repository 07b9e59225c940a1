"""The bytes of an outbox email, written directly rather than through Flask-Mail's Message.

Flask-Mail builds a tree of standard-library MIME objects and the generator
then parses every header back to serialise it: about 1.5 ms a reminder, most
of the worker's time. The emails the worker sends have one of three fixed
shapes, so this writes the same bytes itself: each header still folded by the
policy (so long and non-ASCII headers come out as the generator writes them),
bodies with CRLF line ends, attachments in base64, and MIME boundaries drawn
the way the generator draws them. Folded headers are kept (a subject repeats
for every attendee of an event), and a multipart's Content-Type is folded once
per shape with a stand-in boundary whose digits are then replaced.
tests/mail/test_serialise.py checks the bytes against Flask-Mail's own for
every shape.
"""

from __future__ import annotations

import base64
import functools
import random
import re
import sys
from email.message import Message
from email.policy import EmailPolicy

# As email.generator writes them: any line end becomes CRLF; boundaries of
# fifteen "=", a random number padded to the width of sys.maxsize, and "==".
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))
_STAND_IN = "=" * 15 + "0" * _BOUNDARY_DIGITS + "=="


Headers = list[tuple[str, object]]  # (name, value); bytes: the line folded already


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
    if len(boundary) == len(_STAND_IN):
        # Folded once with a stand-in of the same shape; only the digits differ.
        content_type = _multipart_type(policy, subtype).replace(
            _STAND_IN.encode(), boundary.encode()
        )
    else:
        content_type = _fold_parsed(policy, f'multipart/{subtype}; boundary="{boundary}"')
    return [("Content-Type", content_type), ("MIME-Version", "1.0")], body


def part(policy: EmailPolicy, headers: Headers, body: bytes) -> bytes:
    """A part, or the whole message: its headers in order, each folded by the policy
    (a value in bytes is a header line folded already), then the body."""
    folded = b"".join(
        value if isinstance(value, bytes) else _fold(policy, name, value) for name, value in headers
    )
    return folded + b"\r\n" + body


@functools.lru_cache(maxsize=1024)
def _fold(policy: EmailPolicy, name: str, value: str) -> bytes:
    # A subject, a sender or a part's headers repeat message after message;
    # folding a long one means parsing it.
    return policy.fold_binary(name, value)


@functools.lru_cache(maxsize=16)
def _multipart_type(policy: EmailPolicy, subtype: str) -> bytes:
    return _fold_parsed(policy, f'multipart/{subtype}; boundary="{_STAND_IN}"')


def _fold_parsed(policy: EmailPolicy, content_type: str) -> bytes:
    # The generator stores Content-Type with the boundary through the policy
    # (a parsed header), then folds that.
    return policy.fold_binary(
        "Content-Type", policy.header_store_parse("Content-Type", content_type)[1]
    )


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
