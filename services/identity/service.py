"""Identity: accounts, real-name data, the lawyer registry, sign-in sessions, staff."""

from __future__ import annotations

import logging

from nameko.events import EventDispatcher
from nameko.rpc import rpc
from nameko.timer import timer

from services.common.infra import config, housekeeping
from services.common.infra.db import Database
from services.common.infra.entrypoints import UnitsOfWork
from services.common.infra.errors import DomainError
from services.common.infra.health import HealthMixin
from services.common.infra.rpc import actor_rpc
from services.common.infra.sms import Sms
from services.common.infra.timers import configured_timer
from services.identity import repository, usecases
from services.identity.dependencies import Passwords, Verification

log = logging.getLogger(__name__)


class IdentityService(HealthMixin):
    name = "identity"

    db = Database("identity")
    passwords = Passwords()
    verifier = Verification()
    sms = Sms()
    dispatch = EventDispatcher()
    accounts = UnitsOfWork(repository.unit_of_work)

    # -- sign-up and sign-in --------------------------------------------------------------
    @rpc(expected_exceptions=DomainError)
    def send_sms_code(self, phone, purpose):
        usecases.request_sms_code(self.accounts, self.sms, phone, purpose)

    @rpc(expected_exceptions=DomainError)
    def register(self, body):
        return usecases.register(self.accounts, self.passwords, body)

    @rpc(expected_exceptions=DomainError)
    def login(self, phone, password, client=None):
        ttl = float(config.get("IDENTITY_TOKEN_TTL_HOURS", 12))
        return usecases.login(self.accounts, self.passwords, phone, password, ttl, client=client)

    @rpc
    def resolve_token(self, token):
        return usecases.resolve(self.accounts, token)

    @rpc
    def logout(self, token, everywhere=False):
        digest, user_id = usecases.logout(self.accounts, token, everywhere=bool(everywhere))
        # Other gateway replicas drop their cached copy of this sign-in at once.
        self.dispatch("session_revoked", {"token_hash": digest})
        if user_id is not None:
            self._forget(user_id)

    @rpc(expected_exceptions=DomainError)
    def me(self, user_id):
        return usecases.me(self.accounts, user_id)

    # -- recovery and control --------------------------------------------------------------
    @rpc(expected_exceptions=DomainError)
    def reset_password(self, phone, sms_code, new_password):
        user_id = usecases.reset_password(self.accounts, self.passwords, self.sms, phone, sms_code, new_password)
        self._forget(user_id)

    @rpc(expected_exceptions=DomainError)
    def change_password(self, token, old_password, new_password):
        user_id = usecases.change_password(self.accounts, self.passwords, self.sms, token, old_password, new_password)
        self._forget(user_id)

    @actor_rpc(expected_exceptions=DomainError)
    def list_users(self, actor, role=None, q=None, limit=20, cursor=None):
        return usecases.list_users(self.accounts, actor, role, q, limit, cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def set_disabled(self, actor, user_id, disabled):
        self._forget(usecases.set_disabled(self.accounts, actor, user_id, bool(disabled)))

    # -- real-name verification (实名认证) ---------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    def request_verification(self, actor, materials):
        result = usecases.request_verification(self.accounts, self.verifier, self.sms, actor, materials)
        self._forget(actor["id"])
        return result

    @actor_rpc(expected_exceptions=DomainError)
    def staff_verifications(self, actor, status="pending", limit=20, cursor=None):
        return usecases.staff_verifications(self.accounts, actor, status, limit, cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def decide_verification(self, actor, verification_id, body):
        result = usecases.decide_verification(self.accounts, self.sms, actor, verification_id, body)
        self._forget(result["user"]["id"])
        return result

    @rpc
    def verification_states(self, user_ids):
        return usecases.verification_states(self.accounts, user_ids)

    def _forget(self, user_id: int) -> None:
        """Every gateway replica drops its cached sign-ins of this account, so a revoked
        session or a changed verification counts at once. A replica that misses the
        broadcast re-asks within GATEWAY_TOKEN_CACHE_SECONDS: the cache is the bound."""
        self.dispatch("account_changed", {"user_id": user_id})

    @actor_rpc(expected_exceptions=DomainError)
    def create_staff(self, actor, body):
        return usecases.create_staff(self.accounts, self.passwords, actor, body)

    @actor_rpc(expected_exceptions=DomainError)
    def import_lawyers(self, actor, body):
        return usecases.import_lawyers(self.accounts, actor, body)

    @timer(interval=3600, eager=True)
    def bootstrap_admin(self):
        # YAML reads a bare phone number as an integer: the environment meant text.
        phone, password = (config.get(key) for key in ("BOOTSTRAP_ADMIN_PHONE", "BOOTSTRAP_ADMIN_PASSWORD"))
        usecases.ensure_admin(
            self.accounts,
            self.passwords,
            str(phone) if phone else None,
            str(password) if password else None,
            log=log.info,
        )

    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(usecases.purges(self.accounts))
