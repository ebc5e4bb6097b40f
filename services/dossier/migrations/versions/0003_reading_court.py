"""the court of each application, so that its clerks can audit who read the dossier

Revision ID: dossier_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "dossier_0003"
down_revision = "dossier_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.add_column(sa.Column("court", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.drop_column("court")
