"""retention: dietary and access answers erased sooner, counts kept after the purge

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('needs_retention_days', sa.Integer(), server_default='7', nullable=False)
        )
        batch_op.add_column(sa.Column('needs_erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('data_purged_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('event_aggregates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_aggregates_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_aggregates')),
    sa.UniqueConstraint('event_id', 'metric', 'key', name=op.f('uq_event_aggregates_event_id'))
    )
    with op.batch_alter_table('event_aggregates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_aggregates_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_aggregates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_aggregates_event_id'))
    op.drop_table('event_aggregates')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('data_purged_at')
        batch_op.drop_column('needs_erased_at')
        batch_op.drop_column('needs_retention_days')
