"""The README's two commands, `make run` and `make test`, in a clean clone of this commit, as
a user who is not root (made here, with no sudo): the installers run as that user, the
machine's rabbitmqctl refuses it, and everything it starts must stop on Ctrl-C.

1. `make run` with no AMQP_URI: the vhost cannot be made, and the last word is one line
   saying exactly what to run (no traceback).
2. Those commands run as root, then `make run` with AMQP_URI on that vhost comes up (the
   printed URLs, /healthz, /m/ styled with weui, every server on 127.0.0.1 only); Ctrl-C
   (SIGINT to the process group, as a terminal sends it) stops everything it started.
3. `make test TESTS=…` in the clone: lint, a few unit files and one e2e file on a stack of
   the user's own (a vhost root gave it, TEST_AMQP_URI), passing.

The clone is of HEAD, so it tests what is committed. The user's home keeps its npm cache
between runs (a first run seeds it from the runner's), and pip is given the machine's own
settings (its package index and wheel folder), as any user of the machine would have them.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
USER = "court-firstrun"
# the second command, narrowed: two unit files and one e2e file (not this one: no recursion)
TESTS = "tests/unit/test_first_run.py tests/unit/test_case_numbers.py tests/e2e/test_pages.py"
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
pytestmark = [pytest.mark.once, pytest.mark.timeout(1200)]

found: dict[str, str] = {}  # what one step tells the next: the refusal's line


def root_only() -> None:
    if os.geteuid() != 0:
        pytest.fail("this test makes a user of its own and a vhost as root: run make test as root, or narrow TESTS")


def uid_processes(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            real = re.search(r"^Uid:\s+(\d+)", status, re.M)
            if real and int(real[1]) == uid and "\nState:\tZ" not in status:
                pids.append(int(entry.name))
    return pids


def listeners(uid: int) -> list[tuple[str, str]]:
    """(file, local address) of every listening TCP socket the user owns."""
    found = []
    for name in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[7]) == uid:
                found.append((name, fields[1]))
    return found


def rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or shutil.which("rabbitmqctl", path="/usr/sbin")
    assert ctl, "rabbitmqctl is missing"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=90)


def machine_pip_settings() -> dict[str, str]:
    """The runner's pip settings (a package index or wheel folder on this machine), as the
    PIP_* variables an administrator would give every user: a clean clone's virtualenv then
    installs from the same places, without what only the runner may read."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60
    ).stdout
    settings = {}
    for line in listed.splitlines():
        match = re.match(r"^(?:global|install|:env:)\.([a-z-]+)='(.*)'$", line)
        if match and "/root" not in match[2]:
            settings["PIP_" + match[1].upper().replace("-", "_")] = match[2]
    return settings


class User:
    """The unprivileged user and its clean clone."""

    def __init__(self, entry: pwd.struct_passwd, work: Path) -> None:
        self.entry = entry
        self.work = work
        self.clone = work / "court"

    def command(self, argv: list[str], **env: str) -> list[str]:
        home = self.entry.pw_dir
        base = {
            "HOME": home,
            "USER": self.entry.pw_name,
            "LOGNAME": self.entry.pw_name,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "EVENTLET_TESTS": "1",
            **machine_pip_settings(),
        }
        base.update(env)
        return ["runuser", "-u", self.entry.pw_name, "--", "env", "-i", *(f"{k}={v}" for k, v in base.items()), *argv]

    def run(self, argv: list[str], timeout: float, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(argv, **env),
            cwd=self.clone,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def processes(self) -> list[int]:
        return uid_processes(self.entry.pw_uid)


@pytest.fixture(scope="module")
def user():
    root_only()
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", USER], check=True)
        entry = pwd.getpwnam(USER)
    assert entry.pw_uid != 0
    home = Path(entry.pw_dir)
    # npm verifies every package it takes from a cache: seed an empty one from the runner's
    npm_cache = Path.home() / ".npm" / "_cacache"
    if npm_cache.is_dir() and not (home / ".npm" / "_cacache").exists():
        shutil.copytree(npm_cache, home / ".npm" / "_cacache", symlinks=True)
        subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(home / ".npm")], check=True)
    work = home / f"first-run-{secrets.token_hex(4)}"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(work / "court")], check=True)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    cloned = subprocess.run(["git", "-C", str(work / "court"), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert cloned.stdout == head
    subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(work)], check=True)
    handle = User(entry, work)
    try:
        yield handle
    finally:
        for pid in handle.processes():  # all started by this test: the user is its own
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if "vhost" in found:
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", found["vhost"]], capture_output=True, timeout=90)
        shutil.rmtree(work, ignore_errors=True)


