"""RPC between the pieces: calls from one service to another with a deadline, and the
entrypoint of every method that acts for an end user.

nameko's RPC waits forever (NAMEKO-NOTES P10), so every call between services goes
through here: a silent service becomes ``service_unavailable`` (503 at the edge), never a
hung worker. A call that passes on the user it serves passes on the statement it
verified (``services.common.infra.actor``), never a dict of its own.

``actor_rpc`` is nameko's ``@rpc`` for methods that take ``actor``: the ``actor`` keyword
must be a statement the gateway signed for this method (``ACTOR_VERIFY_KEY`` checks it),
and the method gets the verified actor's fields instead. Anything else is refused with
``forbidden`` before a worker starts, and logged without the statement.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import eventlet
import nameko.rpc
from nameko.amqp.publish import Publisher
from nameko.constants import NON_PERSISTENT
from nameko.rpc import Client, ClusterRpc, Rpc, ServiceRpc

from services.common.infra import actor as statements
from services.common.infra import config
from services.common.infra.errors import DomainError
from services.common.infra.metrics import ACTOR_REFUSALS

log = logging.getLogger(__name__)


class ReplyPublisher(Publisher):
    """RPC replies: transient and unconfirmed. nameko publishes every message persistent
    and waits for the broker's confirm; on a durable queue RabbitMQ confirms a persistent
    message only once it is on disk, so every call waited for a disk write (and a round
    trip) for its reply, and another for its request (``expiring_client``). A reply is of
    use only to a caller still waiting with its deadline, on a reply queue that a broker
    restart empties anyway: nothing is lost by keeping it in memory, and a reply the broker
    did not take ends as the caller's timeout, as it did. Events (services.common.infra.events)
    stay persistent and confirmed: they must survive a restart. On quorum queues (the
    cluster) the broker writes every message whatever its mode."""

    delivery_mode = NON_PERSISTENT
    use_confirms = False


# nameko's RPC consumer makes a Responder for each reply, with this publisher class.
nameko.rpc.Responder.publisher_cls = ReplyPublisher


class WithoutRedeclaring:
    """A ClusterRpc/ServiceRpc mixin: requests do not re-declare the caller's reply queue.
    nameko's client declares it (and its exchange) before every request, because the queue
    has an expiry and kombu never caches the declaration of an expiring queue: two more
    round trips to the broker per call. The queue is declared by its own consumer when it
    connects (and again at every reconnect), and a queue with a consumer never expires;
    a reply queue that expired all the same (its consumer away for minutes) is reported by
    nameko's lost-replies check, as before.

    So a request must wait for that first connection (``expiring_client`` waits): nameko
    starts a service's HTTP server, timers and consumers beside its reply consumer, and a
    request sent before the reply queue exists has its reply dropped, and, still pending
    when the consumer connects, is taken by the lost-replies check for a reply that
    expired: the whole service stops (a gateway asked for /healthz as it started did)."""

    publisher: Any

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]
        self.publisher.declare = []


def expiring_client(provider: ClusterRpc, worker_ctx: Any, ttl: Callable[[], float]) -> Client:
    """The provider's RPC client whose every request carries ``ttl()`` seconds as its time
    to live: a request nobody waits for any more expires in the broker instead of being
    carried out after an outage. Requests are transient: not written to the broker's disk
    (``ReplyPublisher`` says why), still confirmed, so a request to an unknown service or
    one the broker did not take is an error at once. A request waits until the reply queue
    has been declared (``WithoutRedeclaring``); the caller's deadline bounds that wait."""
    listener = provider.reply_listener

    def register_for_reply(correlation_id: str) -> Callable[[], Any]:
        listener.consumer.wait_until_consumer_ready()  # at once, after the first connection
        return listener.register_for_reply(correlation_id)

    def publish(*args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("expiration", ttl())
        kwargs.setdefault("delivery_mode", NON_PERSISTENT)
        provider.publisher.publish(*args, **kwargs)

    return Client(publish, register_for_reply, worker_ctx.context_data)


class DeadlineClient:
    """``call(method, **kwargs)`` on the target service, within ``timeout`` seconds."""

    def __init__(self, client: Any, target: str, timeout: float, unavailable: str) -> None:
        self._client, self._target, self._timeout, self._unavailable = client, target, timeout, unavailable

    def call(self, method: str, **kwargs: Any) -> Any:
        actor = kwargs.get("actor")
        if isinstance(actor, statements.VerifiedActor):
            kwargs["actor"] = actor.statement  # the user this call serves, as the gateway vouched
        try:
            with eventlet.Timeout(self._timeout):
                return getattr(self._client, method)(**kwargs)
        except DomainError:
            raise
        except eventlet.Timeout:
            log.warning("%s.%s timed out after %ss", self._target, method, self._timeout)
        except Exception as exc:  # a remote failure: say so in the log, not to the user
            log.warning("%s.%s failed: %s", self._target, method, type(exc).__name__)
        raise DomainError("service_unavailable", self._unavailable)


class DeadlineRpc(WithoutRedeclaring, ServiceRpc):
    """Injects a :class:`DeadlineClient` for ``target``; the deadline is the setting
    ``timeout_setting`` (seconds), read at each call so tests can change it."""

    def __init__(self, target: str, timeout_setting: str, default: float = 5.0, unavailable: str | None = None):
        super().__init__(target)
        self.target, self.timeout_setting, self.default = target, timeout_setting, default
        self.unavailable = unavailable or "服务暂时不可用，请稍后再试"

    def get_dependency(self, worker_ctx) -> DeadlineClient:
        timeout = float(config.get(self.timeout_setting, self.default))
        client = expiring_client(self, worker_ctx, lambda: timeout)
        return DeadlineClient(getattr(client, self.target), self.target, timeout, self.unavailable)


@functools.lru_cache(maxsize=4)
def _verify_key(text: str):
    return statements.load_verify_keys(text)


def verify_key():
    """``ACTOR_VERIFY_KEY``: the gateway's public key (PEM, or 32 raw bytes in base64);
    during a rotation, the old and the new one separated by a comma."""
    text = str(config.get("ACTOR_VERIFY_KEY") or "")
    if not text:
        raise RuntimeError("ACTOR_VERIFY_KEY is not set: this service cannot tell who is asking")
    return _verify_key(text)


REFUSED_MESSAGE = "无法确认您的身份，请重新登录后再试"


class ActorRpc(Rpc):
    """An RPC entrypoint whose ``actor`` is a signed statement, verified before the worker."""

    def setup(self) -> None:
        self.verify_key = verify_key()  # refuses to start without one
        super().setup()

    def handle_message(self, body, message):
        service, method = self.container.service_name, self.method_name
        target = f"{service}.{method}"
        kwargs = body.get("kwargs") if isinstance(body, dict) else None
        try:
            if not isinstance(kwargs, dict) or body.get("args"):
                raise statements.Refused("the actor must be passed by keyword")
            verified = statements.verify(self.verify_key, kwargs.get("actor"), target)
        except statements.Refused as exc:
            # the reason and the address, never the statement (it names the user)
            log.warning("refused a call to %s: %s", target, exc.reason)
            ACTOR_REFUSALS.labels(service, method).inc()
            # raised here, nameko's RPC consumer answers the caller with it
            raise DomainError("forbidden", REFUSED_MESSAGE) from None
        super().handle_message(dict(body, kwargs=dict(kwargs, actor=verified)), message)


actor_rpc = ActorRpc.decorator
