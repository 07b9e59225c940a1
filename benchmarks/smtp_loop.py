"""The reference for the reminders benchmark: a bare smtplib loop over one connection.

`python -m benchmarks.smtp_loop PORT COUNT SAMPLE` sends COUNT copies of the
message in the file SAMPLE (one real reminder as the sink received it; its
first line is "FROM TO", the envelope) to 127.0.0.1:PORT, each to its own
recipient under its own Message-ID, all over one SMTP connection. The
messages are made before the clock starts, so only SMTP is timed: about the
fastest Python can hand these messages to this sink. Prints JSON.
"""

from __future__ import annotations

import json
import re
import smtplib
import sys
import time

_MESSAGE_ID = re.compile(rb"^(Message-ID:[ \t]*)\S+", re.IGNORECASE | re.MULTILINE)


def messages(sample: bytes, recipient: str, count: int) -> list[tuple[str, bytes]]:
    """(recipient, bytes) for each copy: the sample with its recipient and Message-ID changed."""
    made = []
    for number in range(count):
        to = f"loop{number:06d}@example.org"
        body = sample.replace(recipient.encode(), to.encode())
        body = _MESSAGE_ID.sub(rb"\g<1><loop.%d@engage.invalid>" % number, body, count=1)
        made.append((to, body))
    return made


def main() -> None:
    """Send, time, print {"sent", "seconds"}."""
    port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as file:
        envelope, sample = file.read().split(b"\n", 1)
    sender, recipient = envelope.decode().split()
    ready = messages(sample, recipient, count)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for to, body in ready:
            smtp.sendmail(sender, [to], body)
    seconds = time.perf_counter() - started
    print(json.dumps({"sent": count, "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main()
