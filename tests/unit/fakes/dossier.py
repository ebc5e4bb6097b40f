"""dossier's repository in memory (``services.dossier.repository``)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.common.court import clock
from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork
from services.dossier import domain, repository
from services.dossier.models import (
    LEGACY_LANE,
    AccessLogEntry,
    AccessLogHead,
    Base,
    Document,
    Link,
    Outbox,
    PrintJob,
    Reading,
)
from services.dossier.repository import CHAIN_FIELDS, UNFINISHED, LogRow, as_reading
from tests.unit.fakes import FakeMessages, FakeUnitOfWork
from tests.unit.fakes.applications import FakeKeys


class FakeDossierRepository(FakeMessages):
    def __init__(self) -> None:
        self.idempotency_keys = FakeKeys()
        self.documents_by_id: dict[int, Document] = {}
        self.readings: dict[str, Reading] = {}
        self.links: dict[str, Link] = {}
        self.entries: list[AccessLogEntry] = []  # by seq
        # one head per lane, the single chain's there as the migrations leave it
        self.tips = {LEGACY_LANE: AccessLogHead(lane=LEGACY_LANE, seq=0, lane_seq=0, hash=domain.GENESIS_HASH)}
        self.last_seq = 0  # the database's sequence
        self.jobs: dict[str, PrintJob] = {}
        self.events: list[tuple[str, dict]] = []
        self.heard: set[str] = set()
        self.turns: list[tuple] = []  # take_turns calls, to see a use case takes turns
        self._ids = itertools.count(1)

    def take_turns(self, *key: object) -> None:
        self.turns.append(key)

    # -- documents
    def document(self, document_id: int) -> Document | None:
        return self.documents_by_id.get(document_id)

    def document_at(self, object_key: str) -> Document | None:
        return next((d for d in self.documents_by_id.values() if d.object_key == object_key), None)

    def add_document(self, document: Document) -> Document:
        if self.document_at(document.object_key) is not None:
            raise ValueError("object_key is unique")
        if document.id is None:
            document.id = max(self.documents_by_id, default=0) + 1
        self.documents_by_id[document.id] = document
        return document

    def ingested_keys(self, keys: list[str]) -> set[str]:
        return {d.object_key for d in self.documents_by_id.values() if d.object_key in keys}

    def case_documents(self, case_no: str) -> list[Document]:
        return sorted((d for d in self.documents_by_id.values() if d.case_no == case_no), key=lambda d: d.id)

    def documents(self, ids: Iterable[int]) -> dict[int, Document]:
        return {i: self.documents_by_id[i] for i in ids if i in self.documents_by_id}

    def titles_of_case(self, case_no: str) -> dict[int, str]:
        return {d.id: d.title for d in self.case_documents(case_no)}

    # -- the applications replica
    def reading(self, application_id: Any) -> domain.Reading | None:
        return as_reading(self.readings.get(str(application_id))) if application_id is not None else None

    def reading_row(self, application_id: str) -> Reading | None:
        return self.readings.get(application_id)

    def add_reading(self, row: Reading) -> None:
        if row.print_allowed is None:
            row.print_allowed = True  # the column's default
        self.readings[row.application_id] = row

    def reading_rows(self, application_ids: list[str]) -> list[Reading]:
        return [self.readings[i] for i in application_ids if i in self.readings]

    def applications_of_case(self, case_no: str) -> list[str]:
        return [r.application_id for r in self.readings.values() if r.case_no == case_no]

    # -- 复制链接
    def add_link(self, link: Link) -> None:
        self.links[link.token_hash] = link

    def link(self, token_hash: str) -> Link | None:
        return self.links.get(token_hash)

    def drop_links(self, application_id: str, user_id: int | None = None) -> int:
        gone = [
            t
            for t, link in self.links.items()
            if link.application_id == application_id and (user_id is None or link.user_id == user_id)
        ]
        for token in gone:
            del self.links[token]
        return len(gone)

    # -- the access log's chain, in lanes
    def advance_head(self, lane: str) -> Any:
        tip = self.tips.setdefault(lane, AccessLogHead(lane=lane, seq=0, lane_seq=0, hash=domain.GENESIS_HASH))
        self.last_seq += 1
        tip.seq, tip.lane_seq = self.last_seq, tip.lane_seq + 1
        return SimpleNamespace(seq=tip.seq, lane_seq=tip.lane_seq, hash=tip.hash, keyed_from=tip.keyed_from)

    def add_entry(self, entry: dict[str, Any], prev_hash: str, digest: str) -> None:
        if any(e.seq == entry["seq"] for e in self.entries):
            raise ValueError("seq is the primary key")
        self.entries.append(AccessLogEntry(**entry, prev_hash=prev_hash, hash=digest))
        self.entries.sort(key=lambda e: e.seq)

    def set_head(self, lane: str, digest: str, keyed_from: int | None = None) -> None:
        self.tips[lane].hash = digest
        if keyed_from is not None:
            self.tips[lane].keyed_from = keyed_from

    def head(self, lane: str) -> AccessLogHead | None:
        return self.tips.get(lane)

    def hold_still(self) -> None:
        pass

    def chain_after(self, after: tuple[str, int] | None, batch: int) -> list[dict[str, Any]]:
        walk = sorted(self.entries, key=lambda e: (e.lane, e.seq))
        rows = [e for e in walk if after is None or (e.lane, e.seq) > after][:batch]
        return [{**{f: getattr(e, f) for f in CHAIN_FIELDS}, "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]

    @staticmethod
    def _lane_head(tip: AccessLogHead) -> domain.LaneHead:
        return domain.LaneHead(tip.lane, tip.seq, tip.hash, tip.lane_seq, tip.keyed_from)

    def heads(self, lanes: Iterable[str]) -> dict[str, domain.LaneHead]:
        return {lane: self._lane_head(self.tips[lane]) for lane in lanes if lane in self.tips}

    def heads_without_entries(self, after: str | None, batch: int) -> list[domain.LaneHead]:
        walked = {e.lane for e in self.entries}
        empty = sorted(lane for lane in self.tips if lane not in walked and (after is None or lane > after))
        return [self._lane_head(self.tips[lane]) for lane in empty[:batch]]

    def entries_at(self, seqs: list[int]) -> dict[int, tuple[str, str]]:
        return {e.seq: (e.lane, e.hash) for e in self.entries if e.seq in set(seqs)}

    def heads_to_export(self, batch: int) -> list[domain.LaneHead]:
        moved = [t for t in self.tips.values() if t.seq > 0 and t.exported_seq != t.seq]
        return [self._lane_head(t) for t in sorted(moved, key=lambda t: t.seq)[:batch]]

    def mark_exported(self, heads: list[tuple[str, int]]) -> None:
        for lane, seq in heads:
            tip = self.tips.get(lane)
            if tip is not None and tip.seq == seq:
                tip.exported_seq = seq

    def _titled(self, entries: Iterable[AccessLogEntry]) -> list[LogRow]:
        titles = {d.id: d.title for d in self.documents_by_id.values()}
        return [(e, titles.get(e.document_id) if e.document_id is not None else None) for e in entries]

    def _newest_first(self, keep, before_seq: int | None, limit: int) -> list[LogRow]:
        chosen = [e for e in reversed(self.entries) if keep(e) and (before_seq is None or e.seq < before_seq)]
        return self._titled(chosen[:limit])

    def log_of_application(self, application_id: str, before_seq: int | None, limit: int) -> list[LogRow]:
        return self._newest_first(lambda e: e.application_id == application_id, before_seq, limit)

    def log_of_case(self, case_no: str, applications: list[str], before_seq: int | None, limit: int) -> list[LogRow]:
        return self._newest_first(lambda e: e.case_no == case_no or e.application_id in applications, before_seq, limit)

    def record_of_application(self, application_id: str, limit: int) -> list[LogRow]:
        return self._titled([e for e in self.entries if e.application_id == application_id][:limit])

    def others_reads(self, case_no: str, actor_id: Any, actions: tuple[str, ...], limit: int) -> list[AccessLogEntry]:
        under_case = set(self.applications_of_case(case_no))
        chosen = [
            e
            for e in reversed(self.entries)
            if e.application_id in under_case and e.actor_id != actor_id and e.action in actions
        ]
        return chosen[:limit]

    # -- print jobs
    def unfinished_jobs_of(self, user_id: int) -> int:
        return sum(1 for j in self.jobs.values() if j.user_id == user_id and j.status in UNFINISHED)

    def add_job(self, job: PrintJob) -> None:
        self.jobs[job.id] = job

    def job(self, job_id: str) -> PrintJob | None:
        return self.jobs.get(job_id)

    def _claimable(self, job: PrintJob, now: datetime) -> bool:
        if job.status == domain.PRINT_QUEUED:
            return True
        lease = job.lease_until
        return job.status == domain.PRINT_RUNNING and lease is not None and clock.as_aware(lease) < now

    def claimable_jobs(self, now: datetime, limit: int) -> list[str]:
        waiting = [j for j in self.jobs.values() if self._claimable(j, now)]
        return [j.id for j in sorted(waiting, key=lambda j: (clock.as_aware(j.created_at), j.id))][:limit]

    def claim_job(self, job_id: str, maker: str, now: datetime, lease_until: datetime) -> bool:
        job = self.jobs.get(job_id)
        if job is None or not self._claimable(job, now):
            return False
        job.status, job.maker, job.pages_done, job.lease_until = domain.PRINT_RUNNING, maker, 0, lease_until
        return True

    def _made_by(self, job_id: str, maker: str) -> PrintJob | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.maker == maker and job.status == domain.PRINT_RUNNING else None

    def renew_job(self, job_id: str, maker: str, pages_done: int, lease_until: datetime) -> bool:
        job = self._made_by(job_id, maker)
        if job is not None:
            job.pages_done, job.lease_until = pages_done, lease_until
        return job is not None

    def finish_job(self, job_id: str, maker: str, *, status: str, at: datetime, **values: Any) -> bool:
        job = self._made_by(job_id, maker)
        if job is None:
            return False
        job.status, job.finished_at, job.lease_until = status, at, None
        if status == domain.PRINT_DONE:
            job.pages_done = job.pages_total
        for name, value in values.items():
            setattr(job, name, value)
        return True

    def jobs_to_sweep(self, now: datetime, failed_before: datetime, limit: int) -> list[tuple[str, str | None]]:
        def gone(job: PrintJob) -> bool:
            reading = self.reading(job.application_id)
            return (
                domain.lapsed(job.expires_at, now)
                or (reading is not None and reading.ended)
                or (
                    job.status == domain.PRINT_FAILED
                    and job.finished_at is not None
                    and clock.as_aware(job.finished_at) < failed_before
                )
            )

        return [(j.id, j.object_key) for j in self.jobs.values() if gone(j)][:limit]

    def drop_job(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def job_keys(self, keys: list[str]) -> set[str]:
        return {j.object_key for j in self.jobs.values() if j.object_key in keys}


def fake_unit_of_work() -> FakeUnitOfWork[FakeDossierRepository]:
    return FakeUnitOfWork(FakeDossierRepository())


# What a test reads back, from this fake or from the SQL repository's database alike.


def announced(uow) -> list[tuple[str, dict]]:
    """What the use cases announced, in order (the outbox on SQL)."""
    if not isinstance(uow, RepositoryUnitOfWork):
        return list(uow.repository.events)
    with uow.uow.read() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
        return [(row.event_type, json.loads(row.payload)) for row in rows]


def unit_of_work(kind: str) -> Any:
    """The use cases' unit of work for a test run twice: over this fake (``memory``) and over
    the SQL repository on an in-memory SQLite database (``sqlite``), so the two answer alike.
    The single chain's head row is there as the migrations leave it."""
    if kind == "memory":
        return fake_unit_of_work()
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    session_uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    with session_uow.transaction() as session:
        session.add(AccessLogHead(lane=LEGACY_LANE, seq=0, lane_seq=0, hash=domain.GENESIS_HASH))
    return repository.unit_of_work(session_uow)
