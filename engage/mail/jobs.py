"""Periodic jobs that features register and every mail worker runs on their schedule.

A feature registers a job at import time (`periodic("reminders", every=...)`).
Each worker pass runs the jobs that are due. With several workers, one row
per job in `job_runs` decides who runs it: a worker runs a job only if its
conditional UPDATE moved `started_at` forward, so each period runs once
across all workers. A job must still be safe to repeat (a worker may die
mid-run); a failing job is logged and tried again next period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from engage.db import transaction, utcnow
from engage.extensions import db
from engage.mail.models import JobRun

log = logging.getLogger("engage.mail")


@dataclasses.dataclass(frozen=True)
class Job:
    """A function to run every so often, at most once per period across all workers."""

    name: str
    every: dt.timedelta
    run: Callable[..., object]


_registry: dict[str, Job] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable:
    """Register the decorated function (taking `now`) as the periodic job `name`."""

    def register(function: Callable[..., object]) -> Callable[..., object]:
        _registry[name] = Job(name, every, function)
        return function

    return register


def registered() -> list[Job]:
    """Every job registered so far, by name."""
    return [_registry[name] for name in sorted(_registry)]


def claim(job: Job, worker_id: str, now: dt.datetime) -> bool:
    """Whether this worker should run the job now; if so, the start is recorded."""
    try:
        with transaction() as session:
            if session.get(JobRun, job.name) is None:
                session.add(JobRun(name=job.name, started_at=now, started_by=worker_id))
                return True
            moved = session.execute(
                update(JobRun)
                .where(
                    JobRun.name == job.name,
                    or_(JobRun.started_at <= now - job.every, JobRun.started_at > now),
                )
                .values(started_at=now, started_by=worker_id)
            ).rowcount
            return bool(moved)
    except IntegrityError:
        return False  # another worker inserted the first row at the same moment


def run_due(worker_id: str, *, now: dt.datetime | None = None) -> list[str]:
    """Run every registered job that is due; the names of those this worker ran."""
    now = now or utcnow()
    ran = []
    for job in registered():
        if not claim(job, worker_id, now):
            continue
        try:
            job.run(now=now)
        except Exception:
            db.session.rollback()
            log.exception("periodic job %s failed; it runs again next period", job.name)
        finally:
            db.session.remove()
        ran.append(job.name)
    return ran


def last_started(name: str) -> dt.datetime | None:
    """When the job last started, if ever."""
    return db.session.scalar(select(JobRun.started_at).where(JobRun.name == name))
