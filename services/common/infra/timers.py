"""Timers whose interval is configuration, so operators (and tests) can tune periodic
jobs without a code change."""

from __future__ import annotations

from typing import Any

from nameko.timer import Timer

from services.common.infra import config


class ConfiguredTimer(Timer):
    """A timer whose interval is read from configuration when the container starts (P6)."""

    def __init__(self, key: str, default: float, **kwargs: Any) -> None:
        super().__init__(interval=default, **kwargs)
        self.key = key
        self.default = default

    def setup(self) -> None:
        self.interval = float(config.get(self.key, self.default))
        super().setup()


configured_timer = ConfiguredTimer.decorator
