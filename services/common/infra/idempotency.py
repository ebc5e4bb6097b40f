"""Idempotency-Key for unsafe requests (API.md "Conventions").

A retry with the same key and body by the same user returns the first result and changes
nothing more; the same key with another body is 422 ``idempotency_key_reused``. The first
result is stored in the same transaction as the effect, so a crash cannot leave an effect
without its key (a retry would repeat it) or a key without its effect.

A service declares the table in its models (``IdempotencyKey = idempotency_keys(Base)``) and
wraps its effect in ``once(...)``, given either that table (the effect then gets a session)
or, where use cases work through a repository, how to find the repository's ``Keys`` (the
effect then gets the repository).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Integer, String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.common.court import clock
from services.common.infra import housekeeping
from services.common.infra.db import Timestamp, UnitOfWork, mapped_on
from services.common.infra.errors import DomainError

MAX_KEY_LENGTH = 128
KEEP_FOR = timedelta(hours=48)  # the contract promises at least 24 hours


class IdempotencyMixin:
    """A service's ``idempotency_keys`` table."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(index=True)


def idempotency_keys(base: type[DeclarativeBase]) -> type[IdempotencyMixin]:
    """The ``idempotency_keys`` table of the service whose declarative base is ``base``."""
    return mapped_on(base, "IdempotencyKey", IdempotencyMixin)


class Keys(Protocol):
    """Where a service keeps the results of requests by user and key."""

    def stored(self, user_id: int, key: str) -> Any | None:
        """The row kept for this user and key (``request_hash``, ``response``), or None."""

    def keep(self, user_id: int, key: str, request_hash: str, response: str) -> None:
        """Keep a result now, inside the effect's transaction; a racing twin that kept the
        same key first makes it raise ``IntegrityError``."""


class TableKeys:
    """``Keys`` in a service's ``idempotency_keys`` table, within one session."""

    def __init__(self, session: Session, model: type):
        self.session, self.model = session, model

    def stored(self, user_id: int, key: str) -> Any | None:
        return self.session.get(self.model, (user_id, key))

    def keep(self, user_id: int, key: str, request_hash: str, response: str) -> None:
        row = self.model(
            user_id=user_id, key=key, request_hash=request_hash, response=response, created_at=clock.utcnow()
        )
        self.session.add(row)
        self.session.flush()


KeysOf = type | Callable[[Any], Keys]  # the key table, or what finds a repository's Keys


def _keys(keys: KeysOf, handle: Any) -> Keys:
    return TableKeys(handle, keys) if isinstance(keys, type) else keys(handle)


def check_key(key: Any) -> str | None:
    """The key as sent, or None when absent; a key that is not short printable ASCII is refused."""
    if key is None or key == "":
        return None
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) < 127 for c in key):
        raise DomainError(
            "validation_error",
            "Idempotency-Key 应为不超过128个字符的可见ASCII字符",
            {"fields": {"Idempotency-Key": "格式不正确"}},
        )
    return key


def fingerprint(operation: str, *parts: Any) -> str:
    """A hash of what the request asks for: the operation, its target and its body."""
    text = json.dumps([operation, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(row: Any, request_hash: str) -> Any:
    if row.request_hash != request_hash:
        raise DomainError("idempotency_key_reused", "该 Idempotency-Key 已用于另一请求，请换一个新的键")
    return json.loads(row.response)


def once(
    uow: Any,
    keys: KeysOf,
    *,
    user_id: int,
    key: str | None,
    request_hash: str,
    effect: Callable[[Any], Any],
) -> Any:
    """Run ``effect`` in one transaction of ``uow`` (on the session or repository it hands
    out) and remember its JSON result under the key.

    Without a key the effect simply runs. With a key already used by this user, the stored
    result comes back (or 422 if the body differs) and the effect does not run. Two racing
    requests with one key: the loser's transaction fails on the primary key, rolls back its
    effect, and returns the winner's result.
    """
    if key is None:
        with uow.transaction() as handle:
            return effect(handle)
    found = recall(uow, keys, user_id=user_id, key=key, request_hash=request_hash)
    if found is not None:
        return found
    try:
        with uow.transaction() as handle:
            result = effect(handle)
            _keys(keys, handle).keep(user_id, key, request_hash, json.dumps(result, ensure_ascii=False))
            return result
    except (IntegrityError, DomainError):
        # A racing twin with the same key may have won (its effect can also be why ours
        # failed, e.g. a uniqueness rule): then its result is ours too.
        found = recall(uow, keys, user_id=user_id, key=key, request_hash=request_hash)
        if found is None:
            raise
        return found


def recall(uow: Any, keys: KeysOf, *, user_id: int, key: str | None, request_hash: str) -> Any | None:
    """The stored result of an earlier request with this key, or None. Lets a caller answer
    a retry before asking other services anything."""
    if key is None:
        return None
    with uow.read() as handle:
        row = _keys(keys, handle).stored(user_id, key)
        return None if row is None else _replay(row, request_hash)


def purge(uow: UnitOfWork, model: type[Any], keep_for: timedelta = KEEP_FOR) -> int:
    """Forget keys older than ``keep_for`` (a service's housekeeping runs it)."""
    return housekeeping.purge(uow, model, model.created_at < housekeeping.cutoff(keep_for))
