"""Event handlers that never lose a fact and never spin on one.

nameko's ``@event_handler`` either drops a message whose handler failed or, with
``requeue_on_error``, hands it straight back: a hot loop on classic queues, and on quorum
queues (RabbitMQ 4) a silent discard after the delivery limit's 20 returns. A passing
database failover must neither lose the fact nor burn a core.

``@handles(source, event_type)`` instead acknowledges a failed message only after it has
been published again, with one more try counted in its headers, to a retry queue of
its own consumer whose messages wait out a time to live and then dead-letter back to the
consumer's queue: the delays grow (``EVENT_RETRY_DELAYS``, seconds, default
``1,5,30,120,600``). After the last delay the message goes to the consumer's dead-letter
queue, ``<queue>.dead``, counted in ``court_dead_letters_total``, where it waits for an
operator: ``python -m deploy.admin replay-dead-letters`` puts it back once the cause is
fixed. The handlers' idempotence (the inbox) makes every retry harmless.

Queues, per consumer queue ``Q`` (nameko's ``evt-<source>-<event>--<service>.<method>``):
``Q.backoff-<n>s`` (TTL n seconds, dead-letters back to ``Q``) for each delay, and
``Q.dead``. All of them, ``Q`` included, are bound to the consuming service's own direct
exchange ``<service>.retry`` under their own names, and the handler parks a failed
message by publishing there, never to the default exchange: a service's broker user then
needs write rights only on its own exchanges (services.common.infra.topology derives them),
not on ``amq.default``, which reaches every queue of the vhost. Vhosts made by older
versions keep their ``Q.retry-<n>s`` queues (dead-lettering through the default
exchange): nothing publishes to them any more, what they still hold returns to ``Q``
when its time runs out, and they may be deleted once empty.

A message a process died on is redelivered by the broker; the vhost policy the stack
declares (``deploy/stack.py``: ``delivery-limit``) bounds that too and dead-letters to
``court.dead-letters``, which the replay command also drains.

The source's event exchange is never declared by a consumer (that would take configure
rights on another service's exchange): the handler checks it exists, declares it only
when it may (the local stack's broker user may do anything) and otherwise says which
setup step makes it (``python -m services.common.infra.broker``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import eventlet
from amqp.exceptions import AccessRefused, NotFound  # type: ignore[import-untyped]
from kombu import Connection, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import SERVICE_POOL, EventDispatcher, EventHandler
from prometheus_client import Counter

from services.common.infra import config

log = logging.getLogger(__name__)

TRIES_HEADER = "x-court-tries"
ERROR_HEADER = "x-court-error"
DEFAULT_DELAYS = (1, 5, 30, 120, 600)
# What a process died on (not a handler error) the broker returns this many times, then
# dead-letters here (the policy deploy/stack.py declares on every vhost).
DELIVERY_LIMIT = 10
BROKER_DEAD_LETTER_EXCHANGE = "court.dead-letters"
BROKER_DEAD_LETTER_QUEUE = "court.dead-letters"

RETRIES = Counter("court_event_retries_total", "Failed event deliveries sent back to wait and retry", ["queue"])
DEAD_LETTERS = Counter(
    "court_dead_letters_total", "Events whose handler failed every try, parked for an operator", ["queue"]
)


def retry_delays() -> tuple[int, ...]:
    raw = config.get("EVENT_RETRY_DELAYS")
    if not raw:
        return DEFAULT_DELAYS
    delays = tuple(int(float(part)) for part in str(raw).split(",") if part.strip())
    if not delays or any(d < 1 for d in delays):
        raise ValueError("EVENT_RETRY_DELAYS: whole seconds, at least 1, comma separated")
    return delays


def retry_exchange_name(service: str) -> str:
    """The consuming service's own exchange for its retry and dead-letter queues."""
    return f"{service}.retry"


def retry_exchange(service: str) -> Exchange:
    return Exchange(retry_exchange_name(service), type="direct", durable=True)


def retry_queue_name(queue: str, delay: int) -> str:
    return f"{queue}.backoff-{delay}s"


def dead_queue_name(queue: str) -> str:
    return f"{queue}.dead"


def side_queues(queue: str, delays: tuple[int, ...], service: str) -> list[Queue]:
    """The retry queues (each a delay: its messages dead-letter back to ``queue`` through
    the service's retry exchange when their time to live runs out) and the dead-letter
    queue of one consumer queue, each bound to that exchange under its own name."""
    exchange = retry_exchange(service)
    waits = [
        Queue(
            retry_queue_name(queue, delay),
            exchange=exchange,
            routing_key=retry_queue_name(queue, delay),
            durable=True,
            queue_arguments={
                "x-message-ttl": delay * 1000,
                "x-dead-letter-exchange": exchange.name,
                "x-dead-letter-routing-key": queue,
            },
        )
        for delay in delays
    ]
    dead = Queue(dead_queue_name(queue), exchange=exchange, routing_key=dead_queue_name(queue), durable=True)
    return [*waits, dead]


