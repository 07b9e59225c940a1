"""A test-only WSGI app for tests that need a real server: `gunicorn tests.server_app:app`.

It serves the database named by ENGAGE_TEST_SERVER_DATABASE_URL, with CSRF off,
and the booking limits off unless ENGAGE_TEST_RATELIMIT is set, so that a burst of
plain POSTs is accepted. Everything else is as deployed: the sign-in throttle's storage
comes from RATELIMIT_STORAGE_URI (the database when unset). Each answer names
the worker process that gave it, so a test can show its requests were spread.
"""

import os

from engage import create_app

app = create_app(
    {
        "ENGAGE_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": os.environ["ENGAGE_TEST_SERVER_DATABASE_URL"],
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": bool(os.environ.get("ENGAGE_TEST_RATELIMIT")),
        # Tests running at once on one Redis keep their counters apart by prefix.
        "RATELIMIT_STORAGE_OPTIONS": {
            "key_prefix": os.environ.get("ENGAGE_TEST_KEY_PREFIX", "engage-test-server")
        },
    }
)


@app.after_request
def name_the_worker(response):
    """Say which worker answered."""
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
