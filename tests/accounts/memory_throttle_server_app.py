"""The throttle test's control: `gunicorn tests.accounts.memory_throttle_server_app:app`.

The same app as tests/server_app.py, with every worker counting failed
sign-ins in its own memory (how the throttle worked before the database
kept the counts). It lives under tests/ so that no setting can choose it.
"""

import threading
import time
from collections import defaultdict

from engage.accounts import throttle
from tests.server_app import app


class WorkerMemoryThrottle:
    """Counts in this worker's memory alone (atomic within the worker, shared with no other)."""

    def __init__(self):
        self.hits: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def _recent(self, limit, key: str) -> list[float]:
        since = time.time() - limit.get_expiry()
        self.hits[key] = [at for at in self.hits[key] if at > since]
        return self.hits[key]

    def reserve(self, limit, *keys: str):
        """None if any key is used up here, else one attempt counted on each."""
        with self.lock:
            if any(len(self._recent(limit, key)) >= limit.amount for key in keys):
                return None
            at = time.time()
            for key in keys:
                self.hits[key].append(at)
            return throttle.Reservation(tuple((key, at) for key in keys))

    def give_back(self, reservation) -> None:
        """Uncount the reservation's attempts."""
        with self.lock:
            for key, at in reservation.held:
                self.hits[key].remove(at)

    def clear(self, limit, *keys: str) -> None:
        """Forget the keys' attempts."""
        with self.lock:
            for key in keys:
                self.hits.pop(key, None)


app.extensions[throttle._EXTENSION] = WorkerMemoryThrottle()

__all__ = ["app"]
