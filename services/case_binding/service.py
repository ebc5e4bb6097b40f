"""Case directory and lawyer–case binding (案件绑定): what is this user to this case?"""

from __future__ import annotations

import logging

from nameko.rpc import rpc

from services.case_binding import repository, usecases
from services.case_binding.models import Inbox, Outbox
from services.common.court import verification
from services.common.infra import housekeeping, metrics
from services.common.infra.db import Database
from services.common.infra.entrypoints import UnitsOfWork, announces
from services.common.infra.errors import DomainError
from services.common.infra.events import AnnouncingDispatcher, handles
from services.common.infra.health import HealthMixin
from services.common.infra.messaging import OutboxRelay, RelaysOutbox
from services.common.infra.rpc import actor_rpc
from services.common.infra.timers import configured_timer

log = logging.getLogger(__name__)


class CaseBindingService(HealthMixin, RelaysOutbox):
    name = "case_binding"

    db = Database("case_binding")
    dispatch = AnnouncingDispatcher()
    # identity: how lawyers in the queue were verified (实名认证)
    accounts = verification.account_directory("CASE_BINDING_RPC_TIMEOUT")
    outbox = OutboxRelay(Outbox)
    cases = UnitsOfWork(repository.unit_of_work)

    @actor_rpc(expected_exceptions=DomainError)
    def relation(self, actor, case_no):
        return usecases.relation(self.cases, actor, case_no)

    @actor_rpc(expected_exceptions=DomainError)
    def claim_relation(self, actor, case_no):
        """``relation``, and the relation recorded as the reader's claim (they are applying):
        its end is announced as ``representation_ended``."""
        return usecases.claim_relation(self.cases, actor, case_no)

    @actor_rpc(expected_exceptions=DomainError)
    def staff_case(self, actor, case_no):
        return usecases.staff_case(self.cases, actor, case_no)

    @rpc(expected_exceptions=DomainError)
    def case_summary(self, case_no):
        return usecases.case_summary(self.cases, case_no)

    @actor_rpc(expected_exceptions=DomainError)
    def my_cases(self, actor, limit=None, cursor=None):
        return usecases.my_cases(self.cases, actor, limit=limit, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def import_cases(self, actor, body):
        # what the feed ended (representation_ended) goes out with the relay's next tick: a
        # big feed's answer does not wait for its announcements
        return usecases.import_cases(self.cases, actor, body)

    @actor_rpc(expected_exceptions=DomainError)
    def apply_binding(self, actor, case_no, party_name, materials, check_only=False):
        return usecases.apply_binding(self.cases, actor, case_no, party_name, materials, check_only=check_only)

    @actor_rpc(expected_exceptions=DomainError)
    def list_bindings(self, actor, status=None, limit=None, cursor=None):
        return usecases.list_bindings(self.cases, actor, status=status, limit=limit, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def get_binding(self, actor, binding_id):
        return usecases.get_binding(self.cases, actor, binding_id)

    @actor_rpc(expected_exceptions=DomainError)
    def staff_bindings(self, actor, status=None, limit=None, cursor=None):
        return usecases.staff_bindings(
            self.cases, actor, status=status, limit=limit, cursor=cursor, verifications=self.accounts
        )

    @actor_rpc(expected_exceptions=DomainError)
    @announces  # now rather than at the relay's next tick; the timer is the safety net
    def decide_binding(self, actor, binding_id, body):
        return usecases.decide_binding(self.cases, actor, binding_id, body)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def revoke_binding(self, actor, binding_id, body):
        return usecases.revoke_binding(self.cases, actor, binding_id, body)

    @handles("dossier", "document_ingested")
    def on_document_ingested(self, payload):
        usecases.document_ingested(self.cases, payload)

    @configured_timer("CASE_BINDING_GAUGE_SECONDS", 15.0, eager=True)
    def refresh_gauges(self):
        metrics.set_binding_queues(usecases.queue_by_court(self.cases))

    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(housekeeping.messaging_purges(self.db, Outbox, Inbox))
