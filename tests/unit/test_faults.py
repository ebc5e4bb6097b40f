"""The one fault-point mechanism (services.common.faults): inert without ``COURT_FAULT_FILE``
or with another point armed; armed with this point, the process dies by SIGKILL there and
the file is gone, so the restarted process does not die again."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from services.common import faults

ROOT = Path(__file__).resolve().parents[2]
REACH = "from services.common.faults import fault_point; fault_point('ingest_after_commit'); print('survived')"


def reach(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", REACH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_a_point_does_nothing_unless_its_name_is_armed(tmp_path, monkeypatch):
    monkeypatch.delenv("COURT_FAULT_FILE", raising=False)
    faults.fault_point("ingest_after_commit")  # no file named: inert
    armed = tmp_path / "fault"
    monkeypatch.setenv("COURT_FAULT_FILE", str(armed))
    faults.fault_point("ingest_after_commit")  # the file is not there (yet)
    armed.write_text("decision_after_commit")
    faults.fault_point("ingest_after_commit")  # another point is armed
    assert armed.read_text() == "decision_after_commit"
    assert faults.NO_FAULT("decision_after_commit") is None


def test_the_armed_point_kills_the_process_once(tmp_path):
    armed = tmp_path / "fault"
    armed.write_text("ingest_after_commit\n")
    env = {"COURT_FAULT_FILE": str(armed), "PATH": "/usr/bin:/bin", "PYTHONPATH": "."}
    died = reach(env)
    assert died.returncode == -signal.SIGKILL and "survived" not in died.stdout
    assert not armed.exists()
    again = reach(env)  # restarted: nothing armed any more
    assert again.returncode == 0 and again.stdout.strip() == "survived"
