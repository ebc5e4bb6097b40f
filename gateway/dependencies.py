"""The gateway's providers: RPC with a timeout and metrics, the sign-in cache, metrics."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import ClusterRpc
from prometheus_client import Counter, Histogram

from gateway.errors import ApiError
from services.common import config
from services.common.rpc import expiring_client

log = logging.getLogger("gateway.rpc")

RPC_CALLS = Counter("gateway_rpc_calls_total", "RPC calls from the gateway", ["service", "method", "outcome"])
RPC_LATENCY = Histogram("gateway_rpc_duration_seconds", "RPC latency seen by the gateway", ["service", "method"])


class Services:
    """Calls ``service.method(**kwargs)`` with a deadline: nameko waits forever otherwise.
    The request carries the same deadline as its time to live, so a request nobody waits
    for any more (the service was down, the queue long) expires in the broker instead of
    being worked on after the outage."""

    def __init__(self, client, timeout: float, deadline: dict[str, float]):
        self._client = client
        self._timeout = timeout
        self._deadline = deadline  # read by the publisher of this worker's requests

    def call(self, service: str, method: str, timeout: float | None = None, **kwargs: Any) -> Any:
        # The request id rides along as nameko context data (CourtWebServer puts it there).
        started = time.perf_counter()
        outcome = "ok"
        seconds = timeout or self._timeout
        self._deadline["seconds"] = seconds
        try:
            with eventlet.Timeout(seconds, ApiError("service_unavailable")):
                return getattr(getattr(self._client, service), method)(**kwargs)
        except ApiError:
            outcome = "timeout"
            log.warning("rpc %s.%s timed out", service, method)
            raise
        except Exception as exc:
            outcome = "domain_error" if getattr(exc, "code", None) else "error"
            raise
        finally:
            RPC_CALLS.labels(service, method, outcome).inc()
            RPC_LATENCY.labels(service, method).observe(time.perf_counter() - started)

    def call_async(self, service: str, method: str, **kwargs: Any):
        return getattr(getattr(self._client, service), method).call_async(**kwargs)


class TimedRpc(ClusterRpc):
    def get_dependency(self, worker_ctx) -> Services:
        timeout = float(config.get("GATEWAY_RPC_TIMEOUT", 10))
        deadline = {"seconds": timeout}  # set by each call: its deadline is its request's TTL
        client = expiring_client(self, worker_ctx, lambda: deadline["seconds"])
        return Services(client, timeout, deadline)


class TokenCache(DependencyProvider):
    """token digest → (user, cached until). Short-lived so sign-in checks stay off the hot
    path; dropped at logout here at once and in other replicas by the broadcast event."""

    def setup(self) -> None:
        self.ttl = float(config.get("GATEWAY_TOKEN_CACHE_SECONDS", 30))
        self._entries: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def get_dependency(self, worker_ctx) -> TokenCache:
        return self

    def get(self, digest: str) -> dict | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        user, until = entry
        if time.monotonic() >= until:
            self._entries.pop(digest, None)
            return None
        return user

    def put(self, digest: str, user: dict) -> None:
        with self._lock:
            if len(self._entries) > 50_000:
                self._entries.clear()
            self._entries[digest] = (user, time.monotonic() + self.ttl)

    def drop(self, digest: str) -> None:
        self._entries.pop(digest, None)


class BrokerProbe(DependencyProvider):
    """Asks the broker, without publishing, how many consumers a service's RPC queue has.

    Publishing to a queue that does not exist yet (a service still starting) gets the
    message returned and the publishing channel closed under the gateway's RPC client;
    a passive declare on a connection of our own answers the same question safely."""

    def setup(self) -> None:
        from kombu import Connection

        self.connection = Connection(config.get("AMQP_URI"), connect_timeout=3)
        self._lock = threading.Lock()

    def stop(self) -> None:
        self.connection.release()

    def get_dependency(self, worker_ctx) -> BrokerProbe:
        return self

    def consumers(self, service: str) -> int:
        with self._lock:
            try:
                self.connection.ensure_connection(max_retries=1)
                channel = self.connection.channel()
            except Exception:
                return 0
            try:
                return channel.queue_declare(queue=f"rpc-{service}", passive=True).consumer_count
            except Exception:  # no such queue: the service never started on this broker
                return 0
            finally:
                try:
                    channel.close()
                except Exception:
                    pass
