"""outbox events the broker routed to no queue are kept and tried again later

Revision ID: dossier_0006
"""

from alembic import op

from services.common.infra import migration_tables

revision = "dossier_0006"
down_revision = "dossier_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    migration_tables.add_outbox_retries(op)


def downgrade() -> None:
    migration_tables.drop_outbox_retries(op)
