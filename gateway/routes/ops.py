"""Operations routes: health, metrics, the OpenAPI document, and the JSON 404 fallback."""

from __future__ import annotations

import time

import eventlet
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from gateway.errors import json_response
from gateway.http import Context, route
from gateway.openapi import openapi_document

SERVICES = ("identity", "case_binding", "applications", "review", "dossier")
HEALTH_TIMEOUT = 3.0


class OpsRoutes:
    @route(
        "GET",
        "/healthz",
        auth=False,
        summary="健康检查：五个服务是否应答",
        responses={200: "{status: ok, services}", 503: "{status: degraded, services}: a service does not answer"},
    )
    def healthz(self, ctx: Context):
        replies, states = {}, {}
        for name in SERVICES:
            if self.broker.consumers(name) == 0:
                states[name] = "unavailable"  # nobody listens: do not publish into the void
                continue
            try:
                replies[name] = ctx.rpc.call_async(name, "ping")
            except Exception:
                states[name] = "unavailable"
        # The pings went out together; each waits only for what is left of one deadline,
        # so one dead service does not hide the answers of the others.
        deadline = time.monotonic() + HEALTH_TIMEOUT
        for name, reply in replies.items():
            try:
                with eventlet.Timeout(max(deadline - time.monotonic(), 0.05)):
                    reply.result()
                states[name] = "ok"
            except eventlet.Timeout:
                states[name] = "unavailable"
            except Exception:
                states[name] = "error"
        for name in SERVICES:
            states.setdefault(name, "unavailable")
        healthy = all(v == "ok" for v in states.values())
        return json_response(200 if healthy else 503, {"status": "ok" if healthy else "degraded", "services": states})

    @route("GET", "/metrics", auth=False, summary="Prometheus 指标")
    def metrics(self, ctx: Context):
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST.split(";")[0])

    @route("GET", "/api/v1/openapi.json", auth=False, summary="OpenAPI 文档")
    def openapi(self, ctx: Context):
        return openapi_document()
