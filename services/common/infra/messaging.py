"""Events that must not be lost: the outbox (a state change and its announcement commit
together, a relay publishes afterwards) and the inbox (a consumer handles each event once,
because AMQP delivers at least once)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider
from prometheus_client import Counter
from sqlalchemy import Integer, String, Text, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from services.common.court import clock
from services.common.infra import idempotency, ids
from services.common.infra.db import (
    Conflict,
    IntPk,
    OptionalTimestamp,
    Timestamp,
    UnitOfWork,
    add_unique,
    mapped_on,
    serialise,
)
from services.common.infra.logging import current_request_id
from services.common.infra.timers import configured_timer

log = logging.getLogger(__name__)

UNROUTED = Counter(
    "court_events_unrouted_total", "Outbox events the broker could route to no queue (kept and retried)", ["event_type"]
)


class OutboxMixin:
    """A service's ``outbox`` table."""

    __tablename__ = "outbox"

    id: Mapped[IntPk]
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp]
    published_at: Mapped[OptionalTimestamp] = mapped_column(index=True)
    # tries the broker could route to no queue, and when to try again
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[OptionalTimestamp]


class InboxMixin:
    """A service's ``inbox`` table: ids of events already handled."""

    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[Timestamp] = mapped_column(index=True)  # housekeeping purges by age


def outbox_and_inbox(base: type[DeclarativeBase]) -> tuple[type[OutboxMixin], type[InboxMixin]]:
    """The ``outbox`` and ``inbox`` tables of the service whose declarative base is ``base``:
    ``Outbox, Inbox = messaging.outbox_and_inbox(Base)`` in its models."""
    return mapped_on(base, "Outbox", OutboxMixin), mapped_on(base, "Inbox", InboxMixin)


def record_event(session: Session, model: type, event_type: str, payload: Mapping[str, Any]) -> str:
    """Add an event to the outbox inside the caller's transaction; returns its id."""
    event_id = str(uuid.uuid4())
    body = dict(payload, event_id=event_id)
    request_id = current_request_id()
    if request_id:  # the relay publishes from another worker: the id travels in the payload
        body.setdefault("request_id", request_id)
    session.add(
        model(
            event_id=event_id,
            event_type=event_type,
            payload=json.dumps(body, ensure_ascii=False),
            created_at=clock.utcnow(),
        )
    )
    return event_id


MAX_UNROUTED_PAUSE = 300  # seconds between tries of an event no queue takes yet


