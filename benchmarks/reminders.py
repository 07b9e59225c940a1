"""`python -m benchmarks.reminders`: 10,000 reminders from due to delivered by one mail worker.

For SQLite, and for PostgreSQL too when BENCH_DATABASE_URL names a database
that may be emptied: a migrated database holds one event whose 24-hour
reminder is due now, with BENCH_REMINDERS (default 10,000) confirmed
registrations (benchmarks/reminder_site.py). One real worker is started as
production starts it (`flask --app wsgi engage worker`, a process of its own)
against a counting SMTP sink (benchmarks/sink.py, another process), and timed
from its start until the sink holds every reminder: the worker's periodic job
queues them (one transaction each: the record, a token, the rendered email),
then it delivers them. The run then checks that each arrived exactly once
(distinct Message-IDs and recipients) and that the outbox shows them all sent.

Beside it, the reference: a bare smtplib loop (benchmarks/smtp_loop.py, a
process of its own) sending as many copies of a delivered reminder over one
connection to a fresh sink of the same kind. Target: all delivered in under
30 s, and within twice the loop's time. Non-zero exit when missed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from benchmarks.sink import Report, Sink

PYTHON = sys.executable
REMINDERS = int(os.environ.get("BENCH_REMINDERS", "10000"))
TARGET_SECONDS, TARGET_RATIO = 30, 2.0
DEADLINE_SECONDS = 300  # a worker that has not delivered them all by then fails the run


def _site(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "-m", "benchmarks.reminder_site", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _prepare(env: dict[str, str]) -> None:
    """An empty, migrated database with the event and its registrations."""
    _site(env, "empty")
    flask = [PYTHON, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    _site(env, "seed", str(REMINDERS))


def _children_cpu() -> float:
    """CPU seconds used by this process's finished children; less swayed than wall time
    by whatever else the machine is running."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _worker_run(env: dict[str, str], log_path: str) -> tuple[float | None, float, float, Report]:
    """Start one worker; (seconds until the sink had them all or None, its wall-clock
    start, its CPU seconds, the sink's report)."""
    with Sink(REMINDERS) as sink, open(log_path, "w") as log:
        worker_env = dict(env, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port))
        command = [PYTHON, "-m", "flask", "--app", "wsgi", "engage", "worker"]
        cpu = _children_cpu()
        started_at = time.time()
        started = time.perf_counter()
        # Its log names message ids and states only; it goes with the temporary folder.
        worker = subprocess.Popen(command, env=worker_env, stdout=log, stderr=log)
        try:
            arrived = sink.wait(DEADLINE_SECONDS)
            seconds = time.perf_counter() - started if arrived else None
        finally:
            worker.terminate()  # finishes the message in hand, hands back the rest
            worker.wait(timeout=60)
        cpu = _children_cpu() - cpu  # the sink, a child too, is reaped only after this
    return seconds, started_at, cpu, sink.report


def _loop_run(sample: Report, folder: str) -> tuple[float, float, Report]:
    """The bare smtplib loop with the worker's message; (its seconds, its process's CPU
    seconds, its sink's report)."""
    path = os.path.join(folder, "sample.eml")
    with open(path, "wb") as file:
        file.write(f"{sample.sample_from} {sample.sample_to}\n".encode() + sample.sample)
    with Sink(REMINDERS) as sink:
        cpu = _children_cpu()
        out = subprocess.run(
            [PYTHON, "-m", "benchmarks.smtp_loop", str(sink.port), str(REMINDERS), path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        cpu = _children_cpu() - cpu
    return json.loads(out)["seconds"], cpu, sink.report


def _exactly_once(report: Report) -> bool:
    return report.received == report.message_ids == report.recipients == REMINDERS


def bench_database(label: str, url: str, folder: str) -> bool:
    """The worker and the loop on one database, printed; whether both targets were met."""
    env = dict(os.environ, DATABASE_URL=url, ENGAGE_ENV="development")
    _prepare(env)
    seconds, started_at, worker_cpu, worker = _worker_run(
        env, os.path.join(folder, f"worker-{label}.log")
    )
    outbox = json.loads(_site(env, "check"))
    delivered = (
        seconds is not None
        and _exactly_once(worker)
        and outbox["outbox"] == {"sent": REMINDERS}
        and outbox["recorded"] == REMINDERS
    )
    print(f"\nreminders on {label}: {REMINDERS:,} due, one worker, a counting SMTP sink")
    if seconds is None:
        print(f"MISS not all delivered within {DEADLINE_SECONDS} s: {worker.received:,} arrived")
        return False
    loop_seconds, loop_cpu, loop = _loop_run(worker, folder)
    ratio = seconds / loop_seconds
    ok = delivered and _exactly_once(loop) and seconds < TARGET_SECONDS and ratio <= TARGET_RATIO
    queued, sent = outbox["queued"], outbox["sent"]
    print(
        f"{'ok  ' if ok else 'MISS'} {'due to delivered':<24} {seconds:>7.1f} s  "
        f"{REMINDERS / seconds:>6.0f}/s  {ratio:.2f}x the loop (target < {TARGET_SECONDS} s, "
        f"<= {TARGET_RATIO:g}x)"
    )
    print(
        f"     {'':<24} worker start {queued[0] - started_at:.1f} s, queueing "
        f"{queued[1] - queued[0]:.1f} s, sending {sent[1] - sent[0]:.1f} s (last queued "
        f"to last sent {sent[1] - queued[1]:.1f} s)"
    )
    print(
        f"     {'':<24} worker CPU {worker_cpu:.1f} s, "
        f"{worker_cpu / REMINDERS * 1000:.2f} ms a reminder (start, queueing and sending)"
    )
    print(
        f"     {'exactly once':<24} {worker.received:,} arrived, {worker.message_ids:,} "
        f"Message-IDs, {worker.recipients:,} recipients; outbox {outbox['outbox']}, "
        f"{outbox['recorded']:,} recorded"
    )
    print(
        f"     {'smtplib loop':<24} {loop_seconds:>7.1f} s  {REMINDERS / loop_seconds:>6.0f}/s  "
        f"one connection, {len(worker.sample):,}-byte messages, {loop.received:,} arrived; "
        f"CPU {loop_cpu:.1f} s (with making the messages and starting)"
    )
    print(
        f"     {'the sink alone':<24} {_per_message_ms(worker)} ms CPU a message "
        f"(worker run), {_per_message_ms(loop)} ms (loop run)"
    )
    return ok


def _per_message_ms(report: Report) -> str:
    return f"{report.cpu_seconds / max(report.received, 1) * 1000:.2f}"


def main() -> int:
    """Every database; 1 when a target is missed."""
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        databases = [("SQLite", f"sqlite:///{folder}/reminders.sqlite3")]
        if os.environ.get("BENCH_DATABASE_URL"):
            databases.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
        for label, url in databases:
            ok &= bench_database(label, url, folder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
