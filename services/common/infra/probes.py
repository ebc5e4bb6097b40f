"""What a service process says about itself to its probes, from inside the process.

Ready (``/readyz``): every consumer the container runs (its RPC queue, each event handler,
its reply queue) has gone round its loop lately. kombu's consumer loop turns at least once
a second while it is connected and consuming, and not at all while it reconnects, so a
process whose broker connection is down is not ready, whatever other replicas answer.

Alive (``/healthz``): the event loop answers (or the probe would time out), and the worker
pool is not stuck: when every worker is busy and none has finished for
``WORKERS_STUCK_SECONDS``, the process is wedged (a worker blocking the hub, a call that
never returns) and restarting it is the cure. A broker outage never fails liveness: a
restart would not bring the broker back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from nameko.amqp.consume import Consumer

from services.common.infra import config

# a consumer's loop turns every second while it is connected (kombu's drain_events timeout)
CONSUMER_STALE_SECONDS = 5.0


def consumers_of(container: Any) -> Iterator[tuple[str, Consumer]]:
    """Every AMQP consumer of a container's extensions, named by its queue."""
    for extension in container.extensions:
        consumer = getattr(extension, "consumer", None)
        if isinstance(consumer, Consumer):
            queues = [queue.name for queue in consumer.queues or []]
            yield (",".join(queues) or type(extension).__name__), consumer


class ProcessWatch:
    """Watches a container's consumers and workers; built when the container starts, after
    every extension's setup made its consumer."""

    def __init__(self, container: Any, now: Callable[[], float] = time.monotonic) -> None:
        self.container = container
        self.now = now
        self.stuck_seconds = float(config.get("WORKERS_STUCK_SECONDS", 120))
        self.last_turn: dict[str, float] = {}
        self.last_finished = now()
        self.names = []
        for name, consumer in consumers_of(container):
            self.names.append(name)
            self._watch(name, consumer)

    def _watch(self, name: str, consumer: Consumer) -> None:
        inner = consumer.on_iteration

        def on_iteration() -> None:
            self.last_turn[name] = self.now()
            inner()

        consumer.on_iteration = on_iteration

    def worker_finished(self) -> None:
        self.last_finished = self.now()

    def ready(self) -> tuple[bool, dict[str, Any]]:
        """Whether every consumer turned within CONSUMER_STALE_SECONDS, and which did not."""
        now = self.now()
        stale = [
            name
            for name in self.names
            if name not in self.last_turn or now - self.last_turn[name] > CONSUMER_STALE_SECONDS
        ]
        return not stale and bool(self.names), {"consumers": len(self.names), "not_consuming": stale}

    def alive(self) -> tuple[bool, dict[str, Any]]:
        """False only when every worker is busy and none has finished for stuck_seconds."""
        pool = getattr(self.container, "_worker_pool", None)
        free = pool.free() if pool is not None else 1
        waited = self.now() - self.last_finished
        stuck = free == 0 and waited > self.stuck_seconds
        return not stuck, {"free_workers": free, "since_a_worker_finished_s": round(waited, 1)}
