from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.court.columns import CaseNo, CourtName, LawFirm, LicenseNo, PersonName
from services.common.court.reading import ArrangementColumns
from services.common.infra.db import IntPk, OptionalTimestamp, Timestamp
from services.common.infra.idempotency import idempotency_keys
from services.common.infra.messaging import outbox_and_inbox


class Base(DeclarativeBase):
    pass


class Material(Base):
    """An uploaded file (申请材料). The bytes live in object storage under ``key``."""

    __tablename__ = "materials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[Timestamp] = mapped_column(index=True)  # housekeeping purges by it


class DiscardedObject(Base):
    """An object in storage whose material row housekeeping deleted, waiting to be deleted
    from storage too. Written in the transaction that deletes the row, and removed only
    once the object is gone: no row ever names a missing object, and a crash between the
    two leaves work to finish rather than an object nobody knows of."""

    __tablename__ = "discarded_objects"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    discarded_at: Mapped[Timestamp]


class MaterialGrant(Base):
    """The clerks of ``court`` may open this material (a binding application uses it)."""

    __tablename__ = "material_grants"

    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"), primary_key=True)
    court: Mapped[CourtName] = mapped_column(primary_key=True)


class Application(ArrangementColumns, Base):
    """A dossier-reading application (阅卷申请), with the review and reading it received."""

    __tablename__ = "applications"
    # a reader's own list, newest first, pages without a sort (0001_applications)
    __table_args__ = (Index("ix_applications_applicant_applied", "applicant_id", "applied_at", "id"),)

    id: Mapped[IntPk]
    applicant_id: Mapped[int] = mapped_column(Integer, index=True)
    applicant_name: Mapped[PersonName]
    applicant_role: Mapped[str] = mapped_column(String(16))
    case_no: Mapped[CaseNo]
    court: Mapped[CourtName] = mapped_column(index=True)
    # who the applicant is to the case (case_binding's answer at submission), for the clerk
    applicant_relation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    applicant_license_no: Mapped[LicenseNo | None]
    applicant_law_firm: Mapped[LawFirm | None]
    acts_for: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the party a lawyer acts for
    scope: Mapped[str] = mapped_column(String(500))  # 申请内容
    reason: Mapped[str] = mapped_column(String(1000))  # 申请原因
    # The stored status; ``expired`` is never stored, it is computed on read from the dates.
    status: Mapped[str] = mapped_column(String(16), index=True)
    # "<applicant>:<case>" while pending, NULL otherwise: a unique column that allows one
    # pending application per applicant and case on every database.
    pending_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    applied_at: Mapped[Timestamp]
    reapplied_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # 审查信息
    reviewer: Mapped[PersonName | None]
    reviewed_at: Mapped[OptionalTimestamp]
    opinion: Mapped[str | None] = mapped_column(String(16), nullable=True)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # 阅卷材料 and 已终止: reading.ArrangementColumns
    # when review recorded the attendance shown: an older record heard later is ignored
    attendance_recorded_at: Mapped[OptionalTimestamp]
    # 预约到场: the on-site reader's booked slot as review last announced it; ``booking_version``
    # orders rebookings, so an older announcement heard later never undoes a newer one
    booking_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    booking_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    booking_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    booking_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RepresentationEnd(Base):
    """The last time case_binding announced that this reader's relation to this case
    ended. Kept because the announcement may come between case_binding's answer to a
    submission and the submission's commit: an answer claimed before the end is stale."""

    __tablename__ = "representation_ends"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[CaseNo] = mapped_column(primary_key=True)
    ended_at: Mapped[Timestamp]


class ApplicationMaterial(Base):
    __tablename__ = "application_materials"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)


Outbox, Inbox = outbox_and_inbox(Base)
IdempotencyKey = idempotency_keys(Base)
