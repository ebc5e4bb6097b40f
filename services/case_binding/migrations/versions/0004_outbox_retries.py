"""outbox events the broker routed to no queue are kept and tried again later

Revision ID: case_binding_0004
"""

from alembic import op

from services.common.infra import migration_tables

revision = "case_binding_0004"
down_revision = "case_binding_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_outbox_retries(op)


def downgrade() -> None:
    migration_tables.drop_outbox_retries(op)
