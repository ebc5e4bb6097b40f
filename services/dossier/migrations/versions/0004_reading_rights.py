"""reading rights: a grant's documents and 允许打印, each document's court, and staff
previews in the access log (an entry may name a case instead of an application)

Revision ID: dossier_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "dossier_0004"
down_revision = "dossier_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.add_column(sa.Column("documents", sa.Text, nullable=True))
        batch.add_column(sa.Column("print_allowed", sa.Boolean, nullable=False, server_default=sa.true()))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("court", sa.String(100), nullable=True))
    # Documents ingested before the court was recorded take it from an application of the case.
    op.execute(
        "UPDATE documents SET court = (SELECT MAX(r.court) FROM readings r WHERE r.case_no = documents.case_no)"
        " WHERE court IS NULL"
    )
    with op.batch_alter_table("access_log") as batch:
        batch.alter_column("application_id", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("case_no", sa.String(64), nullable=True))
        batch.add_column(sa.Column("actor_role", sa.String(16), nullable=True))
    op.create_index("ix_access_log_case_no", "access_log", ["case_no"])


def downgrade() -> None:
    op.drop_index("ix_access_log_case_no", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("actor_role")
        batch.drop_column("case_no")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("court")
    with op.batch_alter_table("readings") as batch:
        batch.drop_column("print_allowed")
        batch.drop_column("documents")
