"""an online grant's reach: the chosen 正卷 documents and 允许打印

Revision ID: applications_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "applications_0002"
down_revision = "applications_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("granted_documents", sa.Text, nullable=True))
        batch.add_column(sa.Column("print_allowed", sa.Boolean, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("print_allowed")
        batch.drop_column("granted_documents")
