"""Settings, read from the environment with safe development defaults."""

from __future__ import annotations

import os
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - refused outside development
MIN_SECRET_KEY_BYTES = 32  # 256 bits, if random
DEV_SITE_URL = "http://127.0.0.1:5000"
DEFAULT_SITE_NAME = "Centre for Policing Research and Learning"
DEFAULT_SENDER_ADDRESS = "events@engage.invalid"


class ConfigError(RuntimeError):
    """Raised when the app would start with unsafe settings."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def database_uri(url: str) -> str:
    """A DATABASE_URL as SQLAlchemy takes it: PostgreSQL through psycopg 3."""
    # Heroku-style URLs name the old dialect; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def from_environment(instance_path: str) -> dict:
    """Build the settings mapping from environment variables."""
    env = os.environ.get("ENGAGE_ENV", "development")
    database_url = database_uri(
        os.environ.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "engage.sqlite3")
    )
    site_name = os.environ.get("SITE_NAME", DEFAULT_SITE_NAME)
    # The sender's name is the site's own unless the whole sender is set.
    sender = os.environ.get("MAIL_DEFAULT_SENDER") or formataddr(
        (site_name, DEFAULT_SENDER_ADDRESS)
    )
    return {
        "ENGAGE_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A database error's message never quotes the values (addresses, names) it was given:
        # such messages reach the error log.
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "SITE_NAME": site_name,
        "SITE_URL": os.environ.get("SITE_URL", DEV_SITE_URL),
        # Host names production answers besides SITE_URL's (see trusted_hosts()).
        "EXTRA_TRUSTED_HOSTS": _list("TRUSTED_HOSTS"),
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Europe/London"),
        "ICS_UID_DOMAIN": os.environ.get("ICS_UID_DOMAIN", "engage.invalid"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        # Seconds a public page is kept for visitors (engage/pagecache.py): 1 at most, 0 off.
        "PAGE_CACHE_SECONDS": float(os.environ.get("PAGE_CACHE_SECONDS") or 1),
        "MAIL_PORT": _int("MAIL_PORT", 8025),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": sender,
        # Whom attendees write to when an event names no contact of its own.
        "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL") or parseaddr(sender)[1],
        # The outbox worker (engage.mail.worker).
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        "MAIL_BATCH_SIZE": _int("MAIL_BATCH_SIZE", 50),
        "MAIL_POLL_SECONDS": _int("MAIL_POLL_SECONDS", 5),
        "MAIL_CLAIM_LEASE_SECONDS": _int("MAIL_CLAIM_LEASE_SECONDS", 300),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 7),
        # Recipients of a mailing written into the outbox per transaction (engage.mail.mailings).
        "MAILING_BATCH_SIZE": _int("MAILING_BATCH_SIZE", 200),
        "MAIL_SMTPUTF8": _bool("MAIL_SMTPUTF8", False),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # If Redis is down, registration stays open (the honeypot still works);
        # sign-in, whose throttle must hold, refuses instead (accounts/throttle.py).
        "RATELIMIT_SWALLOW_ERRORS": True,
        "NEWS_PER_PAGE": _int("NEWS_PER_PAGE", 10),
        "SELF_SERVICE_DAYS_AFTER_EVENT": _int("SELF_SERVICE_DAYS_AFTER_EVENT", 30),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # __Host-: the browser takes it only over https, for this host, with Path=/, so
        # no subdomain or plain-http page can set or shadow it (ASVS 5.0 V3.3.3).
        "SESSION_COOKIE_NAME": "__Host-session" if env == "production" else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        # Staff are signed out after this long without a request, and this long after signing in.
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "PREFERRED_URL_SCHEME": "https" if env == "production" else "http",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


def trusted_hosts(config) -> list[str] | None:
    """Flask's TRUSTED_HOSTS: in production SITE_URL's host and the extra ones; else any host.

    A request for another host gets a 400 before any view runs, so nothing
    the site builds can pick up a Host header an attacker sent.
    """
    if config.get("ENGAGE_ENV") != "production":
        return None
    site = urlsplit(config["SITE_URL"]).hostname
    if not site:
        raise ConfigError("SITE_URL must be a full address, such as https://events.example.org")
    return [site, *config.get("EXTRA_TRUSTED_HOSTS", [])]


def check(config: dict) -> None:
    """Refuse settings that are unsafe for the configured environment."""
    if config.get("ENGAGE_ENV") == "production" and not _strong_secret(config.get("SECRET_KEY")):
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_BYTES} bytes in "
            "production, not the development key. Make one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if config.get("ENGAGE_ENV") == "production":
        _check_site_url(config)


def _check_site_url(config: dict) -> None:
    # Every link in every email is built on SITE_URL, and production answers only its host.
    site = urlsplit(config.get("SITE_URL") or "")
    if config["SITE_URL"] == DEV_SITE_URL or site.scheme != "https" or not site.hostname:
        raise ConfigError(
            "SITE_URL must be the site's public https address in production, such as "
            "https://events.example.org (links in emails are built on it, and requests for "
            "any other host are refused)."
        )


def _strong_secret(key: str | bytes | None) -> bool:
    # Sessions and tokens are signed with it: a short key can be guessed offline.
    if not key or key == DEV_SECRET_KEY:
        return False
    return len(key.encode() if isinstance(key, str) else key) >= MIN_SECRET_KEY_BYTES
