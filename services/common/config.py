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
