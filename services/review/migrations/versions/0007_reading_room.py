"""the reading room (阅卷室): each court's slots and closed days, and on-site readers' bookings

Revision ID: review_0007
"""

import sqlalchemy as sa
from alembic import op

revision = "review_0007"
down_revision = "review_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reading_rooms",
        sa.Column("court", sa.String(100), primary_key=True),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer),
    )
    op.create_table(
        "room_bookings",
        sa.Column("application_id", sa.String(64), primary_key=True),
        sa.Column("court", sa.String(100), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("start", sa.String(5), nullable=False),
        sa.Column("end", sa.String(5), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_room_bookings_slot", "room_bookings", ["court", "day", "start"])


def downgrade() -> None:
    op.drop_index("ix_review_room_bookings_slot", table_name="room_bookings")
    op.drop_table("room_bookings")
    op.drop_table("reading_rooms")
