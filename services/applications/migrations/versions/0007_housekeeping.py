"""housekeeping: indexes on the ages it deletes by, and the objects of deleted materials waiting to leave storage

Revision ID: applications_0007
"""

import sqlalchemy as sa
from alembic import op

from services.common.infra import migration_tables

revision = "applications_0007"
down_revision = "applications_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_inbox_age_index(op)
    op.create_index("ix_materials_created_at", "materials", ["created_at"])
    op.create_table(
        "discarded_objects",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("discarded_objects")
    op.drop_index("ix_materials_created_at", table_name="materials")
    migration_tables.drop_inbox_age_index(op)
