"""The messaging tables every service's first migration creates, in the shape of
``services.common.infra.messaging`` and ``services.common.infra.idempotency``.

Written once as of their first revision: a later change to one of these tables is a new
migration in each service, never an edit here, so past migrations keep meaning what
they meant."""

from __future__ import annotations

import sqlalchemy as sa


def create_outbox(op) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), index=True),
    )


def add_outbox_retries(op) -> None:
    """Tries of an event the broker routed to no queue, and when to try again."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))


def drop_outbox_retries(op) -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")


def create_inbox(op) -> None:
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )


def create_idempotency_keys(op) -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def add_inbox_age_index(op) -> None:
    """Housekeeping deletes inbox ids by age."""
    op.create_index("ix_inbox_handled_at", "inbox", ["handled_at"])


def drop_inbox_age_index(op) -> None:
    op.drop_index("ix_inbox_handled_at", table_name="inbox")
