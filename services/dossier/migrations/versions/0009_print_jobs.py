"""print jobs (打印 of several documents in one stamped PDF), and idempotency keys for them

Revision ID: dossier_0009
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "dossier_0009"
down_revision = "dossier_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("application_id", sa.String(64), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("stamp", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("pages_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pages_total", sa.Integer, nullable=False),
        sa.Column("object_key", sa.String(255), nullable=True),
        sa.Column("size", sa.Integer, nullable=True),
        sa.Column("maker", sa.String(32), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    migration_tables.create_idempotency_keys(op)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("print_jobs")
