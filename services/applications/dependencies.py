"""Providers of the applications service: the crash-test fault point."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from eventlet import patcher
from nameko.extensions import DependencyProvider

from services.common import config

log = logging.getLogger(__name__)

# Fault injection for the crash test (tests/e2e/test_applications_crash.py), inert unless
# the process was started with COURT_FAULT_INJECTION=1 *and* the arm file exists:
#   DATA_DIR/faults/applications.freeze_before_publish
# When armed, the process freezes (the whole eventlet hub, so no timer can relay either)
# right after a submission commits and before its event is published, and writes
# DATA_DIR/faults/applications.frozen with its pid, so the test can SIGKILL it there.
ARM_FILE = "applications.freeze_before_publish"
FROZEN_FILE = "applications.frozen"


class Fault:
    def __init__(self, directory: Path | None):
        self.directory = directory

    def before_publish(self) -> None:
        if self.directory is None or not (self.directory / ARM_FILE).exists():
            return
        log.warning("fault injection: frozen between commit and publish")
        (self.directory / FROZEN_FILE).write_text(str(os.getpid()))
        real_sleep = patcher.original("time").sleep
        real_sleep(60)  # blocks the hub on purpose; the test kills the process meanwhile


class FaultPoint(DependencyProvider):
    def setup(self) -> None:
        enabled = os.environ.get("COURT_FAULT_INJECTION") == "1"
        self.fault = Fault(config.data_dir() / "faults" if enabled else None)

    def get_dependency(self, worker_ctx) -> Fault:
        return self.fault
