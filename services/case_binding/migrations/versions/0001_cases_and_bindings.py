"""case directory, parties, lawyers of record, bindings, outbox, inbox

Revision ID: case_binding_0001
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "case_binding_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_no", sa.String(64), nullable=False, unique=True),
        sa.Column("court", sa.String(100), nullable=False, index=True),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("has_electronic_dossier", sa.Boolean, nullable=False),
        sa.Column("dossier_ingested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_no", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("side", sa.String(50), nullable=False),
    )
    op.create_index("ix_case_parties_person", "case_parties", ["id_number", "name"])
    op.create_table(
        "case_lawyers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_no", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("license_no", sa.String(32), nullable=False, index=True),
        sa.Column("party_name", sa.String(100), nullable=False),
    )
    op.create_table(
        "bindings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_no", sa.String(64), nullable=False, index=True),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("lawyer_id", sa.Integer, nullable=False),
        sa.Column("lawyer_name", sa.String(50), nullable=False),
        sa.Column("license_no", sa.String(32)),
        sa.Column("law_firm", sa.String(100)),
        sa.Column("party_name", sa.String(100), nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String(50)),
        sa.Column("explanation", sa.Text),
    )
    op.create_index(
        "ux_bindings_one_pending",
        "bindings",
        ["lawyer_id", "case_no"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_bindings_queue", "bindings", ["court", "status", "id"])
    op.create_index("ix_bindings_lawyer", "bindings", ["lawyer_id", "status", "id"])
    migration_tables.create_outbox(op)
    migration_tables.create_inbox(op)


def downgrade() -> None:
    for table in ("inbox", "outbox", "bindings", "case_lawyers", "case_parties", "cases"):
        op.drop_table(table)
