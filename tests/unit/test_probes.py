"""The in-process probes (services/common/infra/probes.py) on a container of stand-ins: ready only
while every consumer's loop turns, alive unless every worker is busy and none finishes."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import eventlet
from kombu import Queue
from nameko.amqp.consume import Consumer

from gateway.routes import ops
from services.common.infra.probes import CONSUMER_STALE_SECONDS, ProcessWatch


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Pool:
    def __init__(self, free: int) -> None:
        self.free_slots = free

    def free(self) -> int:
        return self.free_slots


def container(pool: Pool):
    rpc = SimpleNamespace(consumer=Consumer("memory://", queues=[Queue("rpc-review")]))
    events = SimpleNamespace(consumer=Consumer("memory://", queues=[Queue("evt-applications-submitted--review")]))
    timer = SimpleNamespace()  # an extension without a consumer
    return SimpleNamespace(extensions=[rpc, events, timer], _worker_pool=pool), rpc.consumer, events.consumer


def test_ready_only_while_every_consumer_turns():
    clock = Clock()
    box, rpc, events = container(Pool(10))
    watch = ProcessWatch(box, now=clock)
    ready, detail = watch.ready()
    assert not ready and len(detail["not_consuming"]) == 2  # not consuming yet
    rpc.on_iteration()
    events.on_iteration()
    assert watch.ready() == (True, {"consumers": 2, "not_consuming": []})
    clock.t += CONSUMER_STALE_SECONDS + 1  # the connection dropped: the loops stopped turning
    rpc.on_iteration()  # one came back on another node
    ready, detail = watch.ready()
    assert not ready and detail["not_consuming"] == ["evt-applications-submitted--review"]


def test_alive_unless_every_worker_is_busy_and_none_finishes(monkeypatch):
    monkeypatch.setenv("WORKERS_STUCK_SECONDS", "60")
    clock, pool = Clock(), Pool(0)
    watch = ProcessWatch(container(pool)[0], now=clock)
    clock.t += 59
    assert watch.alive()[0]  # busy, but not for long
    clock.t += 2
    alive, detail = watch.alive()
    assert not alive and detail["free_workers"] == 0
    watch.worker_finished()
    assert watch.alive()[0]
    pool.free_slots = 3
    clock.t += 600
    assert watch.alive()[0]  # idle is not stuck


class Reply:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def result(self) -> None:
        eventlet.sleep(self.seconds)


class Services:
    """The gateway's RPC client and broker probe in one: ``review``'s publish is never
    confirmed (it blocks), ``dossier``'s probe never answers, ``case_binding`` has no consumer."""

    def consumers(self, service: str) -> int:
        if service == "dossier":
            eventlet.sleep(60)
        return 0 if service == "case_binding" else 1

    def call_async(self, service: str, method: str) -> Reply:
        if service == "review":
            eventlet.sleep(60)
        return Reply(0.01)


def test_health_answers_within_its_deadline_whatever_the_broker_does(monkeypatch):
    monkeypatch.setattr(ops, "HEALTH_TIMEOUT", 0.5)
    monkeypatch.delenv("OPS_TOKEN", raising=False)
    routes = ops.OpsRoutes()
    routes.broker = Services()  # type: ignore[assignment]
    started = time.monotonic()
    answer = ops.OpsRoutes.healthz.__wrapped__(routes, SimpleNamespace(rpc=routes.broker))  # the route without its door
    assert time.monotonic() - started < 1.5
    assert answer.status_code == 503
    assert json.loads(answer.get_data())["services"] == {
        "identity": "ok",
        "case_binding": "unavailable",
        "applications": "ok",
        "review": "unavailable",
        "dossier": "unavailable",
    }
