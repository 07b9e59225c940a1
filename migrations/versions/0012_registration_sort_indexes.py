"""registration sort indexes: the attendee list and exports page by name and booking time

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 15:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registrations_event_name', ['event_id', 'last_name', 'first_name', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_registrations_event_booked', ['event_id', 'created_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_booked')
        batch_op.drop_index('ix_registrations_event_name')
