"""The stack as an operator runs it: a second stack beside the session's keeps its own state,
a killed process comes back with `up`, a dead service is a 503 naming it, and `down`
leaves no process behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.support import Api, StackHandle, assert_error, free_port, new_phone, wait_dead, wait_until


def processes_of(data_dir: Path) -> list[int]:
    """Every process whose environment names this DATA_DIR, or whose arguments do (weed)."""
    marker = str(data_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes() or marker in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _described(pid: int) -> str:
    """What a process is, for a failure message: its command line and state."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[:3]
    except OSError:
        return "gone"
    return f"{command.strip()} (state, ppid, pgrp: {' '.join(state)})"


@pytest.mark.once
def test_two_stacks_keep_apart_and_down_leaves_nothing(stack, tmp_path):
    env = dict(
        stack.env,
        DATA_DIR=str(tmp_path / "second"),
        GATEWAY_PORT=str(free_port()),
        DATABASE_URL="",
        RATE_LIMIT_PER_ADDRESS="40",
    )
    second = StackHandle(stack.root, env, Path(stack.env["COURT_FAKE_NOW_FILE"]))
    try:
        second.up()
        assert second.state()["vhost"] != stack.state()["vhost"]
        assert second.state()["s3_base_port"] != stack.state()["s3_base_port"]
        other = Api(second.base_url)
        data = other.register()
        # the session's stack knows nothing of the second stack's account
        response = Api(stack.base_url).post(
            "/api/v1/auth/login", json={"phone": data["phone"], "password": data["password"]}
        )
        assert_error(response, 401, "invalid_credentials")
        assert requests.get(stack.base_url + "/healthz", timeout=10).status_code == 200
        assert processes_of(second.data_dir)
        # this stack limits each address to 40 requests a minute; health checks stay open
        # (81 requests span at most two windows, so a refusal must come even across a boundary)
        answered = []
        for _ in range(81):
            response = other.get("/api/v1/me")
            answered.append(response.status_code)
            if response.status_code == 429:
                break
        assert_error(response, 429, "rate_limited")
        assert answered.count(200) >= 30, answered
        assert requests.get(second.base_url + "/healthz", timeout=10).status_code == 200
    finally:
        second.down()
    deadline = time.monotonic() + 10
    while processes_of(second.data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {pid: _described(pid) for pid in processes_of(second.data_dir)}
    assert left == {}
    assert requests.get(stack.base_url + "/healthz", timeout=10).status_code == 200


def test_a_killed_service_is_503_then_up_brings_it_back(stack, api: Api):
    api.register()
    pid = stack.pid("identity")
    os.kill(pid, signal.SIGKILL)
    wait_dead(pid)

    def degraded() -> requests.Response | None:
        answer = requests.get(stack.base_url + "/healthz", timeout=30)
        return answer if answer.status_code != 200 else None

    health = wait_until(degraded) or requests.get(stack.base_url + "/healthz", timeout=30)
    assert health.status_code == 503
    assert health.json()["services"]["identity"] != "ok"
    assert health.json()["services"]["dossier"] == "ok"
    # a fresh token must be resolved by identity, which does not answer: 503, not a hang
    started = time.monotonic()
    response = Api(stack.base_url).post("/api/v1/auth/login", json={"phone": new_phone(), "password": "Xx-123456"})
    assert_error(response, 503, "service_unavailable")
    assert time.monotonic() - started < 20
    stack.up()
    assert stack.pid("identity") != pid
    assert requests.get(stack.base_url + "/healthz", timeout=30).status_code == 200
    assert api.get("/api/v1/me").status_code == 200  # sessions live in the database, not the process
