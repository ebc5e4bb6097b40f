"""accounts, sessions, login throttle, lawyer registry

Revision ID: identity_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "identity_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("phone", sa.String(11), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("id_number", sa.String(18)),
        sa.Column("role", sa.String(16), nullable=False, index=True),
        sa.Column("license_no", sa.String(32)),
        sa.Column("law_firm", sa.String(100)),
        sa.Column("court", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "login_throttle",
        sa.Column("phone", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True)),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "lawyer_registry",
        sa.Column("license_no", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("law_firm", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    for table in ("lawyer_registry", "login_throttle", "sessions", "users"):
        op.drop_table(table)
