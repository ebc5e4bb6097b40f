"""Each service's models are its migrated schema: what the code declares (its tables,
columns, types, indexes and uniqueness) is what ``alembic upgrade head`` builds, on SQLite
and on PostgreSQL. A model that drifted from its migrations would pass every test run on
a database made from the models, and fail on the court's, made by the migrations."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.infra import migrate
from services.common.infra.db import make_engine


@pytest.mark.parametrize("service", migrate.SERVICES)
def test_the_models_are_what_the_migrations_build(database, service: str):
    database(service)  # migrated to head, as a deployment migrates it
    models = importlib.import_module(f"services.{service}.models")
    engine = make_engine(service, pool_size=1)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "version_table": f"alembic_version_{service}"}
            )
            differences = compare_metadata(context, models.Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], f"{service}: the models and the migrations differ (write a migration): {differences}"
