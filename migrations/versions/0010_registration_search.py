"""registration search text: name, email and organisation folded for the staff search

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 14:30:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l",
                               "þ": "th", "\u0131": "i", "ħ": "h", "ŧ": "t"})


def _fold(text):
    # A copy of engage.search.fold as it stood: a migration must not change with the app.
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_UNDECOMPOSED).split())


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('search_text', sa.String(length=700), server_default='', nullable=False)
        )
    registrations = sa.table(
        'registrations',
        sa.column('id', sa.Integer),
        sa.column('first_name', sa.String),
        sa.column('last_name', sa.String),
        sa.column('email', sa.String),
        sa.column('organisation', sa.String),
        sa.column('search_text', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            registrations.c.id,
            registrations.c.first_name,
            registrations.c.last_name,
            registrations.c.email,
            registrations.c.organisation,
        )
    ).all()
    for row in rows:
        text = _fold(" ".join((row.first_name, row.last_name, row.email, row.organisation or "")))
        connection.execute(
            registrations.update()
            .where(registrations.c.id == row.id)
            .values(search_text=text[:700])
        )


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('search_text')
