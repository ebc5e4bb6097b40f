"""Operations routes: health, metrics, the OpenAPI document, and the JSON 404 fallback."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import eventlet
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import Field
from werkzeug.wrappers import Response

from gateway.errors import ApiError, json_response
from gateway.http import Context, Media, bearer_token, get
from gateway.openapi import openapi_document
from services.common.infra import config
from services.common.infra.wire import Answer

if TYPE_CHECKING:
    from gateway.dependencies import BrokerProbe

SERVICES = ("identity", "case_binding", "applications", "review", "dossier")
State = Literal["ok", "unavailable", "error"]


class Health(Answer):
    """Whether every service answers; which one does not is for the operators only."""

    example: ClassVar = {"status": "ok", "services": dict.fromkeys(SERVICES, "ok")}
    status: Literal["ok", "degraded"]
    services: dict[str, State] | None = Field(None, description="各服务的状态（设置 OPS_TOKEN 时仅运维可见）")


class OpenApiDocument(Answer):
    """This document (OpenAPI 3.1)."""

    openapi: str


HEALTH_TIMEOUT = 3.0


def operator(ctx: Context) -> bool:
    """Operators' endpoints are not public where ``OPS_TOKEN`` is set (production): the
    metrics and the per-service health then need ``Authorization: Bearer <OPS_TOKEN>``. A
    local stack, on loopback only, sets none."""
    token = str(config.get("OPS_TOKEN") or "")
    if not token:
        return True
    sent = bearer_token(ctx.request) or ""
    return secrets.compare_digest(sent.encode(), token.encode())


class OpsRoutes:
    broker: BrokerProbe  # the gateway service's dependency (gateway.service)

    @get("/healthz", auth=False, answer=Health)
    def healthz(self, ctx: Context):
        """健康检查：五个服务是否应答（设置 OPS_TOKEN 时，各服务的明细需要该令牌）

        200: {status: ok, services}
        503: {status: degraded, services}: a service does not answer
        """
        # The services are asked together, each within what is left of one deadline that
        # covers the probe and the publish as well as the reply: a broker that stops
        # confirming must make this answer 503, never hang the probe (and the stack's start
        # that waits on it), and one dead service does not hide the answers of the others.
        deadline = time.monotonic() + HEALTH_TIMEOUT
        pool = eventlet.GreenPool(len(SERVICES))
        asked = {name: pool.spawn(self.health_of, ctx, name, deadline) for name in SERVICES}
        states: dict[str, State] = {name: thread.wait() for name, thread in asked.items()}
        healthy = all(v == "ok" for v in states.values())
        body: dict[str, Any] = {"status": "ok" if healthy else "degraded"}
        if operator(ctx):  # which service is down is for the operators
            body["services"] = states
        return json_response(200 if healthy else 503, body)

    def health_of(self, ctx: Context, name: str, deadline: float) -> State:
        try:
            with eventlet.Timeout(max(deadline - time.monotonic(), 0.05)):
                if self.broker.consumers(name) == 0:
                    return "unavailable"  # nobody listens: do not publish into the void
                ctx.rpc.call_async(name, "ping").result()
                return "ok"
        except eventlet.Timeout:
            return "unavailable"
        except Exception:
            return "error"

    @get("/metrics", auth=False, answer=Media("text/plain", "Prometheus text format"))
    def metrics(self, ctx: Context):
        """Prometheus 指标（设置 OPS_TOKEN 时需要该令牌；生产入口不转发）

        200: Prometheus text format
        404: not_found (OPS_TOKEN is set and not sent)
        """
        if not operator(ctx):
            raise ApiError("not_found")  # as if there were nothing here
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST.split(";")[0])

    @get("/api/v1/openapi.json", auth=False, answer=OpenApiDocument)
    def openapi(self, ctx: Context):
        """OpenAPI 文档"""
        return openapi_document()