def broker_dead_letters() -> Queue:
    """Where the broker puts what the delivery limit stopped (see services.common.infra.broker)."""
    exchange = Exchange(BROKER_DEAD_LETTER_EXCHANGE, type="fanout", durable=True)
    return Queue(BROKER_DEAD_LETTER_QUEUE, exchange=exchange, durable=True)


class MissingExchange(RuntimeError):
    """An exchange this process needs is not there and it may not declare it."""


def ensure_exchange(connection: Connection, exchange: Exchange) -> None:
    """The exchange exists afterwards: asked passively (which needs no rights), declared
    when missing if this user may, else ``MissingExchange`` naming the setup step."""
    # a copy that may be declared: kombu skips even a passive declare when no_declare is set
    exchange = Exchange(
        exchange.name,
        type=exchange.type,
        durable=exchange.durable,
        auto_delete=exchange.auto_delete,
        arguments=getattr(exchange, "arguments", None),
    )
    _ensure(
        f"the exchange {exchange.name}",
        lambda: exchange.bind(connection.channel()).declare(passive=True),
        lambda: exchange.bind(connection.channel()).declare(),
    )


def ensure_queue(connection: Connection, queue: Queue) -> None:
    """The same for a queue another party owns (the broker's dead letters)."""
    _ensure(
        f"the queue {queue.name}",
        lambda: Queue(queue.name).bind(connection.channel()).queue_declare(passive=True),
        lambda: queue.bind(connection.channel()).declare(),
    )


def _ensure(what: str, ask: Callable[[], object], declare: Callable[[], object]) -> None:
    # each try on a channel of its own: a refused passive declare closes its channel
    try:
        ask()
        return
    except NotFound:
        pass
    try:
        declare()
    except AccessRefused:
        raise MissingExchange(
            f"{what} does not exist and this broker user may not declare it: "
            "run `python -m services.common.infra.broker` (the migration job) first"
        ) from None


def bind_to_declared_source(handler: EventHandler) -> None:
    """Keep a handler from declaring its source's event exchange (another service's)."""
    handler.queue.exchange.no_declare = True


def ensure_source(handler: EventHandler) -> None:
    with Connection(handler.amqp_uri) as connection:
        ensure_exchange(connection, handler.queue.exchange)


class BroadcastHandler(EventHandler):
    """nameko's event handler (the gateway's broadcasts), binding to its source's
    exchange without declaring it."""

    def setup(self) -> None:
        super().setup()
        bind_to_declared_source(self)

    def start(self) -> None:
        ensure_source(self)
        super().start()


broadcast_handler = BroadcastHandler.decorator


def next_stop(queue: str, tries: int, delays: tuple[int, ...]) -> str:
    """Where a message goes after its ``tries``-th failure (1-based): the next retry
    queue, or the dead-letter queue once every delay has been waited out."""
    if tries <= len(delays):
        return retry_queue_name(queue, delays[tries - 1])
    return dead_queue_name(queue)


class RetryingEventHandler(EventHandler):
    """A service-pool event handler with back-off retries and a dead-letter queue."""

    def __init__(self, source_service: str, event_type: str, **kwargs: Any) -> None:
        kwargs.setdefault("handler_type", SERVICE_POOL)
        super().__init__(source_service, event_type, reliable_delivery=True, requeue_on_error=False, **kwargs)

    def setup(self) -> None:
        super().setup()
        bind_to_declared_source(self)
        self.delays = retry_delays()
        self.service_name = self.container.service_name
        self.retry_exchange = retry_exchange_name(self.service_name)
        self.side = side_queues(self.queue.name, self.delays, self.service_name)
        self.publisher = Publisher(self.amqp_uri, use_confirms=True)

    def start(self) -> None:
        with Connection(self.amqp_uri) as connection:
            ensure_exchange(connection, self.queue.exchange)
            ensure_exchange(connection, broker_dead_letters().exchange)
            ensure_queue(connection, broker_dead_letters())
            channel = connection.channel()
            for queue in self.side:
                queue.bind(channel).declare()
            # the consumer queue as nameko declares it, and bound to the retry exchange under
            # its own name, where the retry queues' expired messages come back through
            self.queue.bind(channel).declare()
            channel.queue_bind(queue=self.queue.name, exchange=self.retry_exchange, routing_key=self.queue.name)
        super().start()

    def handle_message_processed(self, message, result=None, exc_info=None) -> None:
        if exc_info is None:
            self.consumer.ack_message(message)
            return
        headers = dict(message.headers or {})
        tries = int(headers.get(TRIES_HEADER) or 0) + 1
        stop = next_stop(self.queue.name, tries, self.delays)
        headers[TRIES_HEADER] = tries
        headers[ERROR_HEADER] = f"{exc_info[0].__name__}: {str(exc_info[1])[:300]}"
        try:
            # published (confirmed) before the original is acknowledged: at worst twice
            self.publisher.publish(
                message.payload, exchange=self.retry_exchange, routing_key=stop, headers=headers, mandatory=True
            )
        except Exception:  # the broker itself is failing: give it back, but not at once
            log.exception("could not park a failed %s event; returning it to its queue", self.event_type)
            eventlet.sleep(1)
            self.consumer.requeue_message(message)
            return
        about = _about(message.payload)
        if stop.endswith(".dead"):
            DEAD_LETTERS.labels(self.queue.name).inc()
            log.error("%s event%s failed %d times; parked in %s for an operator", self.event_type, about, tries, stop)
        else:
            RETRIES.labels(self.queue.name).inc()
            log.warning("%s event%s failed (try %d); retrying through %s", self.event_type, about, tries, stop)
        self.consumer.ack_message(message)


