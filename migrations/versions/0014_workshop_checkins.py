"""workshop rooms: who was checked in at each workshop room's door, once per person and room

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SOURCES = ('search', 'code', 'link', 'desk', 'record')


def upgrade():
    op.create_table('workshop_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_workshop_checkins_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_workshop_checkins_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_workshop_checkins_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_checkins')),
    sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_workshop_checkins_registration_id'))
    )
    with op.batch_alter_table('workshop_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_checkins_session_id'), ['session_id'], unique=False)

    # The log names a room's door as a source of its own. SQLite stores the enum
    # as text (no constraint to change); PostgreSQL's type gains the value.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TYPE checkin_source ADD VALUE IF NOT EXISTS 'room'")


def downgrade():
    # The rooms' log rows go with the rooms' table: they describe nothing left.
    op.execute("DELETE FROM checkins WHERE source = 'room'")
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL cannot drop a value from a type: make the type again without it.
        op.execute("ALTER TYPE checkin_source RENAME TO checkin_source_old")
        sa.Enum(*SOURCES, name='checkin_source').create(op.get_bind())
        op.execute(
            "ALTER TABLE checkins ALTER COLUMN source TYPE checkin_source"
            " USING source::text::checkin_source"
        )
        op.execute("DROP TYPE checkin_source_old")

    with op.batch_alter_table('workshop_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_checkins_session_id'))

    op.drop_table('workshop_checkins')
