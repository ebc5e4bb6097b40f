from __future__ import annotations

from nameko.rpc import rpc


class HealthMixin:
    """Every service answers ``ping`` so the gateway's /healthz can name it."""

    name: str

    @rpc
    def ping(self) -> dict:
        return {"service": self.name, "status": "ok"}
