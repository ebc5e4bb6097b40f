"""已终止 applications, and ends (withdrawal, revocation) heard before the submission

Revision ID: review_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "review_0003"
down_revision = "review_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_reason", sa.Text, nullable=True))
    op.create_table(
        "ended_applications",
        sa.Column("application_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ended_applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("revoked_reason")
        batch.drop_column("revoked_at")