def test_make_run_without_a_vhost_ends_in_one_line_saying_what_to_run(user):
    started = time.monotonic()
    result = user.run(["make", "run"], 600, DATA_DIR=str(user.work / "first"), GATEWAY_PORT=str(free_port()))
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    # after the refusal only make's own word that its recipe failed
    said = [line for line in output.strip().splitlines() if not line.startswith("make: ***")]
    last = said[-1]
    assert last.startswith("[stack] rabbitmqctl could not make the vhost court-"), output
    assert "Only root or rabbitmq should run rabbitmqctl" in last, last
    assert " Run once, then make up again: sudo rabbitmqctl add_vhost court-" in last, last
    found["vhost"] = re.search(r"add_vhost (court-\w+)", last)[1]
    found["commands"] = last.split("Run once, then make up again: ", 1)[1]
    assert not user.processes(), "nothing may be left running"
    # the installers ran as the user: the virtualenv and both npm trees are the clone's own
    for made in (".venv/bin/.installed", "node_modules/.installed", "node_modules/weui/dist/style/weui.min.css"):
        assert (user.clone / made).exists(), made
    assert (user.clone / "clients/miniprogram/node_modules/.installed").exists()
    print(f"first make run in a clean clone (venv, npm, refusal): {seconds:.0f} s")


def test_make_run_comes_up_on_the_vhost_made_as_told_and_ctrl_c_stops_everything(user):
    assert found.get("commands"), "the step before says what to run"
    for command in found["commands"].split(" && "):
        words = shlex.split(command)
        assert words[:2] == ["sudo", "rabbitmqctl"], command
        rabbitmqctl(*words[2:])  # as root, exactly as the user was told
    port = free_port()
    data_dir = user.work / "data"
    env = {
        "DATA_DIR": str(data_dir),
        "GATEWAY_PORT": str(port),
        "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{found['vhost']}",
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        user.command(["make", "run"], **env),
        cwd=user.clone,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 400
        while not any("press Ctrl-C to stop" in line for line in lines) and proc.poll() is None:
            assert time.monotonic() < deadline, "".join(lines[-30:])
            time.sleep(0.5)
        output = "".join(lines)
        assert proc.poll() is None, output
        up_seconds = time.monotonic() - started
        base = f"http://127.0.0.1:{port}"
        for label, path in (("mobile client", "/m/"), ("web center", "/web/"), ("staff console", "/staff/")):
            assert re.search(rf"^\s+{label}\s+{re.escape(base + path)}$", output, re.M), (label, output)
        assert f"health         {base}/healthz" in output
        assert requests.get(base + "/healthz", timeout=10).status_code == 200
        page = requests.get(base + "/m/", timeout=10)
        assert page.status_code == 200 and '<link rel="stylesheet" href="/static/weui/weui.min.css">' in page.text
        weui = requests.get(base + "/static/weui/weui.min.css", timeout=10)
        assert weui.status_code == 200 and ".weui-btn" in weui.text and len(weui.content) > 50_000
        # every server the user's stack runs (gateway, services' metrics, S3) on 127.0.0.1 only
        listening = listeners(user.entry.pw_uid)
        assert f"{LOOPBACK_V4}:{port:04X}" in [address for _, address in listening], listening
        assert all(kind == "tcp" and address.startswith(LOOPBACK_V4 + ":") for kind, address in listening), listening
        # its data is the user's alone
        assert data_dir.stat().st_mode & 0o777 == 0o700 and data_dir.stat().st_uid == user.entry.pw_uid
        assert (data_dir / "run" / "stack.json").stat().st_mode & 0o777 == 0o600

        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C at the terminal
        stopped = time.monotonic()
        deadline = stopped + 60
        while proc.poll() is None or user.processes():
            assert time.monotonic() < deadline, f"still running after Ctrl-C: {user.processes()}"
            time.sleep(0.3)
        reader.join(10)
        stop_seconds = time.monotonic() - stopped
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    output = "".join(lines)
    assert "Traceback" not in output, output
    for name in ("gateway", "dossier", "identity", "s3"):
        assert f"[stack] stopped {name}\n" in output, (name, output)
    assert not listeners(user.entry.pw_uid)
    assert not list((data_dir / "run").glob("*.pid")), "pid files of stopped processes"
    stopping = output.split("press Ctrl-C to stop", 1)[1].strip().replace("\n", "; ")
    print(f"make run up in {up_seconds:.0f} s, stopped by Ctrl-C in {stop_seconds:.0f} s ({stopping})")


def test_make_test_passes_in_the_clean_clone(user):
    vhost = f"court-firstrun-test-{secrets.token_hex(4)}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        from services.common.broker import apply_with_rabbitmqctl

        apply_with_rabbitmqctl(vhost)
        started = time.monotonic()
        result = user.run(
            ["make", "test", f"TESTS={TESTS}"],
            600,
            TEST_AMQP_URI=f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
            # PostgreSQL's pass is the same command with --postgres: left out to stay short
            TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:1/test",
        )
        seconds = time.monotonic() - started
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=90)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "== lint" in output and "== SQLite" in output and "Traceback" not in output
    summary = re.search(r"^=* ?(\d+) passed[^\n]*$", output, re.M)
    assert summary and "failed" not in summary[0] and "error" not in summary[0], output[-3000:]
    assert int(summary[1]) >= 10, summary[0]  # the unit files and the e2e file all ran
    assert re.search(r"^[\d.]+s setup +tests/e2e/test_pages\.py::", output, re.M), output[-3000:]  # its stack
    assert "== PostgreSQL: not reachable" in output and "== cluster" not in output
    print(f"make test TESTS=… in the clean clone: {seconds:.0f} s")
