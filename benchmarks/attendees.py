"""`python -m benchmarks.attendees`: the attendee list, its search and exports, over HTTP.

On SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set (see
benchmarks.staffsite): the app under gunicorn on loopback, driven over HTTP
from this process by an admin signed in on the sign-in page. Measured: the
list's first page and the list searched for a surname, p50 and p95 of
LIST_REQUESTS each (target p50 under 50 ms); then each export as its form
posts it (the attendee export and the catering list, CSV and Excel), in
seconds and bytes, with how far the web worker's peak resident memory
(VmHWM, reset before each export) rose above its resident memory before it.
An export is flat when that rise stays under FLAT_MB at 10,000 rows; the same
export of a tenth as many people (a second event) is printed beside it, and
every export has first run once in each worker, so that what a first run
loads (modules, templates) is not counted. BENCH_ATTENDEES changes the size.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import sys
import threading

from benchmarks import line
from benchmarks.staffsite import (
    REGISTRATIONS,
    Browser,
    StaffSite,
    on_each_database,
    percentiles,
    staff_site,
)

LIST_REQUESTS = 40
LIST_TARGET_MS = 50
FLAT_MB = 10  # a few MB: the rows must not be held in memory all at once
SURNAME = "Surname04321"
EXPORT_COLUMNS = ["name", "email", "organisation", "category", "status", "position", "workshops"]


def _exports() -> list[tuple[str, str, dict]]:
    """Each export as (name, path under the list, its form's fields without the CSRF token)."""
    general = {"columns": EXPORT_COLUMNS, "dietary": "y"}
    return [
        (f"{name} {kind}", path, {**fields, "file_format": kind})
        for name, path, fields in (
            ("export", "/export", general),
            ("catering", "/export/catering", {}),
        )
        for kind in ("csv", "xlsx")
    ]


def _lists(site: StaffSite, base: str) -> list[str]:
    missed = []
    for name, path in (("attendee list", base + "/"), ("list searched", f"{base}/?q={SURNAME}")):
        site.browser.timed("GET", path)  # warm up
        times = [site.browser.timed("GET", path)[0] for _ in range(LIST_REQUESTS)]
        p50, p95 = percentiles(times)
        ok = p50 < LIST_TARGET_MS
        missed += [] if ok else [f"{site.label}: {name}"]
        print(
            line(
                ok,
                name,
                f"p50 {p50:.1f} ms  p95 {p95:.1f} ms  over {LIST_REQUESTS} requests "
                f"(target p50 < {LIST_TARGET_MS} ms)  {site.against_reference(p50)}",
            )
        )
    return missed


def _in_pairs(site: StaffSite, base: str, token: str) -> None:
    """Every export of the event at `base`, two at a time, so that each worker does each one."""
    second = Browser(site.server.base)
    second.cookies = dict(site.browser.cookies)
    for _, path, fields in _exports():
        form = {**fields, "csrf_token": token}
        other = threading.Thread(target=second.timed, args=("POST", base + path, form))
        other.start()
        site.browser.timed("POST", base + path, form)
        other.join()


def _export(site: StaffSite, event_id: int, path: str, form: dict):
    """One export, posted as its form does: (peak rise in MB, milliseconds, the answer).

    The rise is how far a worker's peak resident memory went above its resident
    memory before the export (the worker that served it; the other rises by 0).
    """
    site.server.reset_peak_memory()
    before = site.server.worker_memory_mb()
    milliseconds, answer = site.browser.timed(
        "POST", f"/admin/events/{event_id}/attendees{path}", form
    )
    after = site.server.worker_memory_mb()
    return max(after[pid][1] - before[pid][0] for pid in after), milliseconds, answer


def _exports_flat(site: StaffSite) -> list[str]:
    big, small = site.events
    token = site.browser.form_token(f"/admin/events/{big.id}/attendees/export")
    _in_pairs(site, f"/admin/events/{small.id}/attendees", token)  # each worker warmed up
    missed = []
    for name, path, fields in _exports():
        form = {**fields, "csrf_token": token}
        small_rise, _, _ = _export(site, small.id, path, form)
        rise, milliseconds, answer = _export(site, big.id, path, form)
        rows = answer.body.count(b"\n") - 1 if name == "export csv" else None
        ok = rise < FLAT_MB and rows in (None, big.registrations)
        missed += [] if ok else [f"{site.label}: {name}"]
        print(
            line(
                ok,
                name,
                f"{milliseconds / 1000:>5.2f} s  {len(answer.body) / 1e3:>6.0f} kB  worker peak "
                f"+{rise:.1f} MB (target < {FLAT_MB}; +{small_rise:.1f} MB for "
                f"{small.registrations:,} people)"
                + (f"  {rows:,} rows" if rows is not None else ""),
            )
        )
    return missed


def bench(label: str, url: str) -> list[str]:
    """Every measurement on one database; the names of the missed targets."""
    with staff_site(label, url, (REGISTRATIONS, REGISTRATIONS // 10)) as site:
        print(
            f"\nattendees, {label}: {REGISTRATIONS:,} registrations (seeded in "
            f"{site.seconds_to_seed:.1f} s), {site.server.command}, driven over HTTP"
        )
        base = f"/admin/events/{site.events[0].id}/attendees"
        return _lists(site, base) + _exports_flat(site)


def main() -> int:
    """Each database in turn; 1 when a target is missed."""
    return on_each_database(bench)


if __name__ == "__main__":
    sys.exit(main())
