"""the lawyer's number on a binding application, to text them its decision

Revision ID: case_binding_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "case_binding_0006"
down_revision = "case_binding_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bindings") as batch:
        batch.add_column(sa.Column("lawyer_phone", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bindings") as batch:
        batch.drop_column("lawyer_phone")
