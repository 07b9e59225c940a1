"""/healthz tells a load balancer whether this server can serve: database up, schema migrated."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade

from engage import create_app
from engage.extensions import db
from tests.conftest import BACKENDS, TEST_CONFIG


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


def test_the_suites_databases_are_at_the_newest_migration(client):
    assert client.get("/healthz").status_code == 200


def test_healthy_when_migrated_and_unavailable_when_behind(empty_database_url):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    client = app.test_client()
    with app.app_context():
        upgrade()
        head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
        answer = client.get("/healthz")
        assert answer.status_code == 200
        assert answer.json == {
            "status": "ok",
            "database": "ok",
            "migration": head,
            "expected": head,
        }
        assert answer.headers["Cache-Control"] == "no-store"

        downgrade(revision="-1")
        db.session.remove()
        behind = client.get("/healthz")
        assert behind.status_code == 503
        assert behind.json["migration"] not in (None, head)
        assert behind.json["expected"] == head
        db.engine.dispose()


def test_unavailable_when_never_migrated(make_app, tmp_path):
    # Tables made from the models (db.create_all) but no record of any migration.
    unmigrated = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    answer = unmigrated.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["database"] == "ok"
    assert answer.json["migration"] is None


def test_unavailable_when_the_database_does_not_answer(tmp_path):
    missing = tmp_path / "no-such-folder" / "engage.sqlite3"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["database"] == "unreachable"
