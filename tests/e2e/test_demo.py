"""Demo data: a second load changes nothing, and every status of the manual is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import Api, StackHandle, free_port

pytestmark = pytest.mark.once


def counts(base_url: str, password: str) -> dict:
    seen = {}
    for phone in ("13800000001", "13800000002", "13800000003", "13800000004"):
        client = Api(base_url)
        client.login(phone, password)
        items = client.get("/api/v1/applications?limit=100").json()["items"]
        seen[phone] = sorted((a["case_no"], a["status"]) for a in items)
    clerk = Api(base_url)
    clerk.login("13900000011", password)
    seen["queue"] = len(clerk.get("/api/v1/staff/applications?limit=100").json()["items"])
    seen["bindings"] = len(clerk.get("/api/v1/staff/bindings?limit=100").json()["items"])
    return seen


def test_demo_data_loads_twice_without_duplicates(stack, tmp_path):
    env = dict(
        stack.env, DATA_DIR=str(tmp_path / "demo"), GATEWAY_PORT=str(free_port()), DATABASE_URL="", DEMO_DATA="1"
    )
    env.pop("COURT_FAKE_NOW_FILE")
    demo = StackHandle(stack.root, env, Path(stack.env["COURT_FAKE_NOW_FILE"]))
    try:
        demo.up()
        password = json.loads((demo.data_dir / "run" / "demo.json").read_text())["password"]
        first = counts(demo.base_url, password)
        statuses = {status for phone in ("13800000001", "13800000002", "13800000003") for _, status in first[phone]}
        assert {"pending", "approved", "rejected", "returned", "withdrawn"} <= statuses
        assert first["bindings"] == 1
        subprocess.run(
            [sys.executable, "-m", "deploy.demo", demo.base_url],
            cwd=demo.root,
            env=env,
            check=True,
            capture_output=True,
        )
        assert counts(demo.base_url, password) == first
        accounts = (demo.data_dir / "run" / "demo-accounts.txt").read_text()
        assert "13800000001" in accounts and "审查人" in accounts
    finally:
        demo.down()
