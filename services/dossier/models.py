from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, Sequence, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.court.columns import CaseNo, CourtName, PersonName
from services.common.infra.db import IntPk, OptionalTimestamp, Timestamp
from services.common.infra.idempotency import idempotency_keys
from services.common.infra.ids import ApplicationId
from services.common.infra.messaging import outbox_and_inbox


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One document of a case's electronic dossier (电子卷宗); the PDF is in object storage."""

    __tablename__ = "documents"
    # one document per stored original: a redelivered ingestion finds the first (0002)
    __table_args__ = (Index("ix_documents_object_key", "object_key", unique=True),)

    id: Mapped[IntPk]
    case_no: Mapped[CaseNo] = mapped_column(index=True)
    court: Mapped[CourtName | None]  # whose staff may preview it
    volume: Mapped[str] = mapped_column(String(50))  # 卷: 正卷, 副卷 (正卷（一）, ...)
    title: Mapped[str] = mapped_column(String(200))
    object_key: Mapped[str] = mapped_column(String(255))
    page_count: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp]


class Reading(Base):
    """The replica of an application (阅卷申请) as far as reading goes, fed by events: who
    owns it, its case, and the review's outcome (the reading grant)."""

    __tablename__ = "readings"

    application_id: Mapped[ApplicationId] = mapped_column(String(64), primary_key=True)
    applicant_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    applicant_name: Mapped[PersonName | None]
    case_no: Mapped[CaseNo | None] = mapped_column(index=True)
    court: Mapped[CourtName | None]  # whose clerks may audit
    opinion: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The grant's reach: a JSON list of document ids (NULL: the whole 正卷), and 允许打印.
    documents: Mapped[str | None] = mapped_column(Text, nullable=True)
    print_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    # 已终止: the reader's relation to the case ended; nothing can be read any more, and a
    # decision heard after this never brings reading back.
    revoked_at: Mapped[OptionalTimestamp]
    # 已撤回: the applicant withdrew it; a decision heard later (review may have decided
    # before it heard the withdrawal) grants nothing.
    withdrawn_at: Mapped[OptionalTimestamp]
    updated_at: Mapped[Timestamp]


class Link(Base):
    """A 复制链接 address. Only the token's SHA-256 is kept."""

    __tablename__ = "links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    application_id: Mapped[ApplicationId] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
    expires_at: Mapped[Timestamp] = mapped_column(index=True)  # housekeeping purges by it


# The log's global order (the cursors of its pages, the 序号 of the 阅卷记录): a sequence on
# PostgreSQL, which hands out numbers without a lock anyone waits on; on SQLite the integer
# primary key (its single writer numbers entries one after another anyway).
ACCESS_LOG_SEQ = Sequence("access_log_seq")
LEGACY_LANE = ""  # the single chain entries formed before lanes, and entries naming no case


class AccessLogEntry(Base):
    """The access log (阅卷记录), in lanes: each entry's hash covers the hash of the entry
    before it in its lane (the case it names), so the readers of different cases append
    side by side. A reader's entry names the application read under; a staff member's
    preview has none and names the case instead."""

    __tablename__ = "access_log"
    # a page of the log is the newest entries under one application or one case; the
    # check walks each lane in order
    __table_args__ = (
        Index("ix_access_log_application_seq", "application_id", "seq"),
        Index("ix_access_log_case_seq", "case_no", "seq"),
        Index("ix_access_log_lane_seq", "lane", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, ACCESS_LOG_SEQ, primary_key=True)
    at: Mapped[Timestamp]
    application_id: Mapped[ApplicationId | None] = mapped_column(String(64), nullable=True)
    case_no: Mapped[CaseNo | None]
    actor_id: Mapped[int] = mapped_column(Integer)
    actor_name: Mapped[PersonName]
    actor_role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lane: Mapped[str] = mapped_column(String(64), default=LEGACY_LANE, server_default=LEGACY_LANE)
    # its number in the lane (1, 2, ...); None on the entries of the single chain, whose
    # number in it is their seq
    lane_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AccessLogHead(Base):
    """A lane's tip, one row per lane: appending to a case locks its row only, so the
    entries of one case form one line, and a truncated tail shows as a head that no entry
    matches."""

    __tablename__ = "access_log_heads"

    lane: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # of its last entry; 0 before the first
    lane_seq: Mapped[int] = mapped_column(Integer, default=0)  # its last entry's number in the lane
    hash: Mapped[str] = mapped_column(String(64))
    # the lane's first entry whose hash is keyed (HMAC with ACCESS_LOG_KEY, which the
    # database does not hold); the entries before it were written before the log was keyed
    keyed_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the seq of this head when it was last exported to object storage: the export writes
    # the heads that moved since
    exported_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PrintJob(Base):
    """打印 of several documents at once: one stamped PDF made in the background, in the
    dossier's order. It is made by whichever dossier process claims it (``lease_until``
    lets another take over from one that died) and kept no longer than the grant."""

    __tablename__ = "print_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: the URL says nothing of others
    application_id: Mapped[ApplicationId] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    # the document ids in the dossier's order, and the stamp as it was when asked (JSON lists)
    documents: Mapped[str] = mapped_column(Text)
    stamp: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | failed
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    maker: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the process making it now
    lease_until: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]
    finished_at: Mapped[OptionalTimestamp]
    expires_at: Mapped[Timestamp] = mapped_column(index=True)  # the grant's end


Outbox, Inbox = outbox_and_inbox(Base)
IdempotencyKey = idempotency_keys(Base)
