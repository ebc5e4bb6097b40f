"""Providers of the applications service: the outbox relay gate and the crash-test fault point."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from eventlet import patcher
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from services.common import config
from services.common.db import UnitOfWork
from services.common.messaging import relay

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


class RelayGate:
    """One relay at a time in this process. Without it every submission's relay would read
    and publish the same unpublished rows at once (SQLite has no SKIP LOCKED): many copies
    of each event, and work that grows with the square of the load. A relay asked for while
    one runs just marks the outbox dirty; the running one goes round again."""

    def __init__(self) -> None:
        self._lock = Semaphore(1)
        self._dirty = False

    def run(self, uow: UnitOfWork, model: type, dispatch: Callable[[str, dict], None]) -> None:
        self._dirty = True
        if not self._lock.acquire(blocking=False):
            return
        try:
            while self._dirty:
                self._dirty = False
                while relay(uow, model, dispatch) > 0:
                    pass
        finally:
            self._lock.release()


class OutboxRelay(DependencyProvider):
    def setup(self) -> None:
        self.gate = RelayGate()

    def get_dependency(self, worker_ctx) -> RelayGate:
        return self.gate
