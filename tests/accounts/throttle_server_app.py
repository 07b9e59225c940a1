"""A test-only WSGI app for the throttle test: `gunicorn tests.accounts.throttle_server_app:app`.

It serves the database named by ENGAGE_TEST_SERVER_DATABASE_URL with CSRF off,
so that plain POSTs can sign in. The throttle is left as deployed: its storage
comes from RATELIMIT_STORAGE_URI in the environment (memory:// when unset), and
RATELIMIT_ENABLED=False switches off only Flask-Limiter's registration limit.
Each answer names the worker process that gave it.
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


@app.after_request
def name_the_worker(response):
    """Say which worker answered, so the test can show the attempts were spread."""
    response.headers["X-Worker-Pid"] = str(os.getpid())
    return response
