"""review queue, decisions, attendance, messages, outbox, inbox and idempotency keys

Revision ID: review_0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "review_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("applicant_id", sa.Integer, nullable=False, index=True),
        sa.Column("applicant_name", sa.String(50), nullable=False),
        sa.Column("applicant_role", sa.String(16), nullable=False),
        sa.Column("applicant_phone", sa.String(20)),
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opinion", sa.String(16)),
        sa.Column("mode", sa.String(8)),
        sa.Column("explanation", sa.Text),
        sa.Column("reviewer", sa.String(50)),
        sa.Column("reviewer_id", sa.Integer),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("valid_until", sa.Date),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("notice", sa.Text),
        sa.Column("attended", sa.Boolean),
        sa.Column("borrowed_at", sa.DateTime(timezone=True)),
        sa.Column("returned_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_review_applications_queue", "applications", ["court", "status", "applied_at"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("application_id", sa.String(64)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("application_id", "kind", name="uq_messages_application_kind"),
    )
    migration_tables.create_outbox(op)
    migration_tables.create_inbox(op)
    migration_tables.create_idempotency_keys(op)


def downgrade() -> None:
    for table in ("idempotency_keys", "inbox", "outbox", "messages", "applications"):
        op.drop_table(table)
