"""`python -m benchmarks.checkin`: check-in by code at the desk, at 10,000 registrations.

Run in one process on a SQLite file through Flask's test client (no server, no
network), signed in as an organiser's admin: each code is posted to the desk's
box as a scanner does (the code, then Enter), and the whole answer (the check-in
and the page with its totals) is timed. Prints the median and p95, and whether
the issue's target (under 20 ms median) is met; the same for a workshop room's
door. Printed only; `make bench` runs it after the HTTP scenarios.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from sqlalchemy import select

from benchmarks.attendees import seeded_site
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus, registration_workshops

REGISTRATIONS = int(os.environ.get("BENCH_ATTENDEES", "10000"))
CHECK_INS = int(os.environ.get("BENCH_CHECK_INS", "250"))
TARGET_MEDIAN_MS = 20


def _codes(event_id: int, workshop_id: int) -> tuple[list[str], list[str]]:
    """Codes of confirmed people: some for the desk, others booked on the workshop for its door."""
    confirmed = select(Registration.checkin_code).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED
    )
    on_workshop = confirmed.join(
        registration_workshops, registration_workshops.c.registration_id == Registration.id
    ).where(registration_workshops.c.session_id == workshop_id)
    room = list(db.session.scalars(on_workshop.order_by(Registration.id).limit(CHECK_INS)))
    taken = set(room)
    desk = [
        c for c in db.session.scalars(confirmed.order_by(Registration.id.desc())) if c not in taken
    ]
    return desk[:CHECK_INS], room


def _time_codes(client, url: str, codes: list[str], expect: str) -> list[float]:
    """Post each code as a scanner does; the milliseconds each answer took."""
    times = []
    for code in codes:
        started = time.perf_counter()
        response = client.post(url, data={"q": code})
        body = response.get_data(as_text=True)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or expect not in body:
            raise SystemExit(f"{url}: {response.status_code}, no “{expect}” in the answer")
    return times


def _report(name: str, times: list[float]) -> bool:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    ok = median < TARGET_MEDIAN_MS
    print(
        f"  {'ok ' if ok else 'MISS'} {name:<26} {len(times)} codes  median {median:.1f} ms  "
        f"p95 {p95:.1f} ms  (target median < {TARGET_MEDIAN_MS} ms)"
    )
    return ok


def main() -> int:
    """Seed, check people in by code, print; non-zero when the target is missed."""
    with seeded_site(REGISTRATIONS) as site:
        client, event_id, workshops = site.client, site.event_id, site.workshops
        with site.app.app_context():
            desk_codes, room_codes = _codes(event_id, workshops[0])
        desk = f"/admin/events/{event_id}/check-in"
        room = f"{desk}?workshop={workshops[0]}&room=1"
        print(
            f"check-in: {REGISTRATIONS:,} registrations on SQLite, codes posted to the desk's box"
        )
        _time_codes(client, desk, desk_codes[:5], "Checked in:")  # warm up
        ok = _report(
            "by code at the desk", _time_codes(client, desk, desk_codes[5:], "Checked in:")
        )
        ok &= _report(
            "by code at a room's door", _time_codes(client, room, room_codes, "In Workshop 1:")
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
