"""Configuration: nameko's YAML config (with ${ENV:default} substitution) first, then the
environment, so the same helpers work inside a service and in command-line tools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nameko import config as nameko_config

ROOT = Path(__file__).resolve().parents[2]


def get(key: str, default: Any = None) -> Any:
    value = nameko_config.get(key)
    if value in (None, ""):
        value = os.environ.get(key)
    return default if value in (None, "") else value


def data_dir() -> Path:
    path = Path(get("DATA_DIR", "var"))
    if not path.is_absolute():
        path = ROOT / path
    return path


def adopt_local_stack() -> None:
    """For operator commands run beside a local stack (``make up``): take the broker, S3 and
    access-log settings it made for DATA_DIR (``run/stack.json``) where the environment
    gives none. Production sets them all, and this changes nothing there."""
    import json

    try:
        state = json.loads((data_dir() / "run" / "stack.json").read_text())
    except (OSError, ValueError):
        return
    defaults = {
        "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/" + state["vhost"] if state.get("vhost") else None,
        "S3_ENDPOINT": f"http://127.0.0.1:{state['s3_base_port'] + 3}" if state.get("s3_base_port") else None,
        "S3_ACCESS_KEY": state.get("s3_access_key"),
        "S3_SECRET_KEY": state.get("s3_secret_key"),
        "ACCESS_LOG_KEY": state.get("access_log_key"),
        "S3_HEADS_BUCKET": state.get("s3_heads_bucket"),  # the cluster shape's locked bucket
    }
    for key, value in defaults.items():
        if value and not get(key):
            os.environ[key] = value
