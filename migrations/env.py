"""Alembic environment: runs inside the Flask app, against its database."""

from alembic import context
from flask import current_app

from engage.db import UTCDateTime

config = context.config
db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write our UTC type as the plain column type it stores, so migrations stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=db.metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Switch SQLite's foreign keys; only possible outside a transaction, so on the raw connection.

    Batch mode alters a SQLite table by copying it and dropping the old copy. With
    foreign keys on, that DROP deletes every row that cascades from the table
    (a registration's history, answers and tokens) and nulls every SET NULL
    reference: the data would be lost. Alembic's advice is to run with them off,
    then check that every reference still holds.
    """
    raw = connection.connection.driver_connection
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=db.metadata,
                render_as_batch=True,  # SQLite alters tables by copying them
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.commit()
                _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
