"""a reading ends for good: 已终止 (the reader's relation to the case ended) or 已撤回

Revision ID: dossier_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "dossier_0005"
down_revision = "dossier_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("revoked_at")
