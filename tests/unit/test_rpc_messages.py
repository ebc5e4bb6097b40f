"""How RPC requests and replies travel (services.common.infra.rpc): in the broker's memory, and
without re-declaring the caller's reply queue before every request."""

from __future__ import annotations

import threading

import nameko.rpc
from nameko.constants import NON_PERSISTENT, PERSISTENT

from services.common.infra import rpc


class RecordingPublisher:
    def __init__(self, declare):
        self.declare = declare
        self.published = []

    def publish(self, payload, **kwargs):
        self.published.append((payload, kwargs))


class ReplyConsumer:
    """nameko's reply consumer as far as a request sees it: ``ready`` once it first connected."""

    def __init__(self, connected: bool):
        self.ready = threading.Event()
        if connected:
            self.ready.set()

    def wait_until_consumer_ready(self):
        self.ready.wait()


class Listener:
    def __init__(self, connected: bool = True):
        self.consumer = ReplyConsumer(connected)
        self.registered: list[str] = []

    def register_for_reply(self, correlation_id):
        self.registered.append(correlation_id)
        return lambda: None


class Provider:
    def __init__(self, connected: bool = True):
        self.publisher = RecordingPublisher(declare=["the reply queue"])
        self.reply_listener = Listener(connected)

    def setup(self):
        self.set_up = True


def test_replies_are_transient_and_unconfirmed():
    assert nameko.rpc.Responder.publisher_cls is rpc.ReplyPublisher
    assert rpc.ReplyPublisher.delivery_mode == NON_PERSISTENT
    assert rpc.ReplyPublisher.use_confirms is False
    assert nameko.rpc.Publisher.delivery_mode == PERSISTENT  # everything else (events) unchanged


def test_requests_are_transient_confirmed_and_carry_their_deadline():
    provider = Provider()
    worker = type("Worker", (), {"context_data": {}})()
    client = rpc.expiring_client(provider, worker, lambda: 7.0)
    client.identity.resolve_token.call_async(token="t")
    ((payload, kwargs),) = provider.publisher.published
    assert payload == {"args": (), "kwargs": {"token": "t"}}
    assert kwargs["delivery_mode"] == NON_PERSISTENT
    assert kwargs["expiration"] == 7.0
    assert kwargs["mandatory"] is True  # an unknown service is still told at once (confirms stay)


def test_clients_do_not_redeclare_their_reply_queue():
    class Client(rpc.WithoutRedeclaring, Provider):
        pass

    client = Client()
    client.setup()
    assert client.set_up and client.publisher.declare == []


def test_a_request_waits_until_the_reply_queue_is_declared():
    """Made before the reply consumer first connected, a request would be answered into no
    queue, and nameko's lost-replies check would stop the service when the consumer connects."""
    provider = Provider(connected=False)
    worker = type("Worker", (), {"context_data": {}})()
    client = rpc.expiring_client(provider, worker, lambda: 7.0)
    request = threading.Thread(target=lambda: client.identity.resolve_token.call_async(token="t"))
    request.start()
    request.join(0.3)
    assert request.is_alive()
    assert provider.reply_listener.registered == [] and provider.publisher.published == []
    provider.reply_listener.consumer.ready.set()  # the consumer declared the queue and consumes
    request.join(5)
    assert not request.is_alive()
    assert len(provider.reply_listener.registered) == 1 and len(provider.publisher.published) == 1
