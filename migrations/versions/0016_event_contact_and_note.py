"""event contact email and "for attendees" note; Reply-To on outbox messages

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # Adding a column needs no copy of the table, even on SQLite.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendee_note_md', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(
            sa.Column('contact_email', sa.String(length=254), server_default='', nullable=False)
        )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reply_to', sa.String(length=254), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('attendee_note_md')
