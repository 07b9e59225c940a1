"""A test-only WSGI app for the concurrency test: `gunicorn tests.registrations.server_app:app`.

It serves the database named by ENGAGE_TEST_SERVER_DATABASE_URL, with CSRF and
rate limits off so that a burst of plain POSTs is accepted.
"""

import os

from engage import create_app

app = create_app(
    {
        "ENGAGE_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": os.environ["ENGAGE_TEST_SERVER_DATABASE_URL"],
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
)
