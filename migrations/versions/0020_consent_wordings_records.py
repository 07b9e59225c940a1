"""versioned consent wordings, and each registration's record of the versions it agreed to

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 18:00:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

KINDS = ('privacy_notice', 'privacy', 'dietary', 'access', 'feedback')
SOURCES = ('public_form', 'self_service', 'organiser')
# Version 1 of each wording: the texts in use when they were first versioned
# (the same as engage.registrations.consents.DEFAULT_TEXTS, copied so that this
# migration never changes when the code does).
SEED = {
    'privacy_notice': (
        "This notice explains what personal data we collect when you register for one of "
        "our events, why, how long we keep it, and what you can do about it."
    ),
    'privacy': (
        "I have read the privacy notice and agree to my details being used to run this event"
    ),
    'dietary': (
        "I agree that you may keep my dietary requirements and share them with the caterers"
    ),
    'access': (
        "I agree that you may keep my access requirements and share them with the venue"
    ),
    'feedback': (
        "Your answers to the feedback survey help us improve our events. "
        "They are shown to the event's organisers."
    ),
}


def upgrade():
    wordings = op.create_table('consent_wordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='consent_kind'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consent_wordings_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_wordings')),
    sa.UniqueConstraint('kind', 'version', name=op.f('uq_consent_wordings_kind'))
    )
    # The type exists now; the second table only uses it.
    if op.get_bind().dialect.name == 'postgresql':
        kind_type = postgresql.ENUM(*KINDS, name='consent_kind', create_type=False)
    else:
        kind_type = sa.Enum(*KINDS, name='consent_kind')
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', kind_type, nullable=False),
    sa.Column('wording_id', sa.Integer(), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum(*SOURCES, name='consent_source'), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_consent_records_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wording_id'], ['consent_wordings.id'], name=op.f('fk_consent_records_wording_id_consent_wordings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_records_wording_id'), ['wording_id'], unique=False)
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(wordings, [
        {'kind': kind, 'version': 1, 'text': text, 'created_at': now, 'created_by_id': None}
        for kind, text in SEED.items()
    ])


def downgrade():
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_wording_id'))
        batch_op.drop_index(batch_op.f('ix_consent_records_registration_id'))
    op.drop_table('consent_records')
    op.drop_table('consent_wordings')
    sa.Enum(name='consent_source').drop(op.get_bind(), checkfirst=True)
    sa.Enum(name='consent_kind').drop(op.get_bind(), checkfirst=True)
