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
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol, cast

from sqlalchemy import and_, delete, func, or_, select, update

from services.common import clock, config, idempotency, staging
from services.common.actor import Actor
from services.common.db import UnitOfWork, affected, serialise
from services.common.errors import DomainError, validation_error
from services.dossier import domain
from services.dossier.dependencies import PRINTS
from services.dossier.models import Document, IdempotencyKey, PrintJob, Reading
from services.dossier.usecases import append_log, authorized, readable_documents, reading_of

log = logging.getLogger(__name__)

UNFINISHED = (domain.PRINT_QUEUED, domain.PRINT_RUNNING)
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
    uow: UnitOfWork, *, actor: Actor, application_id: Any, body: Any = None, idempotency_key: Any = None
) -> dict:
    """Ask for a print job; the rules of reading apply first (403, 410, 404), then the
    choice of documents (404 for one the grant does not cover, 422), then the reader's
    unfinished jobs (429)."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise validation_error({"body": "应为 JSON 对象"})
    key = idempotency.check_key(idempotency_key)
    with uow.read() as session:
        reading = domain.authorize_print(authorized(session, actor, application_id))
        readable = [(d.id, d.page_count) for d in readable_documents(session, reading)]
    chosen, total = domain.print_selection(body.get("documents"), readable, max_pages())
    request_hash = idempotency.fingerprint("print", reading.application_id, chosen)

    def effect(session) -> dict:
        # a reader's requests take turns, so six at once cannot all see fewer than three
        serialise(session, "print-jobs", actor["id"])
        waiting = session.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.user_id == actor["id"], PrintJob.status.in_(UNFINISHED))
        )
        if waiting >= MAX_UNFINISHED_PER_READER:
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
        session.add(job)
        session.flush()
        return domain.print_job_view(job)

    return idempotency.once(uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)


def _own_job(session, reading: domain.Reading, actor: Actor, print_id: Any) -> PrintJob:
    job = session.get(PrintJob, print_id) if isinstance(print_id, str) and len(print_id) <= 32 else None
    if job is None or job.application_id != reading.application_id or job.user_id != actor.get("id"):
        raise DomainError("not_found", "打印任务不存在")
    return job


def get_print(uow: UnitOfWork, *, actor: Actor, application_id: Any, print_id: Any) -> dict:
    with uow.read() as session:
        reading = domain.authorize_print(authorized(session, actor, application_id))
        return domain.print_job_view(_own_job(session, reading, actor, print_id))


def print_pdf(uow: UnitOfWork, *, actor: Actor, application_id: Any, print_id: Any) -> dict:
    """The finished PDF (the gateway streams it and leaves it for later downloads); each
    download is in the access log, one ``download_pdf`` per document, at one instant."""
    with uow.read() as session:
        reading = domain.authorize_print(authorized(session, actor, application_id))
        job = _own_job(session, reading, actor, print_id)
        if job.status == domain.PRINT_FAILED:
            raise DomainError("not_ready", "打印文件生成失败，请重新提交打印")
        if job.status != domain.PRINT_DONE:
            raise DomainError("not_ready", "打印文件正在生成，请稍候")
        documents = json.loads(job.documents)
        result = {"key": job.object_key, "content_type": "application/pdf", "size": job.size}
    with uow.transaction() as session:
        at = clock.utcnow()
        for document_id in documents:
            append_log(session, actor, domain.DOWNLOAD_PDF, reading=reading, document_id=document_id, at=at)
    return dict(result, filename=f"{reading.case_no}卷宗打印.pdf")


# -- the maker's side (the service's timer) --------------------------------------------------


def make_next(uow: UnitOfWork, machine: PrintMachine) -> str | None:
    """Claim the oldest job waiting, or one whose maker fell silent, and make it. Returns
    the job's id, or None when there was nothing to do."""
    maker = uuid.uuid4().hex[:16]
    now = clock.utcnow()
    with uow.read() as session:
        candidates = session.scalars(
            select(PrintJob.id).where(_claimable(now)).order_by(PrintJob.created_at, PrintJob.id).limit(5)
        ).all()
    for job_id in candidates:
        if _claim(uow, job_id, maker, now):
            _make(uow, machine, job_id, maker)
            return job_id
    return None


