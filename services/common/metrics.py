"""Prometheus metrics of every nameko service, and the request id in every worker.

``ServiceMetrics`` (on ``HealthMixin``, so every service has it) counts each entrypoint's
calls, refusals, failures and latency, and each event consumed; it binds the request id
that arrived with the call (nameko context data, or ``request_id`` in an outbox event's
payload) for the worker's log lines; and it serves the process's metrics as Prometheus
text on ``METRICS_BIND:METRICS_PORT`` (``/metrics``, and ``/healthz`` for a liveness
probe: it answers while the process's event loop does and its workers are not stuck, and
``/readyz`` for a readiness probe: every consumer of the process is consuming;
``services/common/probes.py``). ``METRICS_PORT`` 0 or unset turns the listener off.

Events published are counted by wrapping the service's ``EventDispatcher``. The domain
metrics below are defined here, once, for the owning services to update: the review
queue (待审查) and its oldest wait, applications by status, pages served, upload bytes.
The gateway serves its own process's registry on ``/metrics``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import eventlet
import eventlet.wsgi
from nameko.events import EventDispatcher, EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import Counter, Gauge, Histogram, make_wsgi_app

from services.common import clock, config, probes
from services.common import logging as court_logging

log = logging.getLogger("court.access")

# -- per entrypoint, recorded by ServiceMetrics ---------------------------------------------
RPC_CALLS = Counter("court_rpc_calls_total", "RPC calls handled", ["service", "method"])
RPC_ERRORS = Counter(
    "court_rpc_errors_total",
    "RPC calls that did not succeed: refused (a DomainError, a rule said no) or failed (a bug or outage)",
    ["service", "method", "kind"],
)
RPC_LATENCY = Histogram(
    "court_rpc_duration_seconds",
    "Time to handle an RPC call",
    ["service", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ACTOR_REFUSALS = Counter(
    "court_actor_statements_refused_total",
    "RPC calls refused before any work because the end user's statement is missing, forged, expired or misaddressed",
    ["service", "method"],
)
EVENTS_CONSUMED = Counter(
    "court_events_consumed_total", "Events handled", ["service", "source", "event_type", "outcome"]
)
TIMER_RUNS = Counter("court_timer_runs_total", "Periodic jobs run", ["service", "method", "outcome"])
EVENTS_PUBLISHED = Counter("court_events_published_total", "Events published", ["service", "event_type"])

# -- domain metrics, updated by the owning services ------------------------------------------
REVIEW_PENDING = Gauge("court_review_pending", "Applications waiting for review (待审查)", ["court"])
REVIEW_OLDEST_SECONDS = Gauge(
    "court_review_oldest_pending_seconds", "Age of the oldest application waiting for review", ["court"]
)
REVIEW_OLDEST_WORKING_DAYS = Gauge(
    "court_review_oldest_pending_working_days",
    "Working days (法定节假日 and 调休 counted) the oldest application has waited for review",
    ["court"],
)
BINDING_PENDING = Gauge("court_binding_pending", "Binding applications (案件绑定) waiting for a clerk", ["court"])
BINDING_OLDEST_SECONDS = Gauge(
    "court_binding_oldest_pending_seconds", "Age of the oldest binding application waiting for a clerk", ["court"]
)
REVIEW_DECISIONS = Counter("court_review_decisions_total", "Review decisions (审查决定) made", ["court", "opinion"])
REVIEW_DECISION_HOURS = Histogram(
    "court_review_decision_hours",
    "Time from an application to its decision, in hours",
    ["court"],
    buckets=(1, 4, 8, 24, 48, 72, 120, 168, 336, 720),
)
APPLICATIONS = Gauge("court_applications", "Reading applications (阅卷申请) by status", ["status"])
PAGES_SERVED = Counter("court_pages_served_total", "Dossier pages served to readers", ["kind"])
UPLOAD_BYTES = Counter("court_upload_bytes_total", "Bytes of materials uploaded", ["kind"])
ACCESS_LOG_PROBLEMS = Gauge(
    "court_access_log_problems",
    "Breaks found in the access log's chain by the last check (against its exported heads too)",
)
INCONSISTENCIES = Gauge(
    "court_inconsistencies",
    "Applications on which applications, review and dossier disagree (services.common.consistency)",
)


def set_review_queues(queues: list[tuple[str, int, float | None]], working_days: dict[str, int]) -> None:
    """The review queue of every court now (see ``_set_queues``), and the working days its
    oldest application has waited."""
    _set_queues(REVIEW_PENDING, REVIEW_OLDEST_SECONDS, queues)
    _set_per_court(REVIEW_OLDEST_WORKING_DAYS, working_days)


def set_binding_queues(queues: list[tuple[str, int, float | None]]) -> None:
    """The binding queue (案件绑定) of every court now (see ``_set_queues``)."""
    _set_queues(BINDING_PENDING, BINDING_OLDEST_SECONDS, queues)


def queue_ages(rows) -> list[tuple[str, int, float | None]]:
    """(court, count, oldest waiting since) rows → (court, count, age of the oldest in s)."""
    now = clock.utcnow()
    return [
        (court, count, (now - clock.as_aware(oldest)).total_seconds() if oldest else None)
        for court, count, oldest in rows
    ]


def _set_queues(pending_gauge: Gauge, oldest_gauge: Gauge, queues: list[tuple[str, int, float | None]]) -> None:
    """How many wait in each court's queue, and how long the oldest has. A court whose
    queue emptied goes to zero instead of keeping its last values (which kept the two-day
    alert firing for ever)."""
    _set_per_court(pending_gauge, {court: pending for court, pending, _ in queues})
    _set_per_court(oldest_gauge, {court: oldest or 0 for court, _, oldest in queues})


def decision_made(court: str, opinion: str, waited_seconds: float) -> None:
    """One review decision, for the dashboard's decisions per day and time to decision."""
    REVIEW_DECISIONS.labels(court, opinion).inc()
    REVIEW_DECISION_HOURS.labels(court).observe(max(0.0, waited_seconds) / 3600)


