"""organisations: the curated list people choose from, shipped with the UK's police and universities

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 17:00:00.000000

"""

import datetime as dt

from alembic import op
import sqlalchemy as sa

from engage.organisations import starting_list
from engage.search import fold


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KINDS = ("police_force", "university", "other_public", "charity", "company", "other")


def upgrade():
    organisations = op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="organisation_kind"), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name_key", name=op.f("uq_organisations_name_key")),
    )
    # On SQLite this copies the table: migrations/env.py runs with foreign keys off,
    # so that dropping the old copy does not delete what cascades from it.
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_registrations_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_registrations_organisation_id"), ["organisation_id"], unique=False
        )

    # Every database starts with the shipped list (the data files, read without the
    # model class, so this stays right whatever the model becomes).
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if op.get_bind().dialect.name == "postgresql":
        now = now.replace(tzinfo=dt.UTC)
    rows, seen = [], set()
    for name, kind in starting_list.entries():
        if fold(name) not in seen:
            seen.add(fold(name))
            rows.append(
                dict(name=name, name_key=fold(name), kind=kind, is_active=True, created_at=now)
            )
    op.bulk_insert(organisations, rows)
    # Earlier registrations that typed a shipped name exactly (in any case) now point at it.
    op.execute(
        "UPDATE registrations SET organisation_id = (SELECT o.id FROM organisations o"
        " WHERE o.name_key = lower(trim(registrations.organisation)))"
    )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_organisation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_registrations_organisation_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("organisation_id")
    op.drop_table("organisations")
    sa.Enum(name="organisation_kind").drop(op.get_bind(), checkfirst=True)
