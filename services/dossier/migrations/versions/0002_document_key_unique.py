"""one document per stored original: a redelivered ingestion finds the first

Revision ID: dossier_0002
"""

from alembic import op

revision = "dossier_0002"
down_revision = "dossier_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_object_key", "documents", ["object_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_documents_object_key", table_name="documents")
