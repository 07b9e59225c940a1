"""registrations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 16:41:13.106411

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='registration_status'), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.Enum('police_officer', 'police_staff', 'academic', 'partner', name='attendee_category'), nullable=False),
    sa.Column('dietary_requirements', sa.Text(), nullable=False),
    sa.Column('access_requirements', sa.Text(), nullable=False),
    sa.Column('privacy_accepted', sa.Boolean(), nullable=False),
    sa.Column('privacy_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dietary_consent', sa.Boolean(), nullable=False),
    sa.Column('dietary_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('access_consent', sa.Boolean(), nullable=False),
    sa.Column('access_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_code', sa.String(length=32), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registrations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('checkin_code', name=op.f('uq_registrations_checkin_code'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_status'), ['status'], unique=False)
        batch_op.create_index('uq_registrations_event_id_email_active', ['event_id', 'email'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    op.create_table('registration_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['event_questions.id'], name=op.f('fk_registration_answers_question_id_event_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_answers_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answers')),
    sa.UniqueConstraint('registration_id', 'question_id', name=op.f('uq_registration_answers_registration_id'))
    )
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_answers_registration_id'), ['registration_id'], unique=False)

    op.create_table('registration_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('registered', 'waitlisted', 'promoted', 'changed', 'cancelled', name='registration_action'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_history_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_history'))
    )
    with op.batch_alter_table('registration_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_history_registration_id'), ['registration_id'], unique=False)

    op.create_table('registration_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_tokens_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registration_tokens_token_hash'))
    )
    with op.batch_alter_table('registration_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_tokens_registration_id'), ['registration_id'], unique=False)

    op.create_table('registration_workshops',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_workshops_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'], name=op.f('fk_registration_workshops_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'session_id', name=op.f('pk_registration_workshops'))
    )


def downgrade():
    op.drop_table('registration_workshops')
    with op.batch_alter_table('registration_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_tokens_registration_id'))

    op.drop_table('registration_tokens')
    with op.batch_alter_table('registration_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_history_registration_id'))

    op.drop_table('registration_history')
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answers_registration_id'))

    op.drop_table('registration_answers')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_event_id_email_active', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_registrations_status'))
        batch_op.drop_index(batch_op.f('ix_registrations_event_id'))

    op.drop_table('registrations')
    sa.Enum(name="registration_action").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="attendee_category").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="registration_status").drop(op.get_bind(), checkfirst=True)
