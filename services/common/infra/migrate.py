"""Schema migrations, one Alembic history per service, each with its own version table
(in its own schema on PostgreSQL). ``python -m services.common.infra.migrate [service ...]``."""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from services.common.infra import config as settings
from services.common.infra.db import database_url, is_sqlite, make_engine

SERVICES = ("identity", "case_binding", "applications", "review", "dossier")


def alembic_config(service: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(settings.ROOT / "services" / service / "migrations"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, revision: str = "head") -> None:
    url = database_url(service)
    if not is_sqlite(url):
        engine = make_engine(service, url, pool_size=1)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
        engine.dispose()
    command.upgrade(alembic_config(service), revision)


def run_env(target_metadata) -> None:
    """The body of every service's ``migrations/env.py``."""
    from alembic import context

    service = context.config.attributes["service"]
    engine = make_engine(service, pool_size=1)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=f"alembic_version_{service}",
            render_as_batch=is_sqlite(str(engine.url)),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main(argv: list[str]) -> int:
    for service in argv or SERVICES:
        upgrade(service)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
