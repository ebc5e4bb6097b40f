"""A first `make up` as a user the machine's rabbitmqctl refuses (Debian's allows only root
and rabbitmq): the vhost is made through sudo, or the user is told in one line exactly what
to run, never shown a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import stack

REFUSAL = "Only root or rabbitmq should run rabbitmqctl"


@pytest.fixture
def refusing_rabbitmqctl(tmp_path, monkeypatch):
    """A rabbitmqctl that says what Debian's says to anyone else, and fails: its refusal on
    stdout, then the usage (in bold) on stderr."""
    tool = tmp_path / "bin" / "rabbitmqctl"
    tool.parent.mkdir()
    usage = "printf '\\033[1mUsage\\033[0m\\n\\nrabbitmqctl [--node <node>] <command>\\n' >&2"
    tool.write_text(f"#!/bin/sh\necho\necho '{REFUSAL}'\necho\n{usage}\nexit 1\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tool


def test_a_refused_rabbitmqctl_ends_in_one_line_saying_what_to_run(refusing_rabbitmqctl, monkeypatch):
    monkeypatch.setattr(stack.os, "geteuid", lambda: 0)
    with pytest.raises(SystemExit) as refused:
        stack.Stack().ensure_vhost("court-abc", "guest", "amqp://guest:guest@127.0.0.1:1/court-abc")
    message = str(refused.value)
    assert "\n" not in message and f"court-abc ({REFUSAL}). Run once" in message and "Usage" not in message
    assert "sudo rabbitmqctl add_vhost court-abc && " in message
    assert "set_permissions -p court-abc guest '.*' '.*' '.*'" in message
    assert "set_policy -p court-abc --apply-to queues court-events" in message
    assert message.endswith("}'")  # the last command is whole: the policy's definition


def test_a_vhost_made_by_hand_is_used_when_rabbitmqctl_is_not_ours(refusing_rabbitmqctl, monkeypatch):
    monkeypatch.setattr(stack, "vhost_answers", lambda uri: True)
    stack.Stack().ensure_vhost("court-abc", "guest", "amqp://guest:guest@127.0.0.1:1/court-abc")


def test_a_user_who_is_not_root_goes_through_sudo(refusing_rabbitmqctl, monkeypatch):
    monkeypatch.setattr(stack.os, "geteuid", lambda: 1000)
    real_which = shutil.which
    monkeypatch.setattr(
        stack.shutil, "which", lambda name, **kw: "/usr/bin/sudo" if name == "sudo" else real_which(name, **kw)
    )
    command = stack.Stack().rabbitmqctl()
    # no terminal to ask a password at: sudo must not wait for one
    assert command == ["sudo", "-n", str(refusing_rabbitmqctl)]


INSTALLER = Path(__file__).resolve().parents[2] / "deploy" / "install-deps.sh"


def run_installer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(INSTALLER), *args], capture_output=True, text=True, timeout=60)


def test_make_checks_the_python_before_it_makes_the_virtualenv(tmp_path):
    old = tmp_path / "python3.9"
    # a Python 3.9: fails the version check and says which version it is
    old.write_text('#!/bin/sh\ncase "$2" in *python_version*) echo 3.9.2;; *) exit 1;; esac\n')
    old.chmod(0o755)
    refused = run_installer("python", str(old))
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "Python 3.9.2" in line and "3.11 or newer" in line and "make PYTHON=" in line
    missing = run_installer("python", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert run_installer("python", sys.executable).returncode == 0  # this one has venv
