from __future__ import annotations

from nameko.rpc import rpc

from services.common.infra.metrics import ServiceMetrics


class HealthMixin:
    """Every service answers ``ping`` so the gateway's /healthz can name it, and carries
    the metrics and request-id provider (nameko collects providers from base classes)."""

    name: str

    metrics = ServiceMetrics()

    @rpc
    def ping(self) -> dict:
        return {"service": self.name, "status": "ok"}
