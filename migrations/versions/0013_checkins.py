"""check-in at the desk: who checked each person in, the check-in log, walk-ins without email

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ACTIVE = "status != 'cancelled'"
ACTIVE_WITH_EMAIL = "status != 'cancelled' AND email != ''"


def upgrade():
    # On SQLite this copies the table: migrations/env.py runs with foreign keys off,
    # so that dropping the old copy does not delete what cascades from it.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_registrations_checked_in_by_id_users'),
            'users', ['checked_in_by_id'], ['id'], ondelete='SET NULL',
        )
        # The desk's totals, counted from the index alone.
        batch_op.create_index(
            'ix_registrations_checkin_totals', ['event_id', 'status', 'checked_in_at'], unique=False
        )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        # Walk-ins may give no address: several empty ones may be active at once.
        batch_op.drop_index(
            'uq_registrations_event_id_email_active',
            sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
        )
        batch_op.create_index(
            'uq_registrations_event_id_email_active', ['event_id', 'email'], unique=True,
            sqlite_where=sa.text(ACTIVE_WITH_EMAIL), postgresql_where=sa.text(ACTIVE_WITH_EMAIL),
        )

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('checked_in', 'undone', name='checkin_action'), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum('search', 'code', 'link', 'desk', 'record', name='checkin_source'), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_checkins_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_checkins_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_registration_id'), ['registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_registration_id'))

    op.drop_table('checkins')
    sa.Enum(name="checkin_source").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="checkin_action").drop(op.get_bind(), checkfirst=True)

    # Back to one address per active registration: walk-ins without one must have
    # gone (or been given one) before this index can be made again.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_registrations_event_id_email_active',
            sqlite_where=sa.text(ACTIVE_WITH_EMAIL), postgresql_where=sa.text(ACTIVE_WITH_EMAIL),
        )
        batch_op.create_index(
            'uq_registrations_event_id_email_active', ['event_id', 'email'], unique=True,
            sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE),
        )
        batch_op.drop_index('ix_registrations_checkin_totals')
        batch_op.drop_constraint(
            batch_op.f('fk_registrations_checked_in_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('checked_in_by_id')
