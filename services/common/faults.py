"""Crash points for the tests that kill a service mid-request (SIGKILL) and show that
nothing is lost or doubled: the one way a fault point is written in this codebase.

A point is a name at a step (``decision_after_commit``, ``ingest_after_commit``,
``publish_after_commit``). A use case takes its points as a ``fault`` callable, by default
``NO_FAULT``, so unit tests pass one that raises where they want the crash and need no
environment; a service passes ``fault_point``, or calls it at a step of its own. Production
never sets ``COURT_FAULT_FILE``, so ``fault_point`` does nothing there."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

Fault = Callable[[str], None]


def NO_FAULT(name: str) -> None:  # noqa: N802 - a constant, as use cases' defaults read it
    """No point ever fires."""


def fault_point(name: str) -> None:
    """Die on the spot, as a SIGKILL would, when the test says so.

    Inert unless the process was started with ``COURT_FAULT_FILE`` naming a file; the
    process then dies here if that file holds ``name``. The file is removed first, so the
    restarted process does not die again (and the test sees that the point fired)."""
    path = os.environ.get("COURT_FAULT_FILE")
    if not path:
        return
    try:
        armed = Path(path).read_text().strip() == name
    except OSError:
        return
    if armed:
        Path(path).unlink(missing_ok=True)
        log.warning("fault point %s reached: killing this process", name)
        os.kill(os.getpid(), signal.SIGKILL)
