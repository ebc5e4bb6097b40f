"""claims (who reads a case on the strength of a relation, so its end can be announced)
and revoked bindings (撤销绑定)

Revision ID: case_binding_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "case_binding_0003"
down_revision = "case_binding_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("case_no", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("id_number", sa.String(18)),
        sa.Column("license_no", sa.String(32)),
        sa.Column("relation", sa.String(32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ux_claims_user_case", "claims", ["user_id", "case_no"], unique=True)
    op.create_index("ix_claims_case_no", "claims", ["case_no"])
    with op.batch_alter_table("bindings") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.String(50), nullable=True))


def downgrade() -> None:
    # A revoked binding was approved once; it reads as rejected, which binds nobody either.
    op.execute("UPDATE bindings SET status = 'rejected' WHERE status = 'revoked'")
    with op.batch_alter_table("bindings") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
    op.drop_index("ix_claims_case_no", table_name="claims")
    op.drop_index("ux_claims_user_case", table_name="claims")
    op.drop_table("claims")
