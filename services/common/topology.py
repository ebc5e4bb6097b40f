"""Who hears which announcement: the outbox events each service publishes and the
services that consume them (one ``@handles`` each; tests/unit/test_topology.py checks this
table against the handlers themselves).

The relay publishes an event that someone must hear with mandatory routing and publisher
confirms, and marks it published only once the broker has put it in at least one queue;
an event nobody has bound a queue for yet (a fresh install, a broker that lost its
definitions) stays in the outbox and is tried again with growing pauses. An event listed
with no consumer would be an announcement for whoever comes later.
"""

from __future__ import annotations

import re

SUBSCRIBERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("applications", "application_submitted"): ("dossier", "review"),
    ("applications", "application_withdrawn"): ("dossier", "review"),
    ("applications", "application_revoked"): ("dossier", "review"),
    ("review", "application_decided"): ("applications", "dossier", "review"),
    ("review", "attendance_recorded"): ("applications", "review"),
    ("review", "onsite_booked"): ("applications", "review"),
    ("case_binding", "representation_ended"): ("applications",),
    ("case_binding", "binding_decided"): ("review",),
    ("case_binding", "binding_revoked"): ("review",),
    ("dossier", "document_ingested"): ("case_binding",),
}


def must_be_heard(source: str, event_type: str) -> bool:
    return bool(SUBSCRIBERS.get((source, event_type)))


# -- who may do what on the broker ----------------------------------------------------------
# Broadcasts that are not outbox events: identity's, heard by every gateway replica.
BROADCASTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("identity", "session_revoked"): ("gateway",),
    ("identity", "account_changed"): ("gateway",),
}
# Whom each process calls by RPC (tests/unit/test_topology.py checks it against the
# services' RPC dependencies): the broker refuses any other call (topic permissions).
RPC_CALLS: dict[str, tuple[str, ...]] = {
    "gateway": ("identity", "case_binding", "applications", "review", "dossier"),
    "identity": (),
    "case_binding": ("identity",),
    "applications": ("case_binding", "dossier", "identity", "review"),
    "review": ("identity", "case_binding", "dossier"),
    "dossier": ("case_binding",),
}
BROKER_USERS = tuple(RPC_CALLS)  # one broker user per process kind, named as it
RPC_EXCHANGE = "nameko-rpc"
_REPLY_KEY = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_METHOD = "[A-Za-z_][A-Za-z0-9_]*"


def _any(*patterns: str) -> str:
    return "^(" + "|".join(patterns) + ")$"


def publishes(service: str) -> bool:
    """Whether the service announces events (it has an exchange ``<service>.events``)."""
    return any(source == service for source, _ in (*SUBSCRIBERS, *BROADCASTS))


def hears(service: str) -> list[str]:
    """The sources whose events the service consumes, in order."""
    sources = {source for table in (SUBSCRIBERS, BROADCASTS) for (source, _), who in table.items() if service in who}
    return sorted(sources)


def retries(service: str) -> bool:
    """Whether the service has ``@handles`` consumers (and so its own retry exchange)."""
    return any(service in who for who in SUBSCRIBERS.values())


def event_exchanges() -> list[str]:
    return sorted({f"{source}.events" for source, _ in (*SUBSCRIBERS, *BROADCASTS)})


def broker_permissions(service: str) -> dict[str, str]:
    """The configure, write and read regexes of the service's broker user on the vhost.

    Its own: the RPC queue (``rpc-<service>``, which the gateway does not have), its
    reply queues (``rpc.reply-<service>-<uuid>``), its event queues with their retry and
    dead-letter queues (``evt-<source>-<event>--<service>.<method>…``), its events'
    exchange and its retry exchange. Shared: ``nameko-rpc`` (nameko declares it in every
    process, and calls and replies are published there; which calls is narrowed by
    ``rpc_topic_permissions``). Others': read on the event exchanges it hears (a binding
    needs it), nothing more, so it can neither consume another's queue nor publish to
    another's events or retries."""
    s = re.escape(service)
    queues = [rf"rpc\.reply-{s}-{_REPLY_KEY}", rf"evt-[a-z_]+-[a-z_]+--{s}\.{_METHOD}(\.(backoff-\d+s|dead)|-.+)?"]
    if service != "gateway":
        queues.insert(0, rf"rpc-{s}")
    own_exchanges = [rf"{s}\.events"] if publishes(service) else []
    if retries(service):
        own_exchanges.append(rf"{s}\.retry")
    rpc = re.escape(RPC_EXCHANGE)
    heard = [rf"{re.escape(source)}\.events" for source in hears(service) if source != service]
    return {
        "configure": _any(*queues, *own_exchanges, rpc),
        "write": _any(*queues, *own_exchanges, rpc),
        "read": _any(*queues, *own_exchanges, rpc, *heard),
    }


def rpc_topic_permissions(service: str) -> dict[str, str]:
    """Routing keys the service may use on ``nameko-rpc``: to publish, replies (a caller's
    reply queue's uuid) and calls to the services it calls; to bind, its own RPC queue
    and reply queues."""
    calls = [rf"{re.escape(target)}\.{_METHOD}" for target in RPC_CALLS[service]]
    own = [_REPLY_KEY] if service == "gateway" else [rf"{re.escape(service)}\.\*", _REPLY_KEY]
    return {"exchange": RPC_EXCHANGE, "write": _any(_REPLY_KEY, *calls), "read": _any(*own)}


# -- who may do what on the S3 server ---------------------------------------------------
# What each process may do on the S3 server, as SeaweedFS actions on the bucket's key
# prefixes (every key the code makes starts with one of these). identity and case_binding
# hold no objects and get no key pair.
S3_GRANTS: dict[str, tuple[str, ...]] = {
    # uploads it stages (materials, dossier originals); materials it hands to clerks;
    # stamped pages and print copies the dossier service parked for it (deleted once read)
    "gateway": (
        "Read:{bucket}/materials/*",
        "Write:{bucket}/materials/*",
        "Write:{bucket}/dossier/originals/*",
        "Read:{bucket}/dossier/tmp/*",
        "Write:{bucket}/dossier/tmp/*",
        "Read:{bucket}/dossier/prints/*",
    ),
    "applications": ("Read:{bucket}/materials/*", "Write:{bucket}/materials/*", "List:{bucket}"),
    "dossier": (
        "Read:{bucket}/dossier/*",
        "Write:{bucket}/dossier/*",
        "List:{bucket}",
        # the access log's heads, in their own bucket under object lock (S3_HEADS_BUCKET):
        # written once, never deleted or replaced, whatever this key may do
        "Read:{heads}",
        "Write:{heads}",
        "List:{heads}",
    ),
}


def s3_actions(name: str, bucket: str, heads: str | None = None) -> list[str]:
    """SeaweedFS's actions (``-s3.config``) for a process's key pair on ``bucket`` and
    the heads' bucket (``<bucket>-heads`` unless named)."""
    return [grant.format(bucket=bucket, heads=heads or f"{bucket}-heads") for grant in S3_GRANTS[name]]
