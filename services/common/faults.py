"""Crash points for the tests that kill a service mid-request (SIGKILL) and show that
nothing is lost or doubled. Production never sets ``COURT_FAULT_FILE``."""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)


def fault_point(name: str) -> None:
    """Die on the spot, as a SIGKILL would, when the test says so.

    Inert unless the process was started with ``COURT_FAULT_FILE`` naming a file; the
    process then dies here if that file holds ``name``. The file is removed first, so the
    restarted process does not die again."""
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
