"""已终止: when and why an application ended with its reader's relation to the case, and
the last end announced per reader and case

Revision ID: applications_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "applications_0003"
down_revision = "applications_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.Text, nullable=True))
    op.create_table(
        "representation_ends",
        sa.Column("user_id", sa.Integer, primary_key=True),
        sa.Column("case_no", sa.String(64), primary_key=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("representation_ends")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("revoked_reason")
        batch.drop_column("revoked_at")
