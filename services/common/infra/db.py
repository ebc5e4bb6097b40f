"""Databases: one per bounded context.

SQLite files under ``DATA_DIR`` by default (``<service>.db``); with ``DATABASE_URL``
pointing at PostgreSQL every service gets its own schema of that database, so no service
can read another's tables by accident. psycopg2 (not psycopg 3) because eventlet greens it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from typing import Annotated, Any, Generic, Protocol, TypeVar, cast

from nameko.extensions import DependencyProvider
from sqlalchemy import CursorResult, DateTime, Engine, Integer, Result, Table, create_engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from services.common.infra import config


class UtcDateTime(TypeDecorator):
    """An instant, stored in UTC and read back aware. SQLite keeps no offset: a +08:00
    time written as it came would read back eight hours off. A naive value is taken as
    the court's local time, the way people write it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            from services.common.court.clock import COURT_TZ

            value = value.replace(tzinfo=COURT_TZ)
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# The columns every service's tables declare alike (``id: Mapped[IntPk]``,
# ``created_at: Mapped[Timestamp] = mapped_column(index=True)``): a row number the database
# hands out, and an instant, required or not.
IntPk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
Timestamp = Annotated[datetime, mapped_column(UtcDateTime())]
OptionalTimestamp = Annotated[datetime | None, mapped_column(UtcDateTime(), nullable=True)]


def database_url(service: str) -> str:
    url = config.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg2://", 1) if url.startswith("postgresql://") else url
    path = config.data_dir() / f"{service}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(service: str, url: str | None = None, pool_size: int = 20) -> Engine:
    url = url or database_url(service)
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=10,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets readers run beside a writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # With WAL, NORMAL syncs at checkpoints, not every commit: a killed process loses
            # nothing committed; only a power cut may lose the last commits.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(
        url,
        connect_args={"options": f"-csearch_path={service}"},
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=True,
    )


class UnitOfWork:
    """One transaction: commits when the block ends cleanly, rolls back otherwise."""

    def __init__(self, session_factory: sessionmaker):
        self._factory = session_factory

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
        finally:
            session.close()  # detaches without expiring what was loaded


R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Conflict(Exception):
    """A repository's write that the database's uniqueness refused: a racing twin wrote the
    same row first. The transaction is lost; the use case says what that means."""


def add_unique(session: Session, row: object, *, savepoint: bool = False) -> None:
    """Write ``row`` now; if the database's uniqueness refuses it, ``Conflict``. With
    ``savepoint`` the refusal undoes only this row, and the transaction stays usable."""
    try:
        if savepoint:
            with session.begin_nested():
                session.add(row)
                session.flush()
        else:
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict() from None


class UnitOfWorkOf(Protocol[R_co]):
    """What a use case needs of a unit of work: a block that commits, and one that reads,
    each handing over the service's repository (``RepositoryUnitOfWork`` or a fake)."""

    def transaction(self) -> AbstractContextManager[R_co]: ...
    def read(self) -> AbstractContextManager[R_co]: ...


class RepositoryUnitOfWork(Generic[R]):
    """A service's unit of work as its use cases see it: each block hands over the service's
    repository bound to one transaction, so a use case says what it reads and writes in the
    court's words and never holds a session. Unit tests give use cases an in-memory one
    instead (tests/unit/fakes). The session-level ``uow`` stays for the infrastructure that
    works on any table (the outbox relay, idempotency keys, housekeeping)."""

    def __init__(self, uow: UnitOfWork, repository: Callable[[Session], R]):
        self.uow = uow
        self._repository = repository

    @contextmanager
    def transaction(self) -> Iterator[R]:
        with self.uow.transaction() as session:
            yield self._repository(session)

    @contextmanager
    def read(self) -> Iterator[R]:
        with self.uow.read() as session:
            yield self._repository(session)


class Database(DependencyProvider):
    """Injects a ``UnitOfWork`` bound to the service's own database."""

    def __init__(self, service: str):
        self.service = service

    def setup(self) -> None:
        max_workers = int(config.get("max_workers", 10))
        self.engine = make_engine(self.service, pool_size=max_workers + 5)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def stop(self) -> None:
        self.engine.dispose()

    def get_dependency(self, worker_ctx) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def serialise(session: Session, *key: object) -> None:
    """Take a lock on ``key`` until the transaction ends, so that two workers deciding
    from what the other has not committed yet (a withdrawal and the submission it
    overtook, say) take turns. PostgreSQL: an advisory lock; SQLite: nothing to do, as
    its single writer already serialises them (a stale read there fails its write, and
    the event is retried)."""
    if session.connection().dialect.name == "postgresql":
        text_key = ":".join(str(part) for part in key)
        session.execute(sql_text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": text_key})


def affected(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed. ``Session.execute`` is typed as answering a
    ``Result``; for those statements it is a ``CursorResult``, which knows the count."""
    return cast(CursorResult[Any], result).rowcount


T = TypeVar("T")


def mapped_on(base: type[DeclarativeBase], name: str, table: type[T]) -> type[T]:
    """The table that the mixin ``table`` declares whole (its ``__tablename__`` and columns),
    mapped as the class ``name`` on a service's declarative ``base``: how every service gets
    the tables of the shared machinery (``messaging.outbox_and_inbox``,
    ``idempotency.idempotency_keys``) in its own database, alike to the column."""
    return cast(type[T], type(name, (table, base), {"__module__": base.__module__}))


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, for Core statements (``insert``, ``delete``, executemany);
    SQLAlchemy types ``__table__`` as any ``FromClause``."""
    return cast(Table, model.__table__)
