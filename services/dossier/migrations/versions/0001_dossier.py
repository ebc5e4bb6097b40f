"""documents, reading grants, links, access log, outbox, inbox

Revision ID: dossier_0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "dossier_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_no", sa.String(64), nullable=False, index=True),
        sa.Column("volume", sa.String(50), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("object_key", sa.String(255), nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "readings",
        sa.Column("application_id", sa.String(64), primary_key=True),
        sa.Column("applicant_id", sa.Integer, index=True),
        sa.Column("applicant_name", sa.String(50)),
        sa.Column("case_no", sa.String(64)),
        sa.Column("opinion", sa.String(16)),
        sa.Column("mode", sa.String(16)),
        sa.Column("valid_until", sa.Date),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("application_id", sa.String(64), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False, index=True),
        sa.Column("actor_id", sa.Integer, nullable=False),
        sa.Column("actor_name", sa.String(50), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("document_id", sa.Integer),
        sa.Column("page", sa.Integer),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO access_log_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    migration_tables.create_outbox(op)
    migration_tables.create_inbox(op)


def downgrade() -> None:
    for table in ("inbox", "outbox", "access_log_head", "access_log", "links", "readings", "documents"):
        op.drop_table(table)
