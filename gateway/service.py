"""The gateway: the only HTTP door. No domain data; it turns HTTP into RPC and back.

Routes live in mixins per area (gateway/routes/); nameko collects inherited entrypoints.
"""

from __future__ import annotations

from nameko.events import BROADCAST

from gateway.dependencies import BrokerProbe, TimedRpc, TokenCache
from gateway.routes.applications import ApplicationRoutes
from gateway.routes.cases import CaseRoutes
from gateway.routes.dossier import DossierRoutes
from gateway.routes.exports import ExportRoutes
from gateway.routes.identity import IdentityRoutes
from gateway.routes.ops import OpsRoutes
from gateway.routes.pages import PageRoutes
from gateway.routes.review import ReviewRoutes
from gateway.routes.uploads import UploadRoutes
from services.common.events import broadcast_handler
from services.common.storage import Storage


class GatewayService(
    IdentityRoutes,
    OpsRoutes,
    CaseRoutes,
    UploadRoutes,
    ApplicationRoutes,
    DossierRoutes,
    ReviewRoutes,
    ExportRoutes,
    PageRoutes,
):
    name = "gateway"

    rpc = TimedRpc()
    tokens = TokenCache()
    broker = BrokerProbe()
    storage = Storage()  # one S3 client per gateway process (uploads, pages)

    @broadcast_handler("identity", "session_revoked", handler_type=BROADCAST, reliable_delivery=False)
    def on_session_revoked(self, payload):
        self.tokens.drop(payload["token_hash"])

    @broadcast_handler("identity", "account_changed", handler_type=BROADCAST, reliable_delivery=False)
    def on_account_changed(self, payload):
        self.tokens.drop_user(payload["user_id"])
