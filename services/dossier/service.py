"""Electronic dossiers (电子卷宗), reading grants, links (复制链接) and the access log.

How bytes move (claim check: nothing large crosses the broker):
- Ingestion: the gateway streams the upload to object storage under a key it makes up,
  then calls ``ingest_document(key=...)``; this service opens it with PDFium, counts the
  pages, records the document and announces ``document_ingested`` through its outbox, or
  deletes the staged object and refuses.
- Reading: one RPC per page. ``read_page`` re-checks the grant, takes the page's unstamped
  render from the cache in object storage (rendering it from the PDF on a miss, that page
  only), stamps it for this reader in a real thread, logs the view, and returns
  ``{data, content_type, size}``: the page itself, base64, in the reply (a page is about
  100 KB). A page above 2 MiB is parked under a short-lived key instead (``{key, …}``);
  the gateway streams that object and deletes it, and a timer removes any it left
  behind. Stamped pages are never cached; unstamped renders are, per document and page.
- Print copies (``print_document``) take the same path with a PDF of stamped pages.
- Print jobs (``create_print``): several documents in one stamped PDF, made in the
  background by ``make_prints`` (services.dossier.printing) and kept while the grant lasts.
"""

from __future__ import annotations

import logging

from nameko.rpc import rpc
from nameko.timer import timer

from services.common.infra import config, housekeeping, idempotency, metrics, staging
from services.common.infra.db import Database
from services.common.infra.entrypoints import UnitsOfWork, afterwards, announces
from services.common.infra.errors import DomainError
from services.common.infra.events import AnnouncingDispatcher, handles
from services.common.infra.health import HealthMixin
from services.common.infra.messaging import OutboxRelay, RelaysOutbox
from services.common.infra.rpc import DeadlineRpc, actor_rpc
from services.common.infra.storage import Storage
from services.common.infra.timers import configured_timer
from services.common.testing.faults import fault_point
from services.dossier import printing, reads, record, repository, usecases
from services.dossier.dependencies import PageMachinery
from services.dossier.models import IdempotencyKey, Inbox, Outbox

log = logging.getLogger(__name__)

# For an entrypoint that answers one page's image, or a print's PDF: counted once it has.
serves_page = afterwards(lambda service: metrics.page_served("page"))
serves_pdf = afterwards(lambda service: metrics.page_served("pdf"))


