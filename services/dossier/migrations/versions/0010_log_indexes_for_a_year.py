"""indexes that keep the access log's pages quick with a year of a court's reads in it

A reader's page and a case's log are the newest entries under one application or one
case: an index on (application_id, seq) and (case_no, seq) hands them over already in
order, where the single-column indexes sorted every entry of the application, and the
case's log scanned the whole chain backwards (0.3 s at 600,000 entries). Readings get an
index on case_no for the case's applications.

Revision ID: dossier_0010
"""

from alembic import op

revision = "dossier_0010"
down_revision = "dossier_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_access_log_application_seq", "access_log", ["application_id", "seq"])
    op.create_index("ix_access_log_case_seq", "access_log", ["case_no", "seq"])
    op.drop_index("ix_access_log_application_id", table_name="access_log")
    op.drop_index("ix_access_log_case_no", table_name="access_log")
    op.create_index("ix_readings_case_no", "readings", ["case_no"])


def downgrade() -> None:
    op.drop_index("ix_readings_case_no", table_name="readings")
    op.create_index("ix_access_log_case_no", "access_log", ["case_no"])
    op.create_index("ix_access_log_application_id", "access_log", ["application_id"])
    op.drop_index("ix_access_log_case_seq", table_name="access_log")
    op.drop_index("ix_access_log_application_seq", table_name="access_log")
