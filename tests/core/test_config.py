"""Settings come from the environment, and production refuses unsafe ones."""

import pytest

from engage import create_app
from engage.config import DEV_SECRET_KEY, ConfigError


def test_production_refuses_the_development_secret(
    monkeypatch, tmp_path, recommended_password_hashing
):
    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_production_refuses_the_suites_cheap_password_hashing(monkeypatch, tmp_path):
    """The suite hashes cheaply (tests/conftest.py); a server must never start that way."""
    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-from-the-environment")
    monkeypatch.setenv("SITE_URL", "https://events.example.org")
    url = f"sqlite:///{tmp_path}/x.db"
    with pytest.raises(ConfigError, match="Password hashing"):
        create_app({"SQLALCHEMY_DATABASE_URI": url})
    create_app({"SQLALCHEMY_DATABASE_URI": url, "ENGAGE_ENV": "testing"})  # control


def test_production_starts_with_a_real_secret(monkeypatch, tmp_path, recommended_password_hashing):
    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-from-the-environment")
    monkeypatch.setenv("SITE_URL", "https://events.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/engage")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/engage"


def test_sqlite_in_instance_folder_by_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/engage.sqlite3")


def test_behind_a_trusted_proxy_the_client_address_is_used(make_app):
    from flask import request

    seen = []
    for proxies in (0, 1):
        app = make_app(TRUSTED_PROXIES=proxies)
        app.add_url_rule("/whoami", "whoami", lambda: seen.append(request.remote_addr) or "ok")
        app.test_client().get(
            "/whoami",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    assert seen == ["127.0.0.1", "203.0.113.9"]
