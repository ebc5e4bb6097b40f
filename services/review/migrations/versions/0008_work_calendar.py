"""the work calendar: each year's public holidays and 调休 working days, for working-day limits

Revision ID: review_0008
"""

import sqlalchemy as sa
from alembic import op

revision = "review_0008"
down_revision = "review_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_calendar",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("holidays", sa.Text, nullable=False),
        sa.Column("workdays", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("work_calendar")
