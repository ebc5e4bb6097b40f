"""when the attendance shown was recorded, so that an older record heard later is ignored

Revision ID: applications_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "applications_0005"
down_revision = "applications_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("attendance_recorded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("attendance_recorded_at")
