"""Periodic jobs: features register them, workers run each once per period between them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from engage.extensions import db
from engage.mail import jobs
from engage.mail.worker import run
from tests.conftest import london

T0 = london(2027, 1, 1, 9)


@pytest.fixture
def job(monkeypatch):
    """A job of the test's own, registered for the test only; its runs are recorded."""
    monkeypatch.setattr(jobs, "_registry", {})
    runs = []

    @jobs.periodic("test-job", every=dt.timedelta(minutes=10))
    def record_run(now):
        runs.append(now)

    return runs


def test_features_register_their_jobs():
    assert {"reminders", "retention-purge"} <= {job.name for job in jobs.registered()}


def test_a_job_runs_once_per_period(app, job):
    with app.app_context():
        assert jobs.run_due("w1", now=T0) == ["test-job"]
        assert jobs.run_due("w2", now=T0 + dt.timedelta(minutes=9)) == []
        assert jobs.run_due("w2", now=T0 + dt.timedelta(minutes=10)) == ["test-job"]
        assert jobs.last_started("test-job") == T0 + dt.timedelta(minutes=10)
    assert job == [T0, T0 + dt.timedelta(minutes=10)]


def test_many_workers_at_once_run_it_once(app, job):
    """Eight workers reach the same job at the same moment: exactly one runs it."""
    barrier = threading.Barrier(8)
    claimed = []

    def worker(number: int) -> None:
        with app.app_context():
            barrier.wait()
            for _ in range(3):  # a few passes each, all within the period
                if jobs.claim(jobs.registered()[0], f"w{number}", T0):
                    claimed.append(number)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 1


def test_a_failing_job_is_logged_and_the_others_still_run(app, monkeypatch, caplog):
    monkeypatch.setattr(jobs, "_registry", {})
    ran = []

    @jobs.periodic("a-broken", every=dt.timedelta(minutes=1))
    def broken(now):
        raise RuntimeError("boom")

    @jobs.periodic("b-fine", every=dt.timedelta(minutes=1))
    def fine(now):
        ran.append(now)

    with app.app_context():
        assert jobs.run_due("w1", now=T0) == ["a-broken", "b-fine"]
    assert ran == [T0]
    assert "periodic job a-broken failed" in caplog.text


def test_the_worker_runs_due_jobs_on_each_pass(app, job):
    with app.app_context():
        run(once=True)
    assert len(job) == 1