def relay(uow: UnitOfWork, model: type[Any], dispatch: Callable[[str, dict], None], limit: int = 100) -> int:
    """Publish what the outbox holds, oldest first; returns how many rows it dealt with.
    A crash after publishing but before the commit publishes again, which is why every
    consumer goes through the inbox. ``dispatch`` raises ``UndeliverableMessage`` when the
    broker routed the event to no queue: the row stays unpublished and waits longer
    before each new try (1, 2, 4, ... 300 s)."""
    from nameko.amqp.publish import UndeliverableMessage

    handled = 0
    now = clock.utcnow()
    with uow.transaction() as session:
        rows = session.scalars(
            select(model)
            .where(model.published_at.is_(None))
            .where(or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now))
            .order_by(model.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            try:
                dispatch(row.event_type, json.loads(row.payload))
            except UndeliverableMessage:
                row.attempts = (row.attempts or 0) + 1
                pause = min(2 ** (row.attempts - 1), MAX_UNROUTED_PAUSE)
                row.next_attempt_at = now + timedelta(seconds=pause)
                UNROUTED.labels(row.event_type).inc()
                if row.attempts == 1:
                    log.warning("no queue takes %s yet; kept in the outbox and tried again", row.event_type)
            else:
                row.published_at = clock.utcnow()
            handled += 1
    return handled


Event = TypeVar("Event", bound=Mapping[str, Any])  # its declaration in services.common.court.events
Facts = TypeVar("Facts")


def read_event(event_type: str, payload: Any, read: Callable[[Event], Facts]) -> Facts | None:
    """The facts ``read`` takes out of an event, or None when the payload lacks the
    contract's fields: logged with the event's id (never its content) and dropped, since
    no retry can mend it. ``read`` sees the payload's ``application_id`` as an
    ``ids.ApplicationId`` (``ids.event_application_id``: an earlier version's number too).
    Only the reading is guarded: an error in the effect that follows
    still fails the delivery and is retried."""
    try:
        return read(_with_contract_ids(payload))
    except (KeyError, TypeError, ValueError, AttributeError):
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        log.error("%s without the contract's fields; dropped (event %s)", event_type, event_id)
        return None


def _with_contract_ids(payload: Any) -> Any:
    """The payload with its ``application_id`` an ``ids.ApplicationId``, whether the event
    carried the string or, written by an earlier version, the number."""
    if not isinstance(payload, dict) or "application_id" not in payload:
        return payload
    return {**payload, "application_id": ids.event_application_id(payload["application_id"])}


def first_delivery(session: Session, model: type, event_id: str) -> bool:
    """True the first time an event id is seen; records it in the caller's transaction."""
    if session.get(model, event_id) is not None:
        return False
    try:
        add_unique(session, model(event_id=event_id, handled_at=clock.utcnow()), savepoint=True)
    except Conflict:
        return False
    return True


class Messages(Protocol):
    """What a repository says of the service's outbox and inbox: an announcement recorded in
    the transaction, and whether an event is heard for the first time."""

    def announce(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """``payload``: the event's declaration in ``services.common.court.events``."""

    def first_delivery(self, event_id: str) -> bool: ...


class OutboxAndInbox:
    """``Messages`` for a SQL repository: its ``session`` and the service's ``outbox`` and
    ``inbox`` models, named where the repository is declared:
    ``class SqlRepository(OutboxAndInbox, outbox=Outbox, inbox=Inbox)``."""

    session: Session
    outbox: type
    inbox: type

    def __init_subclass__(cls, outbox: type | None = None, inbox: type | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if outbox is not None:
            cls.outbox = outbox
        if inbox is not None:
            cls.inbox = inbox

    def announce(self, event_type: str, payload: Mapping[str, Any]) -> None:
        record_event(self.session, self.outbox, event_type, payload)

    def first_delivery(self, event_id: str) -> bool:
        return first_delivery(self.session, self.inbox, event_id)


class ServiceSqlRepository(OutboxAndInbox):
    """Where a service's SQL repository starts when it also keeps idempotency keys (its
    ``keys`` model) and takes turns on PostgreSQL: applications, review and dossier."""

    keys: type

    def __init_subclass__(cls, keys: type | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if keys is not None:
            cls.keys = keys

    def __init__(self, session: Session):
        self.session = session
        self.idempotency_keys: idempotency.Keys = idempotency.TableKeys(session, self.keys)

    def take_turns(self, *key: object) -> None:
        serialise(self.session, *key)


class RelayGate:
    """One relay at a time in this process. Without it every commit's relay would read and
    publish the same unpublished rows at once (SQLite has no SKIP LOCKED): many copies of
    each event, and work that grows with the square of the load. A relay asked for while
    one runs just marks the outbox dirty; the running one goes round again."""

    def __init__(self, model: type) -> None:
        self.model = model
        self._lock = Semaphore(1)
        self._dirty = False

    def publish(self, uow: UnitOfWork, dispatch: Callable[[str, dict], None]) -> None:
        """Announce what the outbox holds. A failure loses nothing: the rows stay
        unpublished and the service's timer calls this again."""
        self._dirty = True
        if not self._lock.acquire(blocking=False):
            return
        try:
            while self._dirty:
                self._dirty = False
                while relay(uow, self.model, dispatch) > 0:
                    pass
        except Exception:
            log.exception("outbox relay failed; the timer will retry")
        finally:
            self._lock.release()


class OutboxRelay(DependencyProvider):
    """Injects the process's ``RelayGate`` for the service's outbox table."""

    def __init__(self, model: type) -> None:
        self.model = model

    def setup(self) -> None:
        self.gate = RelayGate(self.model)

    def get_dependency(self, worker_ctx) -> RelayGate:
        return self.gate


class RelaysOutbox:
    """The outbox relay of every service that announces events, as a mixin of its service
    class (which has ``db``, ``dispatch`` and ``outbox``): ``publish_outbox`` right after
    a commit, and a timer (``OUTBOX_RELAY_SECONDS``, 1 s) that sends what a commit left
    unannounced, a process killed between its commit and its publish, say."""

    db: Any
    dispatch: Any
    outbox: Any

    @configured_timer("OUTBOX_RELAY_SECONDS", 1.0)
    def relay_outbox(self) -> None:
        self.publish_outbox()

    def publish_outbox(self) -> None:
        self.outbox.publish(self.db, self.dispatch)
