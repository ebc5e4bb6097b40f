"""materials, applications, outbox, inbox, idempotency keys

Revision ID: applications_0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "applications_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "materials",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_id", sa.Integer, nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "material_grants",
        sa.Column("material_id", sa.String(36), sa.ForeignKey("materials.id"), primary_key=True),
        sa.Column("court", sa.String(100), primary_key=True),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("applicant_id", sa.Integer, nullable=False, index=True),
        sa.Column("applicant_name", sa.String(50), nullable=False),
        sa.Column("applicant_role", sa.String(16), nullable=False),
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("court", sa.String(100), nullable=False, index=True),
        sa.Column("scope", sa.String(500), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("pending_key", sa.String(100), unique=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reapplied_from", sa.Integer),
        sa.Column("reviewer", sa.String(50)),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("opinion", sa.String(16)),
        sa.Column("explanation", sa.Text),
        sa.Column("mode", sa.String(16)),
        sa.Column("valid_until", sa.Date),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("notice", sa.Text),
        sa.Column("attended", sa.Boolean),
        sa.Column("borrowed_at", sa.DateTime(timezone=True)),
        sa.Column("returned_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_applications_applicant_applied", "applications", ["applicant_id", "applied_at", "id"])
    op.create_table(
        "application_materials",
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), primary_key=True),
        sa.Column("material_id", sa.String(36), sa.ForeignKey("materials.id"), primary_key=True, index=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    migration_tables.create_outbox(op)
    migration_tables.create_inbox(op)
    migration_tables.create_idempotency_keys(op)


def downgrade() -> None:
    for table in (
        "idempotency_keys",
        "inbox",
        "outbox",
        "application_materials",
        "applications",
        "material_grants",
        "materials",
    ):
        op.drop_table(table)
