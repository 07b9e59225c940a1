"""throttle_hits: an index on hit_at, so that each hit's pruning of old rows reads only those

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 20:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_throttle_hits_hit_at", "throttle_hits", ["hit_at"])


def downgrade():
    op.drop_index("ix_throttle_hits_hit_at", table_name="throttle_hits")
