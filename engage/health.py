"""/healthz: whether this app server can serve, for a load balancer or an uptime check.

It answers 200 when the database answers and its schema is at the newest
migration, and 503 otherwise, with a few words of JSON that say which. It
holds nothing personal and nothing secret; it is never cached.
"""

from __future__ import annotations

import os

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engage.extensions import db

bp = Blueprint("health", __name__)


def newest_migration() -> str | None:
    """The head revision of migrations/ (read once per process)."""
    cached = current_app.extensions.get("engage.migration_head")
    if cached is None:
        folder = os.path.join(current_app.root_path, "..", "migrations")
        script = ScriptDirectory(folder)
        cached = current_app.extensions["engage.migration_head"] = script.get_current_head()
    return cached


def database_migration() -> str | None:
    """The revision the database is at (None if never migrated); raises if it is down."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        if not db.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@bp.get("/healthz")
def healthz():
    """200 with the migration when all is well; 503 saying what is wrong otherwise."""
    head = newest_migration()
    try:
        at = database_migration()
    except SQLAlchemyError:
        current_app.logger.warning("health check: the database did not answer")
        return _answer(503, database="unreachable", migration=None, expected=head)
    if at != head:
        return _answer(503, database="ok", migration=at, expected=head)
    return _answer(200, database="ok", migration=at, expected=head)


def _answer(status: int, **details):
    response = jsonify(status="ok" if status == 200 else "unavailable", **details)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