handles = RetryingEventHandler.decorator


def _about(payload: Any) -> str:
    """Which fact failed, for the operator reading the log: the event's ids, nothing personal."""
    if not isinstance(payload, dict):
        return ""
    ids = [f"{name} {payload[name]}" for name in ("event_id", "application_id", "binding_id") if name in payload]
    return f" ({', '.join(str(i)[:80] for i in ids)})" if ids else ""


# -- the operator's side: putting dead letters back -------------------------------------------
def consumer_queues(service_class: type[Any]) -> list[str]:
    """The event queues of a service class's ``@handles`` entrypoints, named as nameko
    names a service-pool handler's queue."""
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    names = []
    for method_name, method in vars(service_class).items():
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, RetryingEventHandler):
                names.append(
                    f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{service_class.name}.{method_name}"
                )
    return names


def _clean(headers: dict | None) -> dict:
    """A replayed message starts its tries afresh."""
    return {k: v for k, v in (headers or {}).items() if k not in (TRIES_HEADER, ERROR_HEADER, "x-death")}


def replay_dead_letters(amqp_uri: str, queues: list[str]) -> dict[str, int]:
    """Move every message parked in these consumers' dead-letter queues, and those of
    theirs the broker's delivery limit stopped, back to the consumer's queue. Returns how
    many went back to each queue. Each is republished (confirmed) before it is removed."""
    wanted = set(queues)
    moved = dict.fromkeys(queues, 0)
    with Connection(amqp_uri) as connection:
        producer = connection.Producer(channel=connection.channel())

        def drain(source: str, target_of) -> None:
            # a channel each: asking after a queue that was never declared closes its channel
            bound = Queue(source, durable=True).bind(connection.channel())
            try:
                pending = bound.queue_declare(passive=True).message_count
            except Exception:  # noqa: BLE001 - a queue never declared holds nothing
                return
            kept = []
            for _ in range(pending):
                message = bound.get(no_ack=False)
                if message is None:
                    break
                target = target_of(message)
                if target is None:
                    kept.append(message)
                    continue
                producer.publish(
                    message.body,
                    exchange="",
                    routing_key=target,
                    headers=_clean(message.headers),
                    content_type=message.content_type,
                    content_encoding=message.content_encoding,
                    delivery_mode=2,
                )
                message.ack()
                moved[target] += 1
            for message in kept:  # another service's: left where it was
                message.requeue()

        for queue in queues:
            drain(dead_queue_name(queue), lambda _message, queue=queue: queue)

        def origin(message) -> str | None:
            deaths = (message.headers or {}).get("x-death") or []
            queue = deaths[0].get("queue") if deaths else None
            if isinstance(queue, bytes):
                queue = queue.decode()
            return queue if queue in wanted else None

        broker_dead_letters().bind(connection.channel()).declare()
        drain(BROKER_DEAD_LETTER_QUEUE, origin)
    return moved


class AnnouncingDispatcher(EventDispatcher):
    """The service's event dispatcher, with publisher confirms, and with mandatory routing
    for the events someone must hear (services.common.infra.topology): the broker's refusal to
    route one raises ``UndeliverableMessage``, so the outbox relay keeps it."""

    def get_dependency(self, worker_ctx):
        from nameko.messaging import encode_to_headers

        from services.common.infra.topology import must_be_heard

        service = self.container.service_name

        def dispatch(event_type: str, event_data: Any) -> None:
            self.publisher.publish(
                event_data,
                exchange=self.exchange,
                routing_key=event_type,
                extra_headers=encode_to_headers(worker_ctx.context_data),
                mandatory=must_be_heard(service, event_type),
                use_confirms=True,
            )

        return dispatch
