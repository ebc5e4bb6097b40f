"""housekeeping deletes handled inbox ids by age: an index on their age

Revision ID: case_binding_0005
"""

from alembic import op

from services.common.infra import migration_tables

revision = "case_binding_0005"
down_revision = "case_binding_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_inbox_age_index(op)


def downgrade() -> None:
    migration_tables.drop_inbox_age_index(op)
