"""`python -m benchmarks.checkin`: check-in by code at the desk and at a door, over HTTP.

On SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set (see
benchmarks.staffsite): an event of 10,000 registrations (BENCH_ATTENDEES)
served by gunicorn on loopback, driven from this process by an admin signed
in on the sign-in page. Each code is posted to the desk's box as a scanner
does (the code, then Enter, with the page's CSRF token), and the whole answer
(the check-in and the page with its totals) is timed: median and p95 of
BENCH_CHECK_INS codes at the desk, and as many at a workshop room's door.
Target: median under 20 ms. Exits 1 when it is missed.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import select

from benchmarks import line
from benchmarks.staffsite import (
    REGISTRATIONS,
    Browser,
    StaffSite,
    on_each_database,
    percentiles,
    staff_site,
)
from engage.extensions import db
from engage.registrations.models import Registration, RegistrationStatus, registration_workshops

CHECK_INS = int(os.environ.get("BENCH_CHECK_INS", "250"))
WARM_UP = 5
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
    return desk[: CHECK_INS + WARM_UP], room


def _time_codes(browser: Browser, url: str, codes: list[str], expect: str) -> list[float]:
    """Post each code as a scanner does; the milliseconds each answer took."""
    token = browser.form_token(url)
    times = []
    for code in codes:
        milliseconds, answer = browser.timed("POST", url, {"csrf_token": token, "q": code})
        if expect not in answer.body.decode("utf-8"):
            raise SystemExit(f"{url}: no “{expect}” in the answer")
        times.append(milliseconds)
    return times


def _report(site: StaffSite, name: str, times: list[float]) -> list[str]:
    median, p95 = percentiles(times)
    ok = median < TARGET_MEDIAN_MS
    print(
        line(
            ok,
            name,
            f"median {median:.1f} ms  p95 {p95:.1f} ms  over {len(times)} codes "
            f"(target median < {TARGET_MEDIAN_MS} ms)  {site.against_reference(median)}",
        )
    )
    return [] if ok else [f"{site.label}: {name}"]


def bench(label: str, url: str) -> list[str]:
    """Check-in at the desk and at a door on one database; the names of the missed targets."""
    with staff_site(label, url) as site:
        event = site.events[0]
        workshop = event.workshops[0]
        with site.app.app_context():
            desk_codes, room_codes = _codes(event.id, workshop)
        desk = f"/admin/events/{event.id}/check-in"
        room = f"{desk}?workshop={workshop}&room=1"
        print(
            f"\ncheck-in, {label}: {REGISTRATIONS:,} registrations, {site.server.command}, "
            "codes posted to the desk's box over HTTP"
        )
        _time_codes(site.browser, desk, desk_codes[:WARM_UP], "Checked in:")
        desk_times = _time_codes(site.browser, desk, desk_codes[WARM_UP:], "Checked in:")
        room_times = _time_codes(site.browser, room, room_codes, "In Workshop 1:")
        return _report(site, "check-in at the desk", desk_times) + _report(
            site, "check-in at a door", room_times
        )


def main() -> int:
    """Each database in turn; 1 when the target is missed."""
    return on_each_database(bench)


if __name__ == "__main__":
    sys.exit(main())
