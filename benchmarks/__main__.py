"""`make bench`: the site under gunicorn on loopback, beside a bare Flask reference.

For SQLite, and for PostgreSQL too when BENCH_DATABASE_URL names a database
that may be emptied: the demo site and a bare Flask page of the event page's
size (benchmarks/reference.py) run under the same gunicorn command; a second
process drives each page (median of 3 runs) and prints it as a ratio to the
reference. Then bookings, as people make them (benchmarks/booking.py): one
client after another, and 20 at once for 30 seconds, each from its own
address; the server's own time per booking (from a throwaway access log), the
web workers' peak memory, and a check that the event was never overbooked.
Then the staff side, each on SQLite and PostgreSQL as well, over HTTP with a
member of staff signed in: the attendee list, its search and exports
(benchmarks/attendees.py) and check-in by code (benchmarks/checkin.py), at
10,000 registrations. Then reminders from due to delivered by one real mail
worker into a counting SMTP sink, beside a bare smtplib loop
(benchmarks/reminders.py, on SQLite and on BENCH_DATABASE_URL). A missed
target is printed as MISS and makes the run exit non-zero.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from benchmarks import line, site
from benchmarks.server import Server

PYTHON = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REQUESTS = os.environ.get("BENCH_REQUESTS", "2000")
EVENT = "/events/cprl-engagement-day-2027"
# (name, paths, least share of the reference's throughput on SQLite, on PostgreSQL)
PAGES = [
    ("event page", [EVENT], 0.8, 0.6),
    ("home page", ["/"], 0.6, 0.5),
    ("news list and item", ["/news/", "/news/engagement-day-2026-announced"], 0.6, 0.5),
    ("registration form", [EVENT + "/register"], 0.3, 0.25),
]
BURST_CLIENTS, BURST_SECONDS = 20, float(os.environ.get("BENCH_BURST_SECONDS", "30"))
BOOKINGS_PER_SECOND, SERVER_MEDIAN_MS = 200, 20
REQUESTS_PER_BOOKING = 3  # the form, the post, the confirmation page
STAFF = [
    ("benchmarks.attendees", "attendee list, search or exports"),
    ("benchmarks.checkin", "check-in by code"),
]


def _run(module: str, *args: str) -> dict:
    out = subprocess.run(
        [PYTHON, "-m", module, *args], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def _throughput(base: str, paths: list[str]) -> tuple[float, dict]:
    """Median requests per second of RUNS runs, and the median run."""
    runs = [
        _run("benchmarks.load", *[base + p for p in paths], "--requests", REQUESTS)
        for _ in range(RUNS)
    ]
    runs.sort(key=lambda result: result["per_second"])
    middle = runs[len(runs) // 2]
    return middle["per_second"], {**middle, "errors": sum(r["errors"] for r in runs)}


def bench_database(label: str, url: str, folder: str) -> list[str]:
    """Every HTTP scenario on one database; the names of the missed targets."""
    env = dict(
        os.environ,
        DATABASE_URL=url,
        ENGAGE_ENV="development",
        TRUSTED_PROXIES="1",  # each booking client sends its own X-Forwarded-For
        REGISTRATION_RATE_LIMIT="1000000 per hour",
        REGISTRATION_EMAIL_RATE_LIMIT="100 per hour",
    )
    flask = [PYTHON, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "engage", "demo"], env=env, check=True, capture_output=True)
    subprocess.run([PYTHON, "-m", "benchmarks.site"], env=env, check=True)
    missed = []
    access_log = os.path.join(folder, f"access-{label}.log")
    with Server("wsgi:app", env, access_log=access_log) as app:
        with urllib.request.urlopen(app.base + EVENT) as response:
            size = len(response.read())
        reference_env = dict(env, BENCH_REFERENCE_BYTES=str(size))
        with Server("benchmarks.reference:app", reference_env) as reference:
            limit, _ = _throughput(reference.base, ["/"])
        print(f"\n{label}: {app.command}; load from a second process; median of {RUNS} runs")
        print(f"     {'reference page':<24} {limit:>7.0f} req/s  (bare Flask, {size:,} bytes)")
        for name, paths, least_sqlite, least_pg in PAGES:
            least = least_sqlite if label == "SQLite" else least_pg
            rate, result = _throughput(app.base, paths)
            ok = result["errors"] == 0 and rate >= least * limit
            missed += [] if ok else [f"{label}: {name}"]
            print(
                line(
                    ok,
                    name,
                    f"{rate:>7.0f} req/s  {rate / limit:>4.0%} of the reference "
                    f"(target {least:.0%})  p50 {result['p50_ms']} ms  "
                    f"p95 {result['p95_ms']} ms  errors {result['errors']}",
                )
            )
        missed += _bookings(label, app, access_log, limit)
    return missed


def _bookings(label: str, app: Server, access_log: str, limit: float) -> list[str]:
    missed = []
    one = _run("benchmarks.booking", app.base, site.SLUG, "--bookings", "200", "--tag", "seq")
    print(
        line(
            one["failed"] == 0,
            "booking, one client",
            f"{one['per_second']:>7.1f} /s     p50 {one['p50_ms']} ms a booking "
            f"(3 requests)  failed {one['failed']}",
        )
    )
    app.forget_access_log()
    burst = _run(
        "benchmarks.booking",
        app.base,
        site.SLUG,
        "--clients",
        str(BURST_CLIENTS),
        "--seconds",
        str(BURST_SECONDS),
        "--tag",
        "burst",
    )
    server_ms = app.median_ms("POST", f"/events/{site.SLUG}/register")
    share = burst["per_second"] * REQUESTS_PER_BOOKING / limit
    counts = site.counts_for(app.env)
    overbooked = counts.get("confirmed", 0) > counts["capacity"]
    ok = (
        burst["failed"] == 0
        and not overbooked
        and burst["per_second"] >= BOOKINGS_PER_SECOND
        and server_ms is not None
        and server_ms < SERVER_MEDIAN_MS
    )
    missed += [] if ok else [f"{label}: booking burst"]
    print(
        line(
            ok,
            f"booking, {BURST_CLIENTS} at once",
            f"{burst['per_second']:>7.1f} /s     (target {BOOKINGS_PER_SECOND}; its "
            f"{REQUESTS_PER_BOOKING} requests each are {share:.0%} of the reference)  "
            f"server median {server_ms} ms a POST (target < {SERVER_MEDIAN_MS})  "
            f"failed {burst['failed']}  {counts}",
        )
    )
    print(f"     {'web worker peak memory':<24} {app.peak_memory_mb()} MB each (VmHWM)")
    return missed


def main() -> int:
    """Every benchmark; 1 when any target is missed."""
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        databases = [("SQLite", f"sqlite:///{folder}/bench.sqlite3")]
        if os.environ.get("BENCH_DATABASE_URL"):
            databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
        for label, url in databases:
            missed += bench_database(label, url, folder)
    # The staff side at 10,000 registrations, over HTTP on each database (benchmarks.staffsite).
    for module, name in STAFF:
        if subprocess.run([PYTHON, "-m", module], check=False).returncode:
            missed.append(name)
    # Reminders from due to delivered by one real worker, on every database: benchmarks.reminders.
    if subprocess.run([PYTHON, "-m", "benchmarks.reminders"], check=False).returncode:
        missed.append("reminders due to delivered")
    if missed:
        print("\nmissed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
