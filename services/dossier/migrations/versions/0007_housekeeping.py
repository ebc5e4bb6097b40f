"""housekeeping deletes handled inbox ids and expired links by age: indexes on their ages

Revision ID: dossier_0007
"""

from alembic import op

from services.common.infra import migration_tables

revision = "dossier_0007"
down_revision = "dossier_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_inbox_age_index(op)
    op.create_index("ix_links_expires_at", "links", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_links_expires_at", table_name="links")
    migration_tables.drop_inbox_age_index(op)
