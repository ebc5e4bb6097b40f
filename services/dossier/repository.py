"""dossier's persistence: documents, the applications replica (reading grants), 复制链接,
the access log's hash chain (阅卷记录) and print jobs, as the use cases ask for them.
``DossierRepository`` is what the use cases may ask; ``SqlRepository`` answers it from the
service's own database (SQLite or PostgreSQL), the unit tests' fake from memory
(tests/unit/fakes/dossier.py).

The statements keep the shapes the indexes were made for (dossier_0010 and the year
benchmark in benchmarks/bench_year.py): a page of the log is an index scan by application
or by case, newest first; a case's applications are fetched before the OR that finds its
older entries, so each side of it is an index scan."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, delete, exists, func, insert, literal, or_, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork, UnitOfWorkOf, affected, table_of
from services.common.infra.messaging import Messages, ServiceSqlRepository
from services.dossier import domain
from services.dossier.models import (
    ACCESS_LOG_SEQ,
    AccessLogEntry,
    AccessLogHead,
    Document,
    IdempotencyKey,
    Inbox,
    Link,
    Outbox,
    PrintJob,
    Reading,
)

# What an entry of the chain holds besides its hashes (what ``domain.chain_hash`` covers).
CHAIN_FIELDS = (
    "seq",
    "at",
    "application_id",
    "case_no",
    "actor_id",
    "actor_name",
    "actor_role",
    "action",
    "document_id",
    "page",
    "lane",
    "lane_seq",
)
UNFINISHED = (domain.PRINT_QUEUED, domain.PRINT_RUNNING)

LogRow = tuple[AccessLogEntry, str | None]  # an entry and the title of its document, if any


def as_reading(row: Reading | None) -> domain.Reading | None:
    """A replica row as the rules see it."""
    if row is None:
        return None
    return domain.Reading(
        row.application_id,
        row.applicant_id,
        row.case_no,
        row.court,
        row.opinion,
        row.mode,
        row.valid_until,
        documents=domain.parse_granted_documents(json.loads(row.documents)) if row.documents else None,
        print_allowed=row.print_allowed is not False,
        revoked=row.revoked_at is not None,
        withdrawn=row.withdrawn_at is not None,
    )


class DossierRepository(Messages, Protocol):
    idempotency_keys: Any  # services.common.infra.idempotency.Keys

    def take_turns(self, *key: object) -> None:
        """Take turns with whatever else decides from the same facts (PostgreSQL)."""

    # -- documents (电子卷宗)
    def document(self, document_id: int) -> Document | None: ...
    def document_at(self, object_key: str) -> Document | None: ...
    def add_document(self, document: Document) -> Document:
        """Recorded, with its id."""

    def ingested_keys(self, keys: list[str]) -> set[str]: ...
    def case_documents(self, case_no: str) -> list[Document]:
        """In the dossier's order: as they were ingested."""

    def documents(self, ids: Iterable[int]) -> dict[int, Document]: ...
    def titles_of_case(self, case_no: str) -> dict[int, str]: ...

    # -- the applications replica (reading grants)
    def reading(self, application_id: Any) -> domain.Reading | None: ...
    def reading_row(self, application_id: str) -> Reading | None: ...
    def add_reading(self, row: Reading) -> None: ...
    def reading_rows(self, application_ids: list[str]) -> list[Reading]: ...
    def applications_of_case(self, case_no: str) -> list[str]: ...

    # -- 复制链接
    def add_link(self, link: Link) -> None: ...
    def link(self, token_hash: str) -> Link | None: ...
    def drop_links(self, application_id: str, user_id: int | None = None) -> int:
        """Every link of the application (of this user only, with ``user_id``); how many went."""

    # -- the access log's chain (阅卷记录), in lanes
    def advance_head(self, lane: str) -> Any:
        """Give the lane's next entry its ``seq`` (from the global order) and ``lane_seq``
        (its number in the lane), answered with the ``hash`` and ``keyed_from`` of the tip
        it replaces; a lane appended to for the first time gets its head row. Takes the
        lane's write lock until the transaction ends, and no other lane's."""

    def add_entry(self, entry: dict[str, Any], prev_hash: str, digest: str) -> None: ...
    def set_head(self, lane: str, digest: str, keyed_from: int | None = None) -> None:
        """The lane's new tip (and, once, its first keyed entry; None leaves it as it is)."""

    def head(self, lane: str) -> AccessLogHead | None: ...
    def hold_still(self) -> None:
        """The rest of this read sees the log as it was at one moment (PostgreSQL), so a
        walk of it is not confused by appends committed meanwhile."""

    def chain_after(self, after: tuple[str, int] | None, batch: int) -> list[dict[str, Any]]:
        """Up to ``batch`` entries after the (lane, seq) ``after``, lane by lane and each lane
        oldest first, as ``CHAIN_FIELDS`` and hashes."""

    def heads(self, lanes: Iterable[str]) -> dict[str, domain.LaneHead]:
        """The head rows of these lanes (a lane without one is not in the answer)."""

    def heads_without_entries(self, after: str | None, batch: int) -> list[domain.LaneHead]:
        """Up to ``batch`` head rows of lanes (after ``after``, in lane order) that no entry is in."""

    def entries_at(self, seqs: list[int]) -> dict[int, tuple[str, str]]:
        """The (lane, hash) of the entries at these seqs (a seq no entry has is not in the answer)."""

    def heads_to_export(self, batch: int) -> list[domain.LaneHead]:
        """Up to ``batch`` heads that moved since they were last exported, oldest first."""

    def mark_exported(self, heads: list[tuple[str, int]]) -> None:
        """These (lane, seq) heads are exported (a head that moved since stays to export)."""

    def log_of_application(self, application_id: str, before_seq: int | None, limit: int) -> list[LogRow]:
        """Newest first."""

    def log_of_case(self, case_no: str, applications: list[str], before_seq: int | None, limit: int) -> list[LogRow]:
        """Entries naming the case, or (written before entries named cases) under one of its
        ``applications``; newest first."""

    def record_of_application(self, application_id: str, limit: int) -> list[LogRow]:
        """Oldest first."""

    def others_reads(self, case_no: str, actor_id: Any, actions: tuple[str, ...], limit: int) -> list[AccessLogEntry]:
        """Entries of these actions by anyone but ``actor_id`` under the case's applications,
        newest first."""

    # -- print jobs (打印)
    def unfinished_jobs_of(self, user_id: int) -> int: ...
    def add_job(self, job: PrintJob) -> None: ...
    def job(self, job_id: str) -> PrintJob | None: ...
    def claimable_jobs(self, now: datetime, limit: int) -> list[str]:
        """Ids of jobs waiting, or whose maker let its lease run out, oldest first."""

    def claim_job(self, job_id: str, maker: str, now: datetime, lease_until: datetime) -> bool:
        """Of two makers claiming one job, exactly one gets True."""

    def renew_job(self, job_id: str, maker: str, pages_done: int, lease_until: datetime) -> bool:
        """False once ``maker`` is no longer the job's."""

    def finish_job(self, job_id: str, maker: str, *, status: str, at: datetime, **values: Any) -> bool:
        """False once ``maker`` is no longer the job's: then nothing is written."""

    def jobs_to_sweep(self, now: datetime, failed_before: datetime, limit: int) -> list[tuple[str, str | None]]:
        """(id, object key) of jobs whose grant lapsed or ended, and of failed ones finished
        before ``failed_before``."""

    def drop_job(self, job_id: str) -> None: ...
    def job_keys(self, keys: list[str]) -> set[str]: ...


