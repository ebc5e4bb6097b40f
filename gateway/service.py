"""The gateway: the only HTTP door. No domain data; it turns HTTP into RPC and back.

Routes live in mixins per area (gateway/routes/); nameko collects inherited entrypoints.
"""

from __future__ import annotations

from nameko.events import BROADCAST, event_handler

from gateway.dependencies import TimedRpc, TokenCache
from gateway.routes.identity import IdentityRoutes
from gateway.routes.ops import OpsRoutes


class GatewayService(IdentityRoutes, OpsRoutes):
    name = "gateway"

    rpc = TimedRpc()
    tokens = TokenCache()

    @event_handler("identity", "session_revoked", handler_type=BROADCAST, reliable_delivery=False)
    def on_session_revoked(self, payload):
        self.tokens.drop(payload["token_hash"])
