"""Fixtures shared by every test: the real stack, started as a user starts it.

Tests under tests/unit are pure (marked ``unit``); everything else talks HTTP to a stack
of real processes (RabbitMQ vhost of its own, SQLite files or a fresh PostgreSQL database,
the S3 server) started once per session with ``deploy/stack.py up`` and stopped after.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import Api, StackHandle, free_port, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption("--postgres", action="store_true", help="run the stack on a fresh PostgreSQL database")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/unit/" in str(item.fspath):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def postgres_url(request):
    """A fresh database beside TEST_POSTGRES_URL's for the stack, dropped at the end; None on SQLite."""
    if not request.config.getoption("--postgres"):
        yield None
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def stack(tmp_path_factory, postgres_url):
    data_dir = tmp_path_factory.mktemp("stack")
    clock_file = data_dir / "fake-now"
    clock_file.write_text("")
    env = dict(os.environ)
    env.update(
        DATA_DIR=str(data_dir),
        GATEWAY_PORT=str(free_port()),
        DEMO_DATA="0",
        COURT_FAKE_NOW_FILE=str(clock_file),
        BOOTSTRAP_ADMIN_PHONE="13900000000",
        BOOTSTRAP_ADMIN_PASSWORD="Admin-" + secrets.token_hex(6),
        DATABASE_URL=postgres_url or "",
        GATEWAY_TOKEN_CACHE_SECONDS="2",
        # the court gauges refresh every second, so a test sees them without a long wait
        REVIEW_GAUGE_SECONDS="1",
        APPLICATIONS_GAUGE_SECONDS="1",
        # stored files nobody registered go after 15 s (an hour in production), checked every 2 s
        STAGED_GRACE_SECONDS="15",
        STAGED_SWEEP_SECONDS="2",
        HOUSEKEEPING_SECONDS="2",  # rows past their retention are purged every 2 s
        # a failing event handler retries after 1 s and 2 s, then its event is a dead letter
        EVENT_RETRY_DELAYS="1,2",
        # the access log's head is exported every 2 s and the chain checked every 3 s
        ACCESS_LOG_EXPORT_SECONDS="2",
        ACCESS_LOG_CHECK_SECONDS="3",
        # a print job's maker that died is replaced after 3 s; ended grants' jobs go every 2 s
        DOSSIER_PRINT_LEASE_SECONDS="3",
        DOSSIER_PRINT_SWEEP_SECONDS="2",
        # the services' agreement is checked every 5 s, a second look 1 s later
        CONSISTENCY_CHECK_SECONDS="5",
        CONSISTENCY_SETTLE_SECONDS="1",
        # an account holds at most 30 materials here (200 in production): test_upload_safety fills one
        MATERIALS_MAX_COUNT_PER_ACCOUNT="30",
        # texts go to the outbox provider's file (services/common/sms.py): Stack.texts_to reads it
        SMS_OUTBOX_FILE=str(data_dir / "sms.jsonl"),
        # every test's client comes from 127.0.0.1: the per-address login limit (20 failures
        # in 15 minutes in production) is tested on its own (test_accounts)
        LOGIN_ADDRESS_FAILURES="100000",
    )
    for key in ("AMQP_URI", "S3_ENDPOINT"):
        env.pop(key, None)
    if os.environ.get("TEST_AMQP_URI"):
        # a tester the machine's rabbitmqctl refuses (not root, no sudo) is given a fresh vhost
        env["AMQP_URI"] = os.environ["TEST_AMQP_URI"]
    handle = StackHandle(ROOT, env, clock_file)
    up = subprocess.run([sys.executable, "deploy/stack.py", "up"], cwd=ROOT, env=env, capture_output=True, text=True)
    if up.returncode != 0:
        handle.down()
        pytest.fail("the stack did not come up:\n" + up.stdout + up.stderr)
    yield handle
    handle.down()
    vhost = handle.state().get("vhost")
    if vhost and shutil.which("rabbitmqctl") and not os.environ.get("TEST_AMQP_URI"):
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=60)


@pytest.fixture
def api(stack) -> Api:
    return Api(stack.base_url)


@pytest.fixture
def admin(stack) -> Api:
    client = Api(stack.base_url)
    client.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    return client


@pytest.fixture
def clock(stack):
    """Move the court's clock: ``clock.set("2026-05-22T23:59:00+08:00")``; reset afterwards."""
    yield stack.clock
    stack.clock.reset()
