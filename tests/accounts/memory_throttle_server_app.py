"""The throttle test's control: `gunicorn tests.accounts.memory_throttle_server_app:app`.

The same app as tests/server_app.py, with every worker counting failed
sign-ins in its own memory (how the throttle worked before the database
kept the counts). It lives under tests/ so that no setting can choose it.
"""

from engage.accounts import throttle
from tests.server_app import app

app.extensions[throttle._EXTENSION] = throttle.StorageThrottle("memory://")

__all__ = ["app"]
