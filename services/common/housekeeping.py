"""Housekeeping: rows that have done their job are deleted on a schedule, so that no table
grows forever.

Each service has one timer (``HOUSEKEEPING_SECONDS``, an hour by default) that calls
``run`` with its purges; each purge is ``purge(uow, model, condition)``, where the condition
says which rows are done (published and old enough, expired long enough, ...). Retentions
are configuration (``retention``), read at every run.

Timers run in every replica, so every replica purges at once. That is safe: a purge
deletes by a condition on age, so deleting what another replica already deleted deletes
nothing, and it works in batches of ``BATCH`` rows, each its own short transaction, so
no lock is held for long. On PostgreSQL a batch takes its rows ``FOR UPDATE SKIP
LOCKED``: replicas take different rows and none waits for another. The condition is
checked again by the DELETE itself, so a row that stopped matching between the choice and
the delete (a material attached meanwhile, say) stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, inspect, select, tuple_
from sqlalchemy.orm import Session

from services.common import clock, config
from services.common.db import UnitOfWork, affected

log = logging.getLogger(__name__)

BATCH = 1000  # rows per statement: a short transaction even on a large backlog

UNITS = {"days": timedelta(days=1), "hours": timedelta(hours=1)}


def retention(key: str, default: float, unit: str = "days", minimum: timedelta | None = None) -> timedelta:
    """The configured retention ``key`` (a number of ``unit``), never below ``minimum``:
    a value that would break a guarantee is raised to it, and said so in the log."""
    raw = config.get(key, default)
    try:
        value = float(raw) * UNITS[unit]
    except (TypeError, ValueError):
        log.warning("%s=%r is not a number; using %s %s", key, raw, default, unit)
        value = float(default) * UNITS[unit]
    floor = minimum if minimum is not None else timedelta(0)
    if value < floor:
        log.warning("%s=%r is below the safe minimum; using %s", key, raw, floor)
        return floor
    return value


def cutoff(age: timedelta):
    """The instant before which a row is older than ``age`` (the system's clock)."""
    return clock.utcnow() - age


def purge(
    uow: UnitOfWork,
    model: type,
    condition: ColumnElement[bool],
    *,
    batch: int = BATCH,
    returning: Sequence[Any] = (),
    on_deleted: Callable[[Session, list[Any]], None] | None = None,
) -> int:
    """Delete the rows of ``model`` that match ``condition``, ``batch`` at a time, each batch
    in its own transaction, until none is left (or the rest are another replica's, locked
    by it now). Returns how many rows this call deleted.

    With ``on_deleted``, each batch's deleted rows (their ``returning`` columns) are
    handed to it inside the batch's transaction, so what it records commits with the
    delete or not at all."""
    keys: list[Any] = list(inspect(model).primary_key)
    key = keys[0] if len(keys) == 1 else tuple_(*keys)
    total = 0
    while True:
        chosen = select(*keys).where(condition).limit(batch).with_for_update(skip_locked=True)
        statement = delete(model).where(key.in_(chosen)).where(condition).execution_options(synchronize_session=False)
        with uow.transaction() as session:
            if returning or on_deleted is not None:
                rows = list(session.execute(statement.returning(*(returning or keys))).all())
                if on_deleted is not None and rows:
                    on_deleted(session, rows)
                deleted = len(rows)
            else:
                deleted = affected(session.execute(statement)) or 0
        total += deleted
        if deleted < batch:
            return total


def run(purges: Iterable[tuple[str, Callable[[], int]]]) -> dict[str, int]:
    """Run each purge in turn; one that fails is logged and tried again at the next run,
    and does not keep the others from running. Returns the rows each deleted."""
    done: dict[str, int] = {}
    for name, job in purges:
        try:
            done[name] = job()
        except Exception:
            log.exception("housekeeping: purging %s failed; the next run tries again", name)
            continue
        if done[name]:
            log.info("housekeeping: purged %d %s", done[name], name)
    return done


# -- the messaging tables every service but identity has ---------------------------------


def outbox_retention() -> timedelta:
    return retention("OUTBOX_RETENTION_DAYS", 7)


def inbox_retention() -> timedelta:
    # An inbox id must outlive every way the same event can come again: a redelivery of an
    # unacknowledged message (at once), a relay publishing again after a crash (seconds),
    # and the retry queues (EVENT_RETRY_DELAYS: 1+5+30+120+600 s, under 13 minutes). A
    # day is the floor; the default month also covers an operator replaying dead letters
    # (python -m deploy.admin replay-dead-letters) long after the fact.
    return retention("INBOX_RETENTION_DAYS", 30, minimum=timedelta(days=1))


def messaging_purges(uow: UnitOfWork, outbox: type[Any], inbox: type[Any]) -> list[tuple[str, Callable[[], int]]]:
    """The outbox's published rows (an unpublished row is never deleted, however old) and
    the inbox's ids, each past its retention."""
    return [
        (
            "published outbox rows",
            lambda: purge(
                uow,
                outbox,
                outbox.published_at.is_not(None) & (outbox.published_at < cutoff(outbox_retention())),
            ),
        ),
        ("inbox ids", lambda: purge(uow, inbox, inbox.handled_at < cutoff(inbox_retention()))),
    ]
