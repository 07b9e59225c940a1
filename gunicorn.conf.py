"""Gunicorn's settings for Engage in production: `gunicorn wsgi:app` reads this file.

Each app server is stateless: sessions are signed cookies, rate-limit counts
live in Redis (RATELIMIT_STORAGE_URI) or the database, and email goes through
the database's outbox to the workers. So any number of servers can stand
behind one load balancer, which should check GET /healthz.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one database connection for its length.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so that no slow leak outlives a day.
max_requests = 5000
max_requests_jitter = 500
# No access log: its lines would hold self-service and check-in links, which are
# secrets (and personal data). Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Who may set X-Forwarded-*: Engage itself trusts them only with TRUSTED_PROXIES set.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
