"""the access log's chain is keyed from an entry on (HMAC with a secret outside the database)

Revision ID: dossier_0008
"""

import sqlalchemy as sa
from alembic import op

revision = "dossier_0008"
down_revision = "dossier_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_log_head") as batch:
        batch.add_column(sa.Column("keyed_from", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("access_log_head") as batch:
        batch.drop_column("keyed_from")