DossierWork = UnitOfWorkOf[DossierRepository]


def unit_of_work(uow: UnitOfWork) -> RepositoryUnitOfWork[DossierRepository]:
    return RepositoryUnitOfWork(uow, SqlRepository)


def expired_links(before: datetime) -> Any:
    """The links housekeeping purges: expired before ``before``."""
    return Link.expires_at < before


def _claimable(now: datetime) -> Any:
    """A job waiting, or one whose maker let its lease run out (it died)."""
    return or_(
        PrintJob.status == domain.PRINT_QUEUED,
        and_(PrintJob.status == domain.PRINT_RUNNING, PrintJob.lease_until < now),
    )


def _with_titles(query_of_entries: Any) -> Any:
    return query_of_entries.outerjoin(Document, Document.id == AccessLogEntry.document_id)


# The append's statements, built once: every page view runs them, and its lane's lock is
# held for their round trips.
_HEADS, _LOG = table_of(AccessLogHead), table_of(AccessLogEntry)


def _bump(next_seq: Any) -> Any:
    """One round trip: the bump takes the lane's row lock (the database lock on SQLite) and
    answers with the tip it replaced. The seq is drawn once the lock is held (PostgreSQL
    evaluates the row an UPDATE waited for again), so a lane's entries are in seq order."""
    return (
        update(_HEADS)
        .where(_HEADS.c.lane == bindparam("of_lane"))
        .values(seq=next_seq, lane_seq=_HEADS.c.lane_seq + 1)
        .returning(_HEADS.c.seq, _HEADS.c.lane_seq, _HEADS.c.hash, _HEADS.c.keyed_from)
    )


