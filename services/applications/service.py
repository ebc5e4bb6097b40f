"""Dossier-reading applications (阅卷申请) and their materials."""

from __future__ import annotations

import logging

import eventlet

from services.applications import repository, usecases
from services.applications.models import Outbox
from services.common.court import consistency, verification
from services.common.infra import config, housekeeping, metrics, staging
from services.common.infra.actor import Actor
from services.common.infra.db import Database
from services.common.infra.entrypoints import UnitsOfWork, announces, publish_after_commit
from services.common.infra.errors import DomainError
from services.common.infra.events import AnnouncingDispatcher, handles
from services.common.infra.health import HealthMixin
from services.common.infra.messaging import OutboxRelay, RelaysOutbox
from services.common.infra.rpc import DeadlineRpc, actor_rpc
from services.common.infra.storage import Storage
from services.common.infra.timers import configured_timer

log = logging.getLogger(__name__)


class ApplicationsService(HealthMixin, RelaysOutbox):
    name = "applications"

    db = Database("applications")
    store = Storage()
    dispatch = AnnouncingDispatcher()
    case_binding = DeadlineRpc(
        "case_binding", "APPLICATIONS_RELATION_TIMEOUT", unavailable="案件服务暂时不可用，请稍后再试"
    )
    review = DeadlineRpc("review", "APPLICATIONS_RPC_TIMEOUT", default=30.0)
    dossier = DeadlineRpc("dossier", "APPLICATIONS_RPC_TIMEOUT", default=30.0)
    identity = verification.account_directory("APPLICATIONS_RPC_TIMEOUT")  # 实名认证 for clerks
    outbox = OutboxRelay(Outbox)
    applications = UnitsOfWork(repository.unit_of_work)

    def relation(self, actor: Actor, case_no: str) -> dict:
        """case_binding's answer to "what is this user to this case", recorded there as
        this reader's claim, so that when the relation ends case_binding says so
        (representation_ended) and the applications it allowed end with it."""
        return self.case_binding.call("claim_relation", actor=actor, case_no=case_no)

    # -- materials ------------------------------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    def register_material(self, actor, key, kind, filename, size, content_type, sha256):
        return usecases.register_material(
            self.applications,
            actor,
            key=key,
            kind=kind,
            filename=filename,
            size=size,
            content_type=content_type,
            sha256=sha256,
            stored=self.store.exists,
        )

    @actor_rpc(expected_exceptions=DomainError)
    def describe_materials(self, actor, material_ids, court=None):
        return usecases.describe_materials(self.applications, actor, material_ids, court)

    @actor_rpc(expected_exceptions=DomainError)
    def open_material(self, actor, material_id):
        return usecases.open_material(self.applications, actor, material_id)

    # -- applications ---------------------------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def submit(self, actor, body, idempotency_key=None):
        return usecases.submit(self.applications, self.relation, actor, body, idempotency_key)

    @actor_rpc(expected_exceptions=DomainError)
    def list_applications(self, actor, status=None, limit=20, cursor=None):
        return usecases.list_own(self.applications, actor, status, limit, cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def get_application(self, actor, application_id):
        return usecases.detail(self.applications, actor, application_id, verifications=self.identity)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def withdraw(self, actor, application_id, idempotency_key=None):
        return usecases.withdraw(self.applications, actor, application_id, idempotency_key)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def reapply(self, actor, application_id, idempotency_key=None, body=None):
        return usecases.reapply(self.applications, self.relation, actor, application_id, idempotency_key, body=body)

    # -- review's facts (at least once: the inbox makes them once) ------------------------
    @handles("review", "application_decided")
    def on_application_decided(self, payload):
        usecases.on_decided(self.applications, payload)

    @handles("review", "attendance_recorded")
    def on_attendance_recorded(self, payload):
        usecases.on_attendance(self.applications, payload)

    @handles("review", "onsite_booked")
    def on_onsite_booked(self, payload):
        usecases.on_booked(self.applications, payload)

    # -- case_binding's facts: the court's feed or a clerk ended a relation ----------------
    @handles("case_binding", "representation_ended")
    def on_representation_ended(self, payload):
        if usecases.on_representation_ended(self.applications, payload):
            publish_after_commit(self)

    @configured_timer("APPLICATIONS_GAUGE_SECONDS", 15.0, eager=True)
    def refresh_gauges(self):
        metrics.set_applications_by_status(usecases.count_by_status(self.applications))

    # Do review and dossier hold what this service holds? (the same rules as
    # python -m deploy.admin check-consistency)
    @configured_timer("CONSISTENCY_CHECK_SECONDS", 900.0)
    def check_consistency(self):
        def facts_of(service):
            return lambda ids: service.call("consistency_facts", ids=ids)

        suspects = consistency.check(
            lambda after, limit: usecases.consistency_facts(self.applications, after=after, limit=limit),
            facts_of(self.review),
            facts_of(self.dossier),
        )
        eventlet.sleep(float(config.get("CONSISTENCY_SETTLE_SECONDS", 10)))  # let facts in flight land
        found = consistency.confirm(
            suspects,
            lambda ids: {f["id"]: f for f in usecases.consistency_facts(self.applications, ids=ids)},
            facts_of(self.review),
            facts_of(self.dossier),
        )
        metrics.INCONSISTENCIES.set(len(found))
        for app_id, problems in list(found.items())[:20]:
            log.error("services disagree about application %s: %s", app_id, "; ".join(problems))

    # Uploads the gateway stored but nobody registered (it died, or gave up waiting).
    @configured_timer("STAGED_SWEEP_SECONDS", 3600.0)
    def sweep_unregistered_uploads(self):
        staging.sweep(
            self.store, usecases.MATERIAL_KEY_PREFIX, lambda keys: usecases.registered_keys(self.applications, keys)
        )

    # Published events, handled event ids, idempotency keys, and uploads never attached.
    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(usecases.purges(self.applications, self.store.delete))