class DossierService(HealthMixin, RelaysOutbox):
    name = "dossier"

    db = Database("dossier")
    store = Storage()
    pages = PageMachinery()
    dispatch = AnnouncingDispatcher()
    outbox = OutboxRelay(Outbox)
    # case_binding: is this reader a party of the case (who read my case)
    case_binding = DeadlineRpc("case_binding", "DOSSIER_RPC_TIMEOUT", unavailable="案件信息暂时无法查询，请稍后再试")
    dossiers = UnitsOfWork(repository.unit_of_work)

    @rpc(expected_exceptions=DomainError)
    def consistency_facts(self, ids):
        """For the consistency check (services.common.court.consistency): what this service holds."""
        return usecases.consistency_facts(self.dossiers, ids)

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def ingest_document(self, actor, case_no, volume, title, key, court=None):
        return usecases.ingest_document(
            self.dossiers,
            self.pages,
            self.store,
            actor=actor,
            case_no=case_no,
            volume=volume,
            title=title,
            key=key,
            court=court,
            fault=fault_point,
        )

    @actor_rpc(expected_exceptions=DomainError)
    def dossier(self, actor, application_id):
        return usecases.dossier(self.dossiers, actor=actor, application_id=application_id)

    @actor_rpc(expected_exceptions=DomainError)
    @serves_page
    def read_page(self, actor, application_id, document_id, page):
        return usecases.read_page(
            self.dossiers, self.pages, actor=actor, application_id=application_id, document_id=document_id, page=page
        )

    @actor_rpc(expected_exceptions=DomainError)
    @serves_pdf
    def print_document(self, actor, application_id, document_id):
        return usecases.print_document(
            self.dossiers, self.pages, actor=actor, application_id=application_id, document_id=document_id
        )

    # -- print jobs (打印 of several documents) -------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    def create_print(self, actor, application_id, body=None, idempotency_key=None):
        return printing.create_print(
            self.dossiers, actor=actor, application_id=application_id, body=body, idempotency_key=idempotency_key
        )

    @actor_rpc(expected_exceptions=DomainError)
    def get_print(self, actor, application_id, print_id):
        return printing.get_print(self.dossiers, actor=actor, application_id=application_id, print_id=print_id)

    @actor_rpc(expected_exceptions=DomainError)
    @serves_pdf
    def print_pdf(self, actor, application_id, print_id):
        return printing.print_pdf(self.dossiers, actor=actor, application_id=application_id, print_id=print_id)

    # One job at a time per process (the timer waits for its worker), as many processes as
    # run: page reads keep the other workers.
    @configured_timer("DOSSIER_PRINT_POLL_SECONDS", 1.0)
    def make_prints(self):
        for _ in range(10):
            if printing.make_next(self.dossiers, self.pages) is None:
                break

    @configured_timer("DOSSIER_PRINT_SWEEP_SECONDS", 60.0)
    def sweep_prints(self):
        removed = printing.sweep(self.dossiers, self.store.delete)
        if removed:
            log.info("removed %d print jobs whose grant ended", removed)
        printing.sweep_orphans(self.store, self.dossiers)

    @actor_rpc(expected_exceptions=DomainError)
    def create_link(self, actor, application_id, token_hash):
        return usecases.create_link(self.dossiers, actor=actor, application_id=application_id, token_hash=token_hash)

    @actor_rpc(expected_exceptions=DomainError)
    def revoke_links(self, actor, application_id):
        return usecases.revoke_links(self.dossiers, actor=actor, application_id=application_id)

    @actor_rpc(expected_exceptions=DomainError)
    def open_link(self, actor, token_hash):
        return usecases.open_link(self.dossiers, actor=actor, token_hash=token_hash)

    # -- the court's own view of a case ----------------------------------------------------------
    @actor_rpc(expected_exceptions=DomainError)
    def staff_dossier(self, actor, case_no):
        return usecases.staff_dossier(self.dossiers, actor=actor, case_no=case_no)

    @actor_rpc(expected_exceptions=DomainError)
    def grantable_documents(self, actor, case_no):
        return usecases.grantable_documents(self.dossiers, actor=actor, case_no=case_no)

    @actor_rpc(expected_exceptions=DomainError)
    @serves_page
    def staff_read_page(self, actor, case_no, document_id, page):
        return usecases.staff_read_page(
            self.dossiers, self.pages, actor=actor, case_no=case_no, document_id=document_id, page=page
        )

    @actor_rpc(expected_exceptions=DomainError)
    def case_reads(self, actor, case_no, limit=20, cursor=None):
        """Who read my case (B13): case_binding says whether the caller is a party of it."""
        return reads.case_reads(self.dossiers, self._relation, actor, case_no, limit=limit, cursor=cursor)

    def _relation(self, actor, case_no):
        return self.case_binding.call("relation", actor=actor, case_no=case_no)

    @actor_rpc(expected_exceptions=DomainError)
    def case_access_log(self, actor, case_no, limit=20, cursor=None):
        return usecases.case_access_log(self.dossiers, actor=actor, case_no=case_no, limit=limit, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def access_log(self, actor, application_id, limit=20, cursor=None):
        return usecases.access_log(
            self.dossiers, actor=actor, application_id=application_id, limit=limit, cursor=cursor
        )

    @actor_rpc(expected_exceptions=DomainError)
    def audit_log(self, actor, application_id, limit=20, cursor=None):
        return usecases.audit_log(self.dossiers, actor=actor, application_id=application_id, limit=limit, cursor=cursor)

    @actor_rpc(expected_exceptions=DomainError)
    def access_record(self, actor, application_id):
        """The 阅卷记录 as a PDF for the case file, for the court's own staff."""
        return record.record(self.dossiers, self.pages, actor=actor, application_id=application_id)

    # Retried with back-off on error (services.common.infra.events): a grant must not be lost to
    # a passing database hiccup; the inbox makes the retry harmless.
    @handles("applications", "application_submitted")
    def on_application_submitted(self, payload):
        usecases.on_application_submitted(self.dossiers, payload)

    @handles("review", "application_decided")
    def on_application_decided(self, payload):
        usecases.on_application_decided(self.dossiers, payload)

    @handles("applications", "application_revoked")
    def on_application_revoked(self, payload):
        usecases.on_application_revoked(self.dossiers, payload)

    @handles("applications", "application_withdrawn")
    def on_application_withdrawn(self, payload):
        usecases.on_application_withdrawn(self.dossiers, payload)

    @timer(interval=300)
    def sweep_temporary(self):
        removed = self.pages.sweep_temporary(float(config.get("DOSSIER_TMP_MAX_AGE_SECONDS", 600)))
        if removed:
            log.info("removed %d uncollected page results", removed)

    # Originals the gateway staged but nobody ingested (it died, or gave up waiting).
    @configured_timer("STAGED_SWEEP_SECONDS", 3600.0)
    def sweep_unregistered_originals(self):
        staging.sweep(self.store, usecases.STAGED_PREFIX, lambda keys: usecases.ingested_keys(self.dossiers, keys))

    # The local PDF copies PDFium reads are a cache: bounded in age and in size.
    @configured_timer("DOSSIER_ORIGINALS_SWEEP_SECONDS", 600)
    def sweep_originals(self):
        removed = self.pages.sweep_originals(
            idle_seconds=float(config.get("DOSSIER_ORIGINALS_IDLE_HOURS", 72)) * 3600,
            max_bytes=int(float(config.get("DOSSIER_ORIGINALS_MAX_MB", 4096)) * 1024 * 1024),
        )
        if removed:
            log.info("removed %d local copies of originals", removed)

    @configured_timer("HOUSEKEEPING_SECONDS", 3600.0)
    def purge_old_rows(self):
        housekeeping.run(
            [
                *housekeeping.messaging_purges(self.db, Outbox, Inbox),
                ("expired links", lambda: usecases.purge_expired_links(self.dossiers)),
                ("idempotency keys", lambda: idempotency.purge(self.db, IdempotencyKey)),
            ]
        )

    # The heads of the lanes that moved go where the database cannot rewrite them; every
    # lane is walked against those heads, and a break raises the alert
    # (court_access_log_problems).
    @configured_timer("ACCESS_LOG_EXPORT_SECONDS", 300.0, eager=True)
    def export_access_log_head(self):
        usecases.export_head(self.dossiers, self.store)

    @configured_timer("ACCESS_LOG_CHECK_SECONDS", 3600.0)
    def check_access_log(self):
        problems = usecases.check_log(self.dossiers, store=self.store)
        metrics.ACCESS_LOG_PROBLEMS.set(len(problems))
        for problem in problems[:20]:
            log.error("access log: %s", problem)
