"""after the day: certificates of attendance (with their verification codes) and event resources

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_certificates_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_certificates_registration_id'))
    )
    op.create_table('event_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_resources_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_event_resources_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_resources'))
    )
    with op.batch_alter_table('event_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_resources_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_resources_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_resources_session_id'))
        batch_op.drop_index(batch_op.f('ix_event_resources_event_id'))

    op.drop_table('event_resources')
    op.drop_table('certificates')
