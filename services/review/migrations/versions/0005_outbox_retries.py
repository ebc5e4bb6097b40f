"""outbox events the broker routed to no queue are kept and tried again later

Revision ID: review_0005
"""

from alembic import op

from services.common.infra import migration_tables

revision = "review_0005"
down_revision = "review_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_outbox_retries(op)


def downgrade() -> None:
    migration_tables.drop_outbox_retries(op)
