"""The cluster shape (``deploy/cluster.py``, ``make cluster-up``) started once for this
directory's tests, on a fresh PostgreSQL database beside TEST_POSTGRES_URL's (two
processes of each service share one database, which SQLite files cannot do)."""

from __future__ import annotations

import pytest

from tests.support import new_postgres_database, start_private_cluster, stop_private_cluster


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    database_url, drop = new_postgres_database("court_cluster")
    try:
        # a lost reply is given up on after 5 s (10 in production), so a client retries sooner
        handle = start_private_cluster(tmp_path_factory.mktemp("cluster"), database_url, GATEWAY_RPC_TIMEOUT="5")
    except RuntimeError as exc:
        drop()
        pytest.fail(str(exc))
    yield handle
    stop_private_cluster(handle)
    drop()