def _claim(uow: UnitOfWork, job_id: str, maker: str, now) -> bool:
    """Of two processes claiming one job, the conditional update lets exactly one win."""
    with uow.transaction() as session:
        claimed = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, _claimable(now))
            .values(status=domain.PRINT_RUNNING, maker=maker, pages_done=0, lease_until=_lease(now))
            .execution_options(synchronize_session=False)
        )
        return affected(claimed) == 1


def _claimable(now) -> Any:
    """A job waiting, or one whose maker let its lease run out (it died)."""
    return or_(
        PrintJob.status == domain.PRINT_QUEUED,
        and_(PrintJob.status == domain.PRINT_RUNNING, PrintJob.lease_until < now),
    )


def _lease(now):
    return now + timedelta(seconds=lease_seconds())


def _still_granted(uow: UnitOfWork, job: PrintJob) -> bool:
    with uow.read() as session:
        reading = reading_of(session, job.application_id)
    try:
        holder = cast(Actor, {"id": job.user_id})  # authorize asks only whose grant it is
        domain.authorize_print(domain.authorize(reading, holder, clock.now()))
    except DomainError:
        return False
    return True


def _make(uow: UnitOfWork, machine: PrintMachine, job_id: str, maker: str) -> None:
    with uow.read() as session:
        job = session.get(PrintJob, job_id)
        if job is None:  # the sweep deleted it (its grant ended) since this process claimed it
            return
        wanted = json.loads(job.documents)
        found = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(wanted)))}
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


def _renew(uow: UnitOfWork, job_id: str, maker: str, pages_done: int) -> bool:
    with uow.transaction() as session:
        renewed = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.maker == maker, PrintJob.status == domain.PRINT_RUNNING)
            .values(pages_done=pages_done, lease_until=_lease(clock.utcnow()))
            .execution_options(synchronize_session=False)
        )
        return affected(renewed) == 1


def _finish(uow: UnitOfWork, job_id: str, maker: str, *, status: str, **values: Any) -> bool:
    done = {"pages_done": PrintJob.pages_total} if status == domain.PRINT_DONE else {}
    with uow.transaction() as session:
        finished = session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.maker == maker, PrintJob.status == domain.PRINT_RUNNING)
            .values(status=status, finished_at=clock.utcnow(), lease_until=None, **done, **values)
            .execution_options(synchronize_session=False)
        )
        return affected(finished) == 1


# -- housekeeping ---------------------------------------------------------------------------


def sweep(uow: UnitOfWork, delete_object: Callable[[str], None]) -> int:
    """Jobs whose grant ended (expired, revoked, withdrawn) go with their PDFs, and failed
    ones after a day. Returns how many went."""
    now = clock.utcnow()
    with uow.read() as session:
        ended = select(Reading.application_id).where(
            or_(Reading.revoked_at.is_not(None), Reading.withdrawn_at.is_not(None))
        )
        gone = session.execute(
            select(PrintJob.id, PrintJob.object_key)
            .where(
                or_(
                    PrintJob.expires_at <= now,
                    PrintJob.application_id.in_(ended),
                    and_(PrintJob.status == domain.PRINT_FAILED, PrintJob.finished_at < now - FAILED_KEPT),
                )
            )
            .limit(1000)
        ).all()
    for job_id, key in gone:
        if key:
            delete_object(key)  # the object first: a row left behind is swept again
        with uow.transaction() as session:
            session.execute(delete(PrintJob).where(PrintJob.id == job_id))
    return len(gone)


def known_keys(uow: UnitOfWork, keys: list[str]) -> set[str]:
    """Which of these stored PDFs belong to a job (the others a maker left when it died)."""
    with uow.read() as session:
        return set(session.scalars(select(PrintJob.object_key).where(PrintJob.object_key.in_(keys))))


def sweep_orphans(store: Any, uow: UnitOfWork) -> int:
    return staging.sweep(store, PRINTS, lambda keys: known_keys(uow, keys))