def _set_per_court(gauge: Gauge, values: Mapping[str, float]) -> None:
    """A per-court gauge; a court no longer listed goes to zero."""
    for labels in list(gauge._metrics):  # noqa: SLF001 - the only way to list children
        if labels[0] not in values:
            gauge.labels(*labels).set(0)
    for court, value in values.items():
        gauge.labels(court).set(value)


def set_applications_by_status(counts: dict[str, int]) -> None:
    """Counts of applications per status; a status absent from ``counts`` is set to 0 so a
    status that emptied does not keep its last value."""
    for labels in list(APPLICATIONS._metrics):  # noqa: SLF001 - the only way to list children
        if labels[0] not in counts:
            APPLICATIONS.labels(*labels).set(0)
    for status, count in counts.items():
        APPLICATIONS.labels(status).set(count)


def page_served(kind: str = "page", count: int = 1) -> None:
    """``kind``: ``page`` (an image of one page) or ``pdf`` (a print)."""
    PAGES_SERVED.labels(kind).inc(count)


def upload_received(size: int, kind: str) -> None:
    UPLOAD_BYTES.labels(kind).inc(size)


def _entrypoint_kind(entrypoint: Any) -> str:
    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, EventHandler):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return "other"


def _request_id_of(worker_ctx: Any) -> str | None:
    request_id = worker_ctx.data.get("request_id")
    if request_id is None and isinstance(worker_ctx.entrypoint, EventHandler) and worker_ctx.args:
        payload = worker_ctx.args[0]
        if isinstance(payload, dict):  # relayed from an outbox: the id travels in the payload
            request_id = payload.get("request_id")
    return court_logging.sane_request_id(request_id)


