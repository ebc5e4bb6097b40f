"""The table of who hears which announcement (services.common.topology) is the handlers
themselves: every @handles is in it, and every event a service records is listed."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from services.applications.service import ApplicationsService
from services.case_binding.service import CaseBindingService
from services.common.events import RetryingEventHandler
from services.common.topology import SUBSCRIBERS, must_be_heard
from services.dossier.service import DossierService
from services.review.service import ReviewService

ROOT = Path(__file__).resolve().parents[2]
SERVICES = (ApplicationsService, CaseBindingService, DossierService, ReviewService)


def test_the_table_is_what_the_handlers_subscribe_to():
    heard: dict[tuple[str, str], set[str]] = defaultdict(set)
    for service in SERVICES:
        for method in vars(service).values():
            for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, RetryingEventHandler):
                    heard[(entrypoint.source_service, entrypoint.event_type)].add(service.name)
    assert {key: set(names) for key, names in SUBSCRIBERS.items() if names} == dict(heard)


def test_every_recorded_event_is_in_the_table():
    recorded = set()
    for service in ("applications", "case_binding", "dossier", "review"):
        source = (ROOT / "services" / service / "usecases.py").read_text()
        # record_event(session, Outbox, "name", ...) or, through a repository, announce("name", ...)
        announced = re.findall(r'(?:Outbox,|announce\()\s*"([a-z_]+)"', source)
        recorded |= {(service, name) for name in announced}
    assert recorded and recorded == set(SUBSCRIBERS)
    assert must_be_heard("review", "application_decided") and not must_be_heard("review", "no_such_event")


def test_the_rpc_table_is_what_the_services_call():
    import importlib

    from nameko.rpc import ClusterRpc, ServiceRpc

    from deploy.stack import SERVICES as PROCESSES
    from services.common.topology import RPC_CALLS

    called = {}
    for name, path in PROCESSES.items():
        module, cls = path.split(":")
        service = getattr(importlib.import_module(module), cls)
        providers = [getattr(service, attr, None) for attr in dir(service)]
        targets = {p.target_service for p in providers if isinstance(p, ServiceRpc)}
        if any(isinstance(p, ClusterRpc) and not isinstance(p, ServiceRpc) for p in providers):
            targets = {"*"}  # the gateway calls whom its routes name
        called[name] = targets
    assert called.pop("gateway") == {"*"}
    assert {name: set(RPC_CALLS[name]) for name in called} == called
    assert set(RPC_CALLS) == set(PROCESSES)


def test_each_broker_user_may_touch_only_its_own_names():
    from services.common import topology

    def allowed(kind: str, user: str, name: str) -> bool:
        return re.fullmatch(topology.broker_permissions(user)[kind], name) is not None

    q = "evt-applications-application_submitted--review.on_application_submitted"
    for kind in ("configure", "write", "read"):
        for name in (q, q + ".backoff-5s", q + ".dead", "rpc-review", "review.retry", "review.events", "nameko-rpc"):
            assert allowed(kind, "review", name), (kind, name)
            assert not allowed(kind, "identity", name) or name == "nameko-rpc", (kind, name)
        reply = "rpc.reply-review-0b7e5c1e-8a5e-4c1f-9f44-1d2a3b4c5d6e"
        assert allowed(kind, "review", reply) and not allowed(kind, "dossier", reply)
        # nobody gets the default exchange, which reaches every queue
        assert not any(allowed(kind, user, "amq.default") for user in topology.BROKER_USERS)
        assert not allowed(kind, "review", "court.dead-letters")
    # another's event exchange: read (to bind), never configure or write
    assert allowed("read", "review", "applications.events")
    assert not allowed("write", "review", "applications.events")
    assert not allowed("configure", "review", "applications.events")
    # the gateway: RPC and its broadcast queues only
    broadcast = "evt-identity-session_revoked--gateway.drop_revoked_session-3f1c"
    assert allowed("configure", "gateway", broadcast) and allowed("read", "gateway", "identity.events")
    assert not allowed("configure", "gateway", "rpc-gateway") and not allowed("write", "gateway", "gateway.events")


def test_rpc_topic_permissions_follow_the_call_graph():
    from services.common import topology

    def may_call(user: str, key: str) -> bool:
        return re.fullmatch(topology.rpc_topic_permissions(user)["write"], key) is not None

    assert may_call("gateway", "dossier.read_page") and may_call("review", "dossier.grantable_documents")
    assert not may_call("identity", "dossier.read_page") and not may_call("dossier", "identity.resolve_token")
    assert may_call("identity", "0b7e5c1e-8a5e-4c1f-9f44-1d2a3b4c5d6e")  # a reply
    binds = topology.rpc_topic_permissions("review")["read"]
    assert re.fullmatch(binds, "review.*") and not re.fullmatch(binds, "dossier.*")
