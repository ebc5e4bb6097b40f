"""How RPC requests and replies travel (services.common.infra.rpc): in the broker's memory, and
without re-declaring the caller's reply queue before every request."""

from __future__ import annotations

import nameko.rpc
from nameko.constants import NON_PERSISTENT, PERSISTENT

from services.common.infra import rpc


class RecordingPublisher:
    def __init__(self, declare):
        self.declare = declare
        self.published = []

    def publish(self, payload, **kwargs):
        self.published.append((payload, kwargs))


class Provider:
    def __init__(self):
        self.publisher = RecordingPublisher(declare=["the reply queue"])

    def setup(self):
        self.set_up = True


def test_replies_are_transient_and_unconfirmed():
    assert nameko.rpc.Responder.publisher_cls is rpc.ReplyPublisher
    assert rpc.ReplyPublisher.delivery_mode == NON_PERSISTENT
    assert rpc.ReplyPublisher.use_confirms is False
    assert nameko.rpc.Publisher.delivery_mode == PERSISTENT  # everything else (events) unchanged


def test_requests_are_transient_confirmed_and_carry_their_deadline():
    provider = Provider()
    provider.reply_listener = type("Listener", (), {"register_for_reply": lambda self, cid: lambda: None})()
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
