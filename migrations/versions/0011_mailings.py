"""mailings: one message to many people, and who it goes to, written out by the worker

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sending', 'done', name='mailing_status'), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('written_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_mailings_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_mailings_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailings')),
    sa.UniqueConstraint('key', name=op.f('uq_mailings_key'))
    )
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailings_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailings_status'), ['status'], unique=False)

    op.create_table('mailing_recipients',
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mailing_id'], ['mailings.id'], name=op.f('fk_mailing_recipients_mailing_id_mailings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_mailing_recipients_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('mailing_id', 'recipient_id', name=op.f('pk_mailing_recipients'))
    )
    with op.batch_alter_table('mailing_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_recipients_outbox_message_id'), ['outbox_message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mailing_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_recipients_outbox_message_id'))

    op.drop_table('mailing_recipients')
    with op.batch_alter_table('mailings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailings_status'))
        batch_op.drop_index(batch_op.f('ix_mailings_event_id'))

    op.drop_table('mailings')
    sa.Enum(name='mailing_status').drop(op.get_bind(), checkfirst=True)