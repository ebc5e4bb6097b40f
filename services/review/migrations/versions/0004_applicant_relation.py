"""who the applicant is to the case: relation, a lawyer's license and firm, for whom

Revision ID: review_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "review_0004"
down_revision = "review_0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("applicant_relation", 32),
    ("applicant_license_no", 32),
    ("applicant_law_firm", 100),
    ("acts_for", 100),
)


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for name, _ in COLUMNS:
            batch.drop_column(name)
