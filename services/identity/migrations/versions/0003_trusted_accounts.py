"""accounts people can trust: one account per ID and license number, SMS codes,
real-name verification, disabled accounts

Revision ID: identity_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "identity_0003"
down_revision = "identity_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for column in ("id_number", "license_no"):
        shared = bind.execute(
            sa.text(f"SELECT {column} FROM users WHERE {column} IS NOT NULL GROUP BY {column} HAVING COUNT(*) > 1")
        ).first()
        if shared is not None:
            # One person, several accounts: which one is theirs is for the court to decide,
            # not for a migration. Stop before anything changes, and say what to do.
            raise RuntimeError(
                f"several accounts share one {column}; disable or correct the extra accounts "
                f"(SELECT id, phone FROM users WHERE {column} = ...) and run the migration again"
            )
    op.create_index("ix_users_id_number", "users", ["id_number"], unique=True)
    op.create_index("ix_users_license_no", "users", ["license_no"], unique=True)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("verified_via", sa.String(32)))
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True)))
    op.create_table(
        "sms_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("phone", sa.String(11), nullable=False, index=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("via", sa.String(32), nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.Integer),
        sa.Column("decided_by_name", sa.String(50)),
        sa.Column("explanation", sa.String(500)),
    )


def downgrade() -> None:
    op.drop_table("verifications")
    op.drop_table("sms_codes")
    with op.batch_alter_table("users") as batch:
        for column in ("disabled_at", "verified_via", "verified_at"):
            batch.drop_column(column)
    op.drop_index("ix_users_license_no", table_name="users")
    op.drop_index("ix_users_id_number", table_name="users")
