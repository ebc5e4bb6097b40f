"""The gateway's providers: RPC with a timeout, metrics and the end user signed for each
call, the sign-in cache, metrics."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import ClusterRpc
from prometheus_client import Counter, Histogram

from gateway.errors import ApiError
from services.common.infra import actor as statements
from services.common.infra import config
from services.common.infra.rpc import WithoutRedeclaring, expiring_client

log = logging.getLogger("gateway.rpc")

RPC_CALLS = Counter("gateway_rpc_calls_total", "RPC calls from the gateway", ["service", "method", "outcome"])
RPC_LATENCY = Histogram("gateway_rpc_duration_seconds", "RPC latency seen by the gateway", ["service", "method"])


class ActorSigner:
    """Signs the end user for one method (services.common.infra.actor): the statement lives
    ``GATEWAY_ACTOR_STATEMENT_SECONDS`` (30), or as long as the call's own deadline when
    that is longer (a print copy may wait in the broker that long), and says of the
    user's personal numbers only what that service uses."""

    def __init__(self, key, lifetime: float):
        self._key = key
        self.lifetime = lifetime

    @classmethod
    def from_config(cls) -> ActorSigner:
        text = str(config.get("GATEWAY_ACTOR_SIGNING_KEY") or "")
        if not text:
            raise RuntimeError("GATEWAY_ACTOR_SIGNING_KEY is not set: the services would believe no one")
        lifetime = float(config.get("GATEWAY_ACTOR_STATEMENT_SECONDS", statements.DEFAULT_LIFETIME_SECONDS))
        return cls(statements.load_signing_key(text), lifetime)

    def actor_for(self, service: str, method: str, actor: Mapping[str, Any], deadline: float) -> statements.Actor | str:
        target = f"{service}.{method}"
        told = statements.claims_for(target, actor)
        if service in statements.UNVERIFIED_SERVICES:
            return told
        return statements.sign(self._key, told, target, lifetime=max(self.lifetime, deadline))


class Services:
    """Calls ``service.method(**kwargs)`` with a deadline: nameko waits forever otherwise.
    The request carries the same deadline as its time to live, so a request nobody waits
    for any more (the service was down, the queue long) expires in the broker instead of
    being worked on after the outage. An ``actor`` goes as a statement signed for exactly
    that method (ActorSigner): the services believe nothing else."""

    def __init__(self, client, timeout: float, deadline: dict[str, float], signer: ActorSigner | None = None):
        self._client = client
        self._timeout = timeout
        self._deadline = deadline  # read by the publisher of this worker's requests
        self._signer = signer

    def _signed(self, service: str, method: str, kwargs: dict, seconds: float) -> dict:
        actor = kwargs.get("actor")
        if isinstance(actor, dict):
            if self._signer is None:
                raise RuntimeError("no actor signing key")
            kwargs["actor"] = self._signer.actor_for(service, method, actor, seconds)
        return kwargs

    def call(self, service: str, method: str, timeout: float | None = None, **kwargs: Any) -> Any:
        # The request id rides along as nameko context data (CourtWebServer puts it there).
        started = time.perf_counter()
        outcome = "ok"
        seconds = timeout or self._timeout
        self._deadline["seconds"] = seconds
        kwargs = self._signed(service, method, kwargs, seconds)
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
        kwargs = self._signed(service, method, kwargs, self._deadline["seconds"])
        return getattr(getattr(self._client, service), method).call_async(**kwargs)


class TimedRpc(WithoutRedeclaring, ClusterRpc):
    def setup(self) -> None:
        super().setup()
        self.signer = ActorSigner.from_config()  # the gateway refuses to start without its key

    def get_dependency(self, worker_ctx) -> Services:
        timeout = float(config.get("GATEWAY_RPC_TIMEOUT", 10))
        deadline = {"seconds": timeout}  # set by each call: its deadline is its request's TTL
        client = expiring_client(self, worker_ctx, lambda: deadline["seconds"])
        return Services(client, timeout, deadline, self.signer)


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

    def drop_user(self, user_id: int) -> None:
        """Forget every cached sign-in of one account (its sessions ended, or what it may
        do changed): the next request asks identity again."""
        with self._lock:
            for digest in [d for d, (user, _) in self._entries.items() if user.get("id") == user_id]:
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
                return self._consumers(service)
            except eventlet.Timeout:
                # cut off by the caller's deadline mid-frame: that connection cannot be
                # trusted to be in step with the broker any more, so the next probe opens anew
                stale, self.connection = self.connection, self.connection.clone()
                stale.collect()  # dropped without a word to the broker, which may not answer
                raise

    def _consumers(self, service: str) -> int:
        try:
            self.connection.ensure_connection(max_retries=1)
            channel = self.connection.channel()
        except Exception:
            return 0
        try:
            count = channel.queue_declare(queue=f"rpc-{service}", passive=True).consumer_count
        except Exception:  # no such queue: the service never started on this broker
            count = 0
        try:
            channel.close()
        except Exception:
            pass
        return count
