"""the application a 重新申请 or 补正 was made from, so review's application object is the
same as applications' (reapplied_from)

Revision ID: review_0010
"""

import sqlalchemy as sa
from alembic import op

revision = "review_0010"
down_revision = "review_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("reapplied_from", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("reapplied_from")
