"""打印 of a whole dossier: print jobs.

A reader ticks documents (by default every one the grant covers) and gets one stamped PDF
of them in the dossier's order. Thousands of pages take minutes, so no request waits: the
job is recorded as ``queued`` and the dossier service's timer makes it, reporting pages
done of total as it goes. Any dossier process may make any job: it claims the job with a
lease it renews at every few pages, so a job whose maker died is taken up again by another
(or by the same one restarted) once the lease runs out, and a maker that lost its lease
stops writing. The grant is checked when the job is asked for, while it is made, and at
every download; the finished PDF is deleted once the grant ends (expiry, revocation,
withdrawal), and each download is logged as ``download_pdf`` of each document in it.
"""

from __future__ import annotations

import json
import logging
import operator
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol, cast

from services.common import clock, config, idempotency, staging
from services.common.actor import Actor
from services.common.errors import DomainError, validation_error
from services.dossier import domain
from services.dossier.dependencies import PRINTS
from services.dossier.models import PrintJob
from services.dossier.repository import DossierRepository, DossierWork
from services.dossier.usecases import append_log, authorized, readable_documents

log = logging.getLogger(__name__)

KEYS = operator.attrgetter("idempotency_keys")  # where the repository keeps Idempotency-Keys
CANDIDATES = 5  # jobs looked at per round: enough that two makers rarely want the same one
SWEPT_PER_ROUND = 1000
# A reader has at most this many jobs waiting or being made: more would only queue behind
# their own, and would let one reader hold the printers of everyone.
MAX_UNFINISHED_PER_READER = 3
FAILED_KEPT = timedelta(days=1)  # a failed job stays visible a day, then goes


class PrintStopped(Exception):
    """The maker lost its lease (another process took the job over) or the grant ended."""


class PrintMachine(Protocol):
    """What makes the PDF (services.dossier.dependencies.Pages)."""

    def print_job(self, documents: Sequence[tuple[str, int]], lines: Sequence[str], progress) -> dict: ...
    def discard(self, key: str) -> None: ...


def max_pages() -> int:
    """``DOSSIER_PRINT_JOB_MAX_PAGES``: the pages one job may hold (a whole dossier of a
    large case; beyond it the reader prints in several jobs)."""
    return int(config.get("DOSSIER_PRINT_JOB_MAX_PAGES", 5000))


def lease_seconds() -> float:
    """``DOSSIER_PRINT_LEASE_SECONDS``: how long a silent maker keeps its job. Renewed at
    every few pages, so it only has to outlast a few pages of the slowest PDF."""
    return float(config.get("DOSSIER_PRINT_LEASE_SECONDS", 60))


# -- the reader's side ---------------------------------------------------------------------


def create_print(
    uow: DossierWork, *, actor: Actor, application_id: Any, body: Any = None, idempotency_key: Any = None
) -> dict:
    """Ask for a print job; the rules of reading apply first (403, 410, 404), then the
    choice of documents (404 for one the grant does not cover, 422), then the reader's
    unfinished jobs (429)."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise validation_error({"body": "应为 JSON 对象"})
    key = idempotency.check_key(idempotency_key)
    with uow.read() as dossiers:
        reading = domain.authorize_print(authorized(dossiers, actor, application_id))
        readable = [(d.id, d.page_count) for d in readable_documents(dossiers, reading)]
    chosen, total = domain.print_selection(body.get("documents"), readable, max_pages())
    request_hash = idempotency.fingerprint("print", reading.application_id, chosen)

    def effect(dossiers: DossierRepository) -> dict:
        # a reader's requests take turns, so six at once cannot all see fewer than three
        dossiers.take_turns("print-jobs", actor["id"])
        if dossiers.unfinished_jobs_of(actor["id"]) >= MAX_UNFINISHED_PER_READER:
            raise DomainError("rate_limited", "您已有打印任务正在生成，请等它们完成后再提交")
        job = PrintJob(
            id=uuid.uuid4().hex,
            application_id=reading.application_id,
            user_id=actor["id"],
            documents=json.dumps(chosen),
            # the stamp names the reader and the moment they asked, as a print copy does
            stamp=json.dumps(domain.stamp_lines(actor, clock.now()), ensure_ascii=False),
            status=domain.PRINT_QUEUED,
            pages_done=0,
            pages_total=total,
            created_at=clock.utcnow(),
            expires_at=reading.grant_ends_at,
        )
        dossiers.add_job(job)
        return domain.print_job_view(job)

    return idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)


def _own_job(dossiers: DossierRepository, reading: domain.Reading, actor: Actor, print_id: Any) -> PrintJob:
    job = dossiers.job(print_id) if isinstance(print_id, str) and len(print_id) <= 32 else None
    if job is None or job.application_id != reading.application_id or job.user_id != actor.get("id"):
        raise DomainError("not_found", "打印任务不存在")
    return job


def get_print(uow: DossierWork, *, actor: Actor, application_id: Any, print_id: Any) -> dict:
    with uow.read() as dossiers:
        reading = domain.authorize_print(authorized(dossiers, actor, application_id))
        return domain.print_job_view(_own_job(dossiers, reading, actor, print_id))


def print_pdf(uow: DossierWork, *, actor: Actor, application_id: Any, print_id: Any) -> dict:
    """The finished PDF (the gateway streams it and leaves it for later downloads); each
    download is in the access log, one ``download_pdf`` per document, at one instant."""
    with uow.read() as dossiers:
        reading = domain.authorize_print(authorized(dossiers, actor, application_id))
        job = _own_job(dossiers, reading, actor, print_id)
        if job.status == domain.PRINT_FAILED:
            raise DomainError("not_ready", "打印文件生成失败，请重新提交打印")
        if job.status != domain.PRINT_DONE:
            raise DomainError("not_ready", "打印文件正在生成，请稍候")
        documents = json.loads(job.documents)
        result = {"key": job.object_key, "content_type": "application/pdf", "size": job.size}
    with uow.transaction() as dossiers:
        at = clock.utcnow()
        for document_id in documents:
            append_log(dossiers, actor, domain.DOWNLOAD_PDF, reading=reading, document_id=document_id, at=at)
    return dict(result, filename=f"{reading.case_no}卷宗打印.pdf")


# -- the maker's side (the service's timer) --------------------------------------------------


def make_next(uow: DossierWork, machine: PrintMachine) -> str | None:
    """Claim the oldest job waiting, or one whose maker fell silent, and make it. Returns
    the job's id, or None when there was nothing to do."""
    maker = uuid.uuid4().hex[:16]
    now = clock.utcnow()
    with uow.read() as dossiers:
        candidates = dossiers.claimable_jobs(now, CANDIDATES)
    for job_id in candidates:
        if _claim(uow, job_id, maker, now):
            _make(uow, machine, job_id, maker)
            return job_id
    return None


