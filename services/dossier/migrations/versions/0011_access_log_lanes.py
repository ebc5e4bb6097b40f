"""the access log's chain in lanes, one per case, each with a head row of its own

One head row was the ceiling of the log: every append took its lock, so 32 readers
appended one after another. From here on each entry names its lane (the case it names)
and its number in that lane, and links to the entry before it in the lane; the lane's
head row is locked only by appends to that case. The global ``seq`` stays (the pages'
cursors, the 序号 of the 阅卷记录) and comes from a sequence on PostgreSQL, which makes no
one wait; SQLite's single writer numbers entries by their integer primary key.

Every entry written before stays where it was, in one lane: lane "" is the single chain
as it was, its head the old head row, each entry numbered by its seq (``lane_seq`` stays
empty on those rows, so their hashes are untouched). Entries naming no case join it.

Revision ID: dossier_0011
"""

import sqlalchemy as sa
from alembic import op

revision = "dossier_0011"
down_revision = "dossier_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("lane", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("lane_seq", sa.Integer, nullable=True))
    op.create_index("ix_access_log_lane_seq", "access_log", ["lane", "seq"])
    op.create_table(
        "access_log_heads",
        sa.Column("lane", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("lane_seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("keyed_from", sa.Integer, nullable=True),
        sa.Column("exported_seq", sa.Integer, nullable=True),
    )
    # the single chain becomes lane "", its head the old head row; its entries are
    # numbered by their seq in it
    op.execute(
        "INSERT INTO access_log_heads (lane, seq, lane_seq, hash, keyed_from)"
        " SELECT '', seq, seq, hash, keyed_from FROM access_log_head WHERE id = 1"
    )
    op.drop_table("access_log_head")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE access_log_seq OWNED BY access_log.seq")
        op.execute(
            "SELECT setval('access_log_seq', 1 + GREATEST("
            "(SELECT coalesce(max(seq), 0) FROM access_log), (SELECT coalesce(max(seq), 0) FROM access_log_heads)"
            "), false)"
        )
        op.execute("ALTER TABLE access_log ALTER COLUMN seq SET DEFAULT nextval('access_log_seq')")


def downgrade() -> None:
    # an entry written in lanes is hashed with its number in its lane, and numbered by it:
    # the single chain could check none of them
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM access_log WHERE lane_seq IS NOT NULL")).scalar():
        raise RuntimeError("the access log has entries written in lanes: a single chain cannot check them")
    op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("keyed_from", sa.Integer, nullable=True),
    )
    op.execute(
        "INSERT INTO access_log_head (id, seq, hash, keyed_from)"
        " SELECT 1, seq, hash, keyed_from FROM access_log_heads WHERE lane = ''"
    )
    op.drop_table("access_log_heads")
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE access_log ALTER COLUMN seq DROP DEFAULT")
        op.execute("DROP SEQUENCE access_log_seq")
    op.drop_index("ix_access_log_lane_seq", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("lane_seq")
        batch.drop_column("lane")
