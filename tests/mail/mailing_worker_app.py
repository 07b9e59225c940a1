"""The worker's app as `flask --app wsgi` builds it, plus the tests' own mailing writer.

`flask --app tests.mail.mailing_worker_app engage worker`: a worker process that
can write "test-note" mailings (and hang where MAILING_TEST_HANG_AT says).
"""

import tests.mail.mailing_helpers  # noqa: F401 - registers the "test-note" writer
from wsgi import app

__all__ = ["app"]
