"""Calls from one service to another with a deadline. nameko's RPC waits forever
(NAMEKO-NOTES P10), so every call between services goes through here: a silent service
becomes ``service_unavailable`` (503 at the edge), never a hung worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.rpc import Client, ClusterRpc, ServiceRpc

from services.common import config
from services.common.errors import DomainError

log = logging.getLogger(__name__)


def expiring_client(provider: ClusterRpc, worker_ctx: Any, ttl: Callable[[], float]) -> Client:
    """The provider's RPC client whose every request carries ``ttl()`` seconds as its time
    to live: a request nobody waits for any more expires in the broker instead of being
    carried out after an outage."""

    def publish(*args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("expiration", ttl())
        provider.publisher.publish(*args, **kwargs)

    return Client(publish, provider.reply_listener.register_for_reply, worker_ctx.context_data)


class DeadlineClient:
    """``call(method, **kwargs)`` on the target service, within ``timeout`` seconds."""

    def __init__(self, client: Any, target: str, timeout: float, unavailable: str) -> None:
        self._client, self._target, self._timeout, self._unavailable = client, target, timeout, unavailable

    def call(self, method: str, **kwargs: Any) -> Any:
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


class DeadlineRpc(ServiceRpc):
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
