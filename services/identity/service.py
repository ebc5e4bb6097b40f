"""Identity: accounts, real-name data, the lawyer registry, sign-in sessions, staff."""

from __future__ import annotations

import logging

from nameko.events import EventDispatcher
from nameko.rpc import rpc
from nameko.timer import timer

from services.common import config, housekeeping
from services.common.db import Database
from services.common.errors import DomainError
from services.common.health import HealthMixin
from services.common.timers import configured_timer
from services.identity import usecases
from services.identity.dependencies import Passwords

log = logging.getLogger(__name__)


class IdentityService(HealthMixin):
    name = "identity"

    db = Database("identity")
    passwords = Passwords()
    dispatch = EventDispatcher()

    @rpc(expected_exceptions=DomainError)
    def register(self, body):
        return usecases.register(self.db, self.passwords, body)

    @rpc(expected_exceptions=DomainError)
    def login(self, phone, password):
        ttl = float(config.get("IDENTITY_TOKEN_TTL_HOURS", 12))
        return usecases.login(self.db, self.passwords, phone, password, ttl)

    @rpc
    def resolve_token(self, token):
        return usecases.resolve(self.db, token)

    @rpc
    def logout(self, token):
        digest = usecases.logout(self.db, token)
        # Other gateway replicas drop their cached copy of this sign-in at once.
        self.dispatch("session_revoked", {"token_hash": digest})

    @rpc(expected_exceptions=DomainError)
    def me(self, user_id):
        return usecases.me(self.db, user_id)

    @rpc(expected_exceptions=DomainError)
    def create_staff(self, actor, body):
        return usecases.create_staff(self.db, self.passwords, actor, body)

    @rpc(expected_exceptions=DomainError)
    def import_lawyers(self, actor, body):
        return usecases.import_lawyers(self.db, actor, body)

    @timer(interval=3600, eager=True)
    def bootstrap_admin(self):
        # YAML reads a bare phone number as an integer: the environment meant text.
        phone, password = (config.get(key) for key in ("BOOTSTRAP_ADMIN_PHONE", "BOOTSTRAP_ADMIN_PASSWORD"))
        usecases.ensure_admin(
            self.db, self.passwords, str(phone) if phone else None, str(password) if password else None, log=log.info
        )

    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(usecases.purges(self.db))
