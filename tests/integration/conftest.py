"""Fixtures of the repository tests: a service's database migrated as a deployment migrates
it, on SQLite, or with ``--postgres`` in a PostgreSQL database of their own (never the
stack's, which other tests of the same run are using). No broker, no stack."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from services.common.infra import migrate
from services.common.infra.db import UnitOfWork, make_engine
from tests.support import fresh_postgres_database


@pytest.fixture(scope="session")
def repositories_postgres_url(request) -> Iterator[str | None]:
    """With ``--postgres``, a fresh database for these tests alone; None on SQLite."""
    if not request.config.getoption("--postgres"):
        yield None
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def database(repositories_postgres_url, tmp_path, monkeypatch) -> Iterator[Callable[[str], UnitOfWork]]:
    """``database("case_binding")``: a unit of work over that service's freshly migrated
    database (a SQLite file, or its schema), dropped after the test."""
    postgres_url = repositories_postgres_url
    monkeypatch.setenv("DATABASE_URL", postgres_url or "")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    opened = []

    def open_database(service: str) -> UnitOfWork:
        migrate.upgrade(service)
        engine = make_engine(service, pool_size=2)
        opened.append((service, engine))
        return UnitOfWork(sessionmaker(engine, expire_on_commit=False))

    yield open_database
    for service, engine in opened:
        if postgres_url:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{service}" CASCADE'))
        engine.dispose()
