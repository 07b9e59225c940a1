"""The migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from engage import create_app
from engage.extensions import db
from tests.conftest import BACKENDS, TEST_CONFIG


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return request.getfixturevalue("postgres").create_database()


def _differences(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_models_and_downgrade_empties(empty_database_url):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        assert _differences(app) == []
        downgrade(revision="base")
        remaining = set(db.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert _differences(app) == []
        db.engine.dispose()


def test_the_check_catches_a_model_change(empty_database_url):
    """Control: a column the migrations lack is reported."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        table = db.metadata.tables["events"]
        extra = db.Column("not_in_any_migration", db.Integer)
        table.append_column(extra)
        try:
            assert any("not_in_any_migration" in str(d) for d in _differences(app))
        finally:
            table._columns.remove(extra)
        db.engine.dispose()


def test_0011_keeps_every_registration_and_what_hangs_off_it(empty_database_url):
    """Adding the check-in columns must not copy registrations in a way that loses their rows.

    SQLite alters a table by copying it, and dropping the old copy with foreign
    keys on deletes every row that cascades from it (history, answers, tokens).
    """
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO events (slug, title, summary, description_md, starts_at, ends_at,"
                " timezone, venue_name, venue_address, is_online, online_join_details,"
                " travel_info_md, access_info_md, waitlist_enabled, max_workshops, is_published,"
                " reminder_offsets_hours, retention_days, ics_sequence, cancellation_reason,"
                " created_at, updated_at) VALUES ('day', 'Day', '', '', '2027-01-21 09:30:00',"
                " '2027-01-21 16:30:00', 'Europe/London', '', '', false, '', '', '', true, 1,"
                " true, '[]', 180, 0, '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
            conn.exec_driver_sql(
                "INSERT INTO registrations (event_id, status, email, first_name, last_name,"
                " organisation, job_title, category, dietary_requirements, access_requirements,"
                " privacy_accepted, dietary_consent, access_consent, created_at, checkin_code,"
                " search_text) VALUES (1, 'confirmed', 'ada@example.org', 'Ada', 'Lovelace',"
                " 'N', 'I', 'academic', '', '', true, false, false, '2026-01-01 00:00:00',"
                " 'c0de', 'ada')"
            )
            conn.exec_driver_sql(
                "INSERT INTO registration_history (registration_id, action, at, note)"
                " VALUES (1, 'registered', '2026-01-01 00:00:00', '')"
            )
        upgrade()
        with db.engine.connect() as conn:
            kept = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM registrations), (SELECT count(*) FROM"
                " registration_history), (SELECT checked_in_by_id FROM registrations)"
            ).one()
        assert tuple(kept) == (1, 1, None)
        db.engine.dispose()
