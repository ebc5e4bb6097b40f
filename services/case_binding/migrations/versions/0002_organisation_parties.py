"""organisation parties (单位当事人): a credit code instead of an ID number, and the
法定代表人 who may read for it

Revision ID: case_binding_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "case_binding_0002"
down_revision = "case_binding_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_parties") as batch:
        batch.alter_column("id_number", existing_type=sa.String(18), nullable=True)
        batch.add_column(sa.Column("credit_code", sa.String(18), nullable=True))
        batch.add_column(sa.Column("representative_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("representative_id_number", sa.String(18), nullable=True))
        batch.create_check_constraint(
            "ck_case_parties_person_or_organisation", "(id_number IS NULL) <> (credit_code IS NULL)"
        )
    op.create_index(
        "ix_case_parties_representative", "case_parties", ["representative_id_number", "representative_name"]
    )


def downgrade() -> None:
    # Organisations have no ID number to fall back on: they leave the directory with their columns.
    op.drop_index("ix_case_parties_representative", table_name="case_parties")
    op.execute("DELETE FROM case_parties WHERE id_number IS NULL")
    with op.batch_alter_table("case_parties") as batch:
        batch.drop_constraint("ck_case_parties_person_or_organisation", type_="check")
        batch.drop_column("representative_id_number")
        batch.drop_column("representative_name")
        batch.drop_column("credit_code")
        batch.alter_column("id_number", existing_type=sa.String(18), nullable=False)
