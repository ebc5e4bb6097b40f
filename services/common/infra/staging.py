"""Claim checks nobody claimed.

The gateway streams a file into object storage under a key it makes up, then asks the
owning service to register that key (a material for applications, a document for dossier).
If the gateway dies between the two, or the registration never lands, the object has no
owner. The gateway therefore deletes an object only when the owner refused it; anything
else is left to the owner's sweep, which removes objects that stayed unregistered for a
grace period. The grace outlasts the gateway's RPC deadline many times over, so a
registration that arrives late (its service was stopped, its queue full) still finds its
bytes. Keys carry the UTC day they were made (``<prefix>YYYY/MM/DD/<random>``) so a sweep
lists only the last few days rather than the whole store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from services.common.infra import config
from services.common.infra.storage import ObjectStore, random_name

log = logging.getLogger(__name__)

SWEEP_DAYS = 3  # a sweep runs hourly at the least; three days of keys cover any outage of it


def staged_key(prefix: str, suffix: str = "") -> str:
    """A fresh key under ``prefix`` (which ends in a slash), dated by the real UTC day: the
    sweep compares with the store's own timestamps, never with a test clock."""
    return f"{prefix}{datetime.now(UTC):%Y/%m/%d}/{random_name()}{suffix}"


def is_staged_key(key: object, prefix: str) -> bool:
    return isinstance(key, str) and key.startswith(prefix) and ".." not in key and len(key) <= 200


def sweep_unclaimed(
    store: ObjectStore,
    prefix: str,
    claimed: Callable[[list[str]], set[str]],
    grace_seconds: float,
    days: int = SWEEP_DAYS,
) -> int:
    """Delete objects under ``prefix`` older than ``grace_seconds`` that ``claimed`` (given
    a batch of keys, returns those registered) does not know. Returns how many went."""
    now = datetime.now(UTC)
    removed = 0
    for back in range(days):
        day = now - timedelta(days=back)
        listing = store.client.list_objects(store.bucket, prefix=f"{prefix}{day:%Y/%m/%d}/", recursive=True)
        old = (
            item.object_name
            for item in listing
            if item.last_modified and (now - item.last_modified).total_seconds() > grace_seconds
        )
        for batch in _batches(old, 500):
            known = claimed(batch)
            for key in batch:
                if key not in known:
                    store.delete(key)
                    removed += 1
    return removed


def sweep(store: ObjectStore, prefix: str, claimed: Callable[[list[str]], set[str]]) -> int:
    """The owning service's timer: ``sweep_unclaimed`` with the configured grace, logged."""
    removed = sweep_unclaimed(store, prefix, claimed, float(config.get("STAGED_GRACE_SECONDS", 3600)))
    if removed:
        log.info("removed %d objects under %s that nobody registered", removed, prefix)
    return removed


def _batches(items: Iterable[str], size: int):
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