def _claim(uow: DossierWork, job_id: str, maker: str, now) -> bool:
    """Of two processes claiming one job, the conditional update lets exactly one win."""
    with uow.transaction() as dossiers:
        return dossiers.claim_job(job_id, maker, now, _lease(now))


def _lease(now):
    return now + timedelta(seconds=lease_seconds())


def _still_granted(uow: DossierWork, job: PrintJob) -> bool:
    with uow.read() as dossiers:
        reading = dossiers.reading(job.application_id)
    try:
        holder = cast(Actor, {"id": job.user_id})  # authorize asks only whose grant it is
        domain.authorize_print(domain.authorize(reading, holder, clock.now()))
    except DomainError:
        return False
    return True


def _make(uow: DossierWork, machine: PrintMachine, job_id: str, maker: str) -> None:
    with uow.read() as dossiers:
        job = dossiers.job(job_id)
        if job is None:  # the sweep deleted it (its grant ended) since this process claimed it
            return
        wanted = json.loads(job.documents)
        found = dossiers.documents(wanted)
    if not _still_granted(uow, job) or set(found) != set(wanted):
        _finish(uow, job_id, maker, status=domain.PRINT_FAILED)
        return
    documents = [(found[d].object_key, found[d].page_count) for d in wanted]

    def progress(pages_done: int) -> None:
        if not _renew(uow, job_id, maker, pages_done) or not _still_granted(uow, job):
            raise PrintStopped()

    try:
        made = machine.print_job(documents, json.loads(job.stamp), progress)
    except PrintStopped:
        _finish(uow, job_id, maker, status=domain.PRINT_FAILED)  # a maker that lost its lease changes nothing
        return
    except Exception:
        log.exception("print job %s failed", job_id)
        _finish(uow, job_id, maker, status=domain.PRINT_FAILED)
        return
    if not _finish(uow, job_id, maker, status=domain.PRINT_DONE, object_key=made["key"], size=made["size"]):
        machine.discard(made["key"])  # another maker took over (or the job went): ours is not kept


def _renew(uow: DossierWork, job_id: str, maker: str, pages_done: int) -> bool:
    with uow.transaction() as dossiers:
        return dossiers.renew_job(job_id, maker, pages_done, _lease(clock.utcnow()))


def _finish(uow: DossierWork, job_id: str, maker: str, *, status: str, **values: Any) -> bool:
    with uow.transaction() as dossiers:
        return dossiers.finish_job(job_id, maker, status=status, at=clock.utcnow(), **values)


# -- housekeeping ---------------------------------------------------------------------------


def sweep(uow: DossierWork, delete_object: Callable[[str], None]) -> int:
    """Jobs whose grant ended (expired, revoked, withdrawn) go with their PDFs, and failed
    ones after a day. Returns how many went."""
    now = clock.utcnow()
    with uow.read() as dossiers:
        gone = dossiers.jobs_to_sweep(now, now - FAILED_KEPT, SWEPT_PER_ROUND)
    for job_id, key in gone:
        if key:
            delete_object(key)  # the object first: a row left behind is swept again
        with uow.transaction() as dossiers:
            dossiers.drop_job(job_id)
    return len(gone)


def known_keys(uow: DossierWork, keys: list[str]) -> set[str]:
    """Which of these stored PDFs belong to a job (the others a maker left when it died)."""
    with uow.read() as dossiers:
        return dossiers.job_keys(keys)


def sweep_orphans(store: Any, uow: DossierWork) -> int:
    return staging.sweep(store, PRINTS, lambda keys: known_keys(uow, keys))
