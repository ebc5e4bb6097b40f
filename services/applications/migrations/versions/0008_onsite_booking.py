"""the on-site reader's booked slot (预约到场), as review announces it, with its version

Revision ID: applications_0008
"""

import sqlalchemy as sa
from alembic import op

revision = "applications_0008"
down_revision = "applications_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("booking_date", sa.Date, nullable=True))
        batch.add_column(sa.Column("booking_start", sa.String(5), nullable=True))
        batch.add_column(sa.Column("booking_end", sa.String(5), nullable=True))
        batch.add_column(sa.Column("booking_version", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for column in ("booking_version", "booking_end", "booking_start", "booking_date"):
            batch.drop_column(column)
