"""The cluster shape (``deploy/cluster.py``, ``make cluster-up``) started once for this
directory's tests, on a fresh PostgreSQL database beside TEST_POSTGRES_URL's (two
processes of each service share one database, which SQLite files cannot do)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support import StackHandle, free_port

ROOT = Path(__file__).resolve().parents[2]


class ClusterHandle(StackHandle):
    """A stack handle whose ``up``/``down`` are ``deploy/cluster.py``'s."""

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "deploy/cluster.py", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def cluster(self):
        """The cluster as ``deploy/cluster.py`` sees it: ports, nodes, rabbitmqctl."""
        from deploy.cluster import Cluster

        saved = dict(os.environ)
        os.environ.update(DATA_DIR=str(self.data_dir), GATEWAY_PORT=self.env["GATEWAY_PORT"])
        try:
            return Cluster()
        finally:
            os.environ.clear()
            os.environ.update(saved)


@pytest.fixture(scope="session")
def cluster_database():
    import psycopg2

    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"court_cluster_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(base)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, cluster_database):
    data_dir = tmp_path_factory.mktemp("cluster")
    clock_file = data_dir / "fake-now"
    clock_file.write_text("")
    env = dict(os.environ)
    env.update(
        DATA_DIR=str(data_dir),
        GATEWAY_PORT=str(free_port()),
        DATABASE_URL=cluster_database,
        DEMO_DATA="0",
        COURT_FAKE_NOW_FILE=str(clock_file),
        BOOTSTRAP_ADMIN_PHONE="13900000000",
        BOOTSTRAP_ADMIN_PASSWORD="Admin-" + secrets.token_hex(6),
        SMS_OUTBOX_FILE=str(data_dir / "sms.jsonl"),
        LOGIN_ADDRESS_FAILURES="100000",
        # a lost reply is given up on after 5 s (10 in production), so a client retries sooner
        GATEWAY_RPC_TIMEOUT="5",
    )
    for key in ("AMQP_URI", "S3_ENDPOINT"):
        env.pop(key, None)
    handle = ClusterHandle(ROOT, env, clock_file)
    up = handle.run("up", check=False)
    if up.returncode != 0:
        handle.down()
        pytest.fail("the cluster did not come up:\n" + up.stdout[-4000:] + up.stderr[-4000:])
    yield handle
    handle.down()
    shutil.rmtree(data_dir / "rabbit", ignore_errors=True)