class ServiceMetrics(DependencyProvider):
    """Worker hooks for metrics and the request id; the process's /metrics listener."""

    def setup(self) -> None:
        self.service = self.container.service_name
        court_logging.set_service(self.service)
        self.port = int(config.get("METRICS_PORT", 0) or 0)
        self.bind = str(config.get("METRICS_BIND", "127.0.0.1"))
        self._started: dict[int, float] = {}
        self._sock = None
        self._server = None
        self.watch: probes.ProcessWatch | None = None
        for provider in self.container.dependencies:
            if isinstance(provider, EventDispatcher):
                self._count_dispatches(provider)

    def _count_dispatches(self, dispatcher: EventDispatcher) -> None:
        """Wraps the service's event dispatcher so every publish is counted, whether a
        worker dispatches directly or an outbox relay does, with no call in the service."""
        inner, service = dispatcher.get_dependency, self.service

        def get_dependency(worker_ctx: Any):
            dispatch = inner(worker_ctx)

            def counted(event_type: str, event_data: Any) -> None:
                dispatch(event_type, event_data)
                EVENTS_PUBLISHED.labels(service, event_type).inc()

            return counted

        dispatcher.get_dependency = get_dependency

    def start(self) -> None:
        # every extension's setup has made its consumer by now (nameko sets all up, then starts)
        self.watch = probes.ProcessWatch(self.container)
        if not self.port:
            return
        # reuse_port=False: eventlet's default would let two processes share the port and
        # split the scrapes between them (NAMEKO-NOTES P5).
        self._sock = eventlet.listen((self.bind, self.port), reuse_port=False)
        self._server = self.container.spawn_managed_thread(self._serve, identifier="metrics")
        log.info("metrics on http://%s:%s/metrics", self.bind, self.port)

    def _serve(self) -> None:
        metrics_app = make_wsgi_app()

        def app(environ, start_response):
            path = environ.get("PATH_INFO")
            if path in ("/healthz", "/readyz"):
                watch = self.watch
                assert watch is not None  # set in setup(), before the server starts
                good, detail = watch.alive() if path == "/healthz" else watch.ready()
                start_response("200 OK" if good else "503 Service Unavailable", [("Content-Type", "application/json")])
                return [json.dumps({"status": "ok" if good else "failing", **detail}).encode() + b"\n"]
            return metrics_app(environ, start_response)

        eventlet.wsgi.server(self._sock, app, log_output=False)

    def stop(self) -> None:
        if self._server is not None:
            self._server.kill()
        if self._sock is not None:
            self._sock.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> ServiceMetrics:
        return self

    def worker_setup(self, worker_ctx: Any) -> None:
        court_logging.bind_request_id(_request_id_of(worker_ctx))
        self._started[id(worker_ctx)] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        if self.watch is not None:
            self.watch.worker_finished()
        started = self._started.pop(id(worker_ctx), None)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        entrypoint = worker_ctx.entrypoint
        method = entrypoint.method_name
        kind = _entrypoint_kind(entrypoint)
        exc = exc_info[1] if exc_info else None
        if exc is None:
            outcome = "ok"
        elif isinstance(exc, entrypoint.expected_exceptions or ()):
            outcome = "refused"
        else:
            outcome = "failed"
        if kind == "rpc":
            RPC_CALLS.labels(self.service, method).inc()
            RPC_LATENCY.labels(self.service, method).observe(elapsed)
            if outcome != "ok":
                RPC_ERRORS.labels(self.service, method, outcome).inc()
        elif kind == "event":
            EVENTS_CONSUMED.labels(self.service, entrypoint.source_service, entrypoint.event_type, outcome).inc()
        elif kind == "timer":
            TIMER_RUNS.labels(self.service, method, outcome).inc()
            if outcome == "ok":
                return  # a relay every second would drown the log
        # One access line per call, carrying the caller's request id (not its arguments).
        log.info(
            "%s %s.%s %s",
            kind,
            self.service,
            method,
            outcome,
            extra={"duration_ms": round(elapsed * 1000, 1), "outcome": outcome},
        )

    def worker_teardown(self, worker_ctx: Any) -> None:
        self._started.pop(id(worker_ctx), None)
        court_logging.bind_request_id(None)