_BUMP = {
    "postgresql": _bump(ACCESS_LOG_SEQ.next_value()),
    # SQLite's single writer numbers the entry after the newest
    "sqlite": _bump(select(func.coalesce(func.max(_LOG.c.seq), 0) + 1).scalar_subquery()),
}
_OPEN_LANE = {
    name: dialect.insert(_HEADS)
    .values(lane=bindparam("lane"), seq=0, lane_seq=0, hash=domain.GENESIS_HASH)
    .on_conflict_do_nothing(index_elements=["lane"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_ADD_ENTRY = insert(_LOG)
# keyed_from is written once, by the lane's first keyed entry
_SET_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.lane == bindparam("of_lane"))
    .values(hash=bindparam("new_hash"), keyed_from=func.coalesce(_HEADS.c.keyed_from, bindparam("first_keyed")))
)


class SqlRepository(ServiceSqlRepository, outbox=Outbox, inbox=Inbox, keys=IdempotencyKey):
    # -- documents ----------------------------------------------------------------------------

    def document(self, document_id: int) -> Document | None:
        return self.session.get(Document, document_id)

    def document_at(self, object_key: str) -> Document | None:
        return self.session.scalar(select(Document).where(Document.object_key == object_key))

    def add_document(self, document: Document) -> Document:
        self.session.add(document)
        self.session.flush()
        return document

    def ingested_keys(self, keys: list[str]) -> set[str]:
        return set(self.session.scalars(select(Document.object_key).where(Document.object_key.in_(keys))))

    def case_documents(self, case_no: str) -> list[Document]:
        query = select(Document).where(Document.case_no == case_no).order_by(Document.id)
        return list(self.session.scalars(query))

    def documents(self, ids: Iterable[int]) -> dict[int, Document]:
        return {d.id: d for d in self.session.scalars(select(Document).where(Document.id.in_(list(ids))))}

    def titles_of_case(self, case_no: str) -> dict[int, str]:
        query = select(Document.id, Document.title).where(Document.case_no == case_no)
        return {doc_id: title for doc_id, title in self.session.execute(query).all()}

    # -- the applications replica ---------------------------------------------------------------

    def reading(self, application_id: Any) -> domain.Reading | None:
        return as_reading(self.reading_row(str(application_id))) if application_id is not None else None

    def reading_row(self, application_id: str) -> Reading | None:
        return self.session.get(Reading, application_id)

    def add_reading(self, row: Reading) -> None:
        self.session.add(row)

    def reading_rows(self, application_ids: list[str]) -> list[Reading]:
        return list(self.session.scalars(select(Reading).where(Reading.application_id.in_(application_ids))))

    def applications_of_case(self, case_no: str) -> list[str]:
        return list(self.session.scalars(select(Reading.application_id).where(Reading.case_no == case_no)))

    # -- 复制链接 --------------------------------------------------------------------------------

    def add_link(self, link: Link) -> None:
        self.session.add(link)

    def link(self, token_hash: str) -> Link | None:
        return self.session.get(Link, token_hash)

    def drop_links(self, application_id: str, user_id: int | None = None) -> int:
        statement = delete(Link).where(Link.application_id == application_id)
        if user_id is not None:
            statement = statement.where(Link.user_id == user_id)
        return affected(self.session.execute(statement))

    # -- the access log's chain ----------------------------------------------------------------

    def advance_head(self, lane: str) -> Any:
        dialect = self.session.get_bind().dialect.name
        tip = self.session.execute(_BUMP[dialect], {"of_lane": lane}).one_or_none()
        if tip is None:  # the lane's first entry: its head row, made once whoever races for it
            self.session.execute(_OPEN_LANE[dialect], {"lane": lane})
            tip = self.session.execute(_BUMP[dialect], {"of_lane": lane}).one()
        return tip

    def _on_postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def add_entry(self, entry: dict[str, Any], prev_hash: str, digest: str) -> None:
        self.session.execute(_ADD_ENTRY, {**entry, "prev_hash": prev_hash, "hash": digest})

    def set_head(self, lane: str, digest: str, keyed_from: int | None = None) -> None:
        self.session.execute(_SET_HEAD, {"of_lane": lane, "new_hash": digest, "first_keyed": keyed_from})

    def head(self, lane: str) -> AccessLogHead | None:
        return self.session.get(AccessLogHead, lane)

    def hold_still(self) -> None:
        if self._on_postgresql():
            self.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        else:  # a read transaction: SQLite's WAL keeps its snapshot from the first read on
            self.session.execute(text("BEGIN"))

    def chain_after(self, after: tuple[str, int] | None, batch: int) -> list[dict[str, Any]]:
        query = select(AccessLogEntry).order_by(AccessLogEntry.lane, AccessLogEntry.seq).limit(batch)
        if after is not None:
            query = query.where(
                tuple_(AccessLogEntry.lane, AccessLogEntry.seq) > tuple_(literal(after[0]), literal(after[1]))
            )
        rows = self.session.scalars(query).all()
        entries = [
            {**{f: getattr(row, f) for f in CHAIN_FIELDS}, "prev_hash": row.prev_hash, "hash": row.hash} for row in rows
        ]
        self.session.expunge_all()  # a walk of the whole log holds one batch at a time
        return entries

    def _lane_heads(self, query: Any) -> list[domain.LaneHead]:
        head = AccessLogHead
        rows = self.session.execute(
            query.with_only_columns(head.lane, head.seq, head.hash, head.lane_seq, head.keyed_from)
        ).all()
        return [domain.LaneHead(*row) for row in rows]

    def heads(self, lanes: Iterable[str]) -> dict[str, domain.LaneHead]:
        return {h.lane: h for h in self._lane_heads(select(AccessLogHead).where(AccessLogHead.lane.in_(list(lanes))))}

    def heads_without_entries(self, after: str | None, batch: int) -> list[domain.LaneHead]:
        query = select(AccessLogHead).where(~exists().where(AccessLogEntry.lane == AccessLogHead.lane))
        if after is not None:
            query = query.where(AccessLogHead.lane > after)
        return self._lane_heads(query.order_by(AccessLogHead.lane).limit(batch))

    def entries_at(self, seqs: list[int]) -> dict[int, tuple[str, str]]:
        query = select(AccessLogEntry.seq, AccessLogEntry.lane, AccessLogEntry.hash).where(AccessLogEntry.seq.in_(seqs))
        return {seq: (lane, digest) for seq, lane, digest in self.session.execute(query).all()}

    def heads_to_export(self, batch: int) -> list[domain.LaneHead]:
        moved = or_(AccessLogHead.exported_seq.is_(None), AccessLogHead.exported_seq != AccessLogHead.seq)
        query = select(AccessLogHead).where(AccessLogHead.seq > 0, moved)
        return self._lane_heads(query.order_by(AccessLogHead.seq).limit(batch))

    def mark_exported(self, heads: list[tuple[str, int]]) -> None:
        if not heads:
            return
        table = table_of(AccessLogHead)
        self.session.execute(
            update(table)
            .where(table.c.lane == bindparam("exported_lane"), table.c.seq == bindparam("exported"))
            .values(exported_seq=bindparam("exported")),
            [{"exported_lane": lane, "exported": seq} for lane, seq in heads],
        )

    def _newest_first(self, where: Any, before_seq: int | None, limit: int) -> list[LogRow]:
        query = _with_titles(select(AccessLogEntry, Document.title)).where(where)
        if before_seq is not None:
            query = query.where(AccessLogEntry.seq < before_seq)
        rows = self.session.execute(query.order_by(AccessLogEntry.seq.desc()).limit(limit)).all()
        return [(entry, title) for entry, title in rows]

    def log_of_application(self, application_id: str, before_seq: int | None, limit: int) -> list[LogRow]:
        return self._newest_first(AccessLogEntry.application_id == application_id, before_seq, limit)

    def log_of_case(self, case_no: str, applications: list[str], before_seq: int | None, limit: int) -> list[LogRow]:
        # the applications are in hand, not a subquery: as a subquery, PostgreSQL walked the
        # whole chain backwards instead of scanning each side of the OR by its index
        named = AccessLogEntry.case_no == case_no
        where = or_(named, AccessLogEntry.application_id.in_(applications)) if applications else named
        return self._newest_first(where, before_seq, limit)

    def record_of_application(self, application_id: str, limit: int) -> list[LogRow]:
        query = (
            _with_titles(select(AccessLogEntry, Document.title))
            .where(AccessLogEntry.application_id == application_id)
            .order_by(AccessLogEntry.seq)
            .limit(limit)
        )
        return [(entry, title) for entry, title in self.session.execute(query).all()]

    def others_reads(self, case_no: str, actor_id: Any, actions: tuple[str, ...], limit: int) -> list[AccessLogEntry]:
        under_case = select(Reading.application_id).where(Reading.case_no == case_no)
        query = (
            select(AccessLogEntry)
            .where(
                AccessLogEntry.application_id.in_(under_case),
                AccessLogEntry.actor_id != actor_id,
                AccessLogEntry.action.in_(actions),
            )
            .order_by(AccessLogEntry.seq.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query).all())

    # -- print jobs ------------------------------------------------------------------------------

    def unfinished_jobs_of(self, user_id: int) -> int:
        waiting = self.session.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.user_id == user_id, PrintJob.status.in_(UNFINISHED))
        )
        return waiting or 0

    def add_job(self, job: PrintJob) -> None:
        self.session.add(job)
        self.session.flush()

    def job(self, job_id: str) -> PrintJob | None:
        return self.session.get(PrintJob, job_id)

    def claimable_jobs(self, now: datetime, limit: int) -> list[str]:
        query = select(PrintJob.id).where(_claimable(now)).order_by(PrintJob.created_at, PrintJob.id).limit(limit)
        return list(self.session.scalars(query).all())

    def _update_job(self, where: Any, **values: Any) -> bool:
        changed = self.session.execute(
            update(PrintJob).where(*where).values(**values).execution_options(synchronize_session=False)
        )
        return affected(changed) == 1

    def claim_job(self, job_id: str, maker: str, now: datetime, lease_until: datetime) -> bool:
        # the conditional update lets exactly one of two claimants win
        return self._update_job(
            (PrintJob.id == job_id, _claimable(now)),
            status=domain.PRINT_RUNNING,
            maker=maker,
            pages_done=0,
            lease_until=lease_until,
        )

    def _still_making(self, job_id: str, maker: str) -> tuple:
        return (PrintJob.id == job_id, PrintJob.maker == maker, PrintJob.status == domain.PRINT_RUNNING)

    def renew_job(self, job_id: str, maker: str, pages_done: int, lease_until: datetime) -> bool:
        return self._update_job(self._still_making(job_id, maker), pages_done=pages_done, lease_until=lease_until)

    def finish_job(self, job_id: str, maker: str, *, status: str, at: datetime, **values: Any) -> bool:
        done = {"pages_done": PrintJob.pages_total} if status == domain.PRINT_DONE else {}
        return self._update_job(
            self._still_making(job_id, maker), status=status, finished_at=at, lease_until=None, **done, **values
        )

    def jobs_to_sweep(self, now: datetime, failed_before: datetime, limit: int) -> list[tuple[str, str | None]]:
        ended = select(Reading.application_id).where(domain.ended_sql(Reading))
        query = (
            select(PrintJob.id, PrintJob.object_key)
            .where(
                or_(
                    domain.lapsed_sql(PrintJob.expires_at, now),
                    PrintJob.application_id.in_(ended),
                    and_(PrintJob.status == domain.PRINT_FAILED, PrintJob.finished_at < failed_before),
                )
            )
            .limit(limit)
        )
        return [(job_id, key) for job_id, key in self.session.execute(query).all()]

    def drop_job(self, job_id: str) -> None:
        self.session.execute(delete(PrintJob).where(PrintJob.id == job_id))

    def job_keys(self, keys: list[str]) -> set[str]:
        return set(self.session.scalars(select(PrintJob.object_key).where(PrintJob.object_key.in_(keys))))
