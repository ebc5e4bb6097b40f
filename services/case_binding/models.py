"""The case directory (a replica of the court's case management system) and binding
applications (案件绑定申请)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.court.columns import CaseNo, CourtName, LawFirm, LicenseNo, PersonName
from services.common.infra.db import IntPk, OptionalTimestamp, Timestamp
from services.common.infra.messaging import outbox_and_inbox


class Base(DeclarativeBase):
    pass


class Case(Base):
    """A case as the court's feed describes it. ``has_electronic_dossier`` is the feed's
    flag; ``dossier_ingested`` is set when a document reaches the dossier service, so a
    re-import cannot hide an electronic dossier that exists."""

    __tablename__ = "cases"

    id: Mapped[IntPk]
    case_no: Mapped[CaseNo] = mapped_column(unique=True)  # 案号, canonical
    court: Mapped[CourtName] = mapped_column(index=True)  # 承办法院
    cause: Mapped[str] = mapped_column(String(200))  # 案由
    status: Mapped[str] = mapped_column(String(16))  # in_trial 审理中 / archived 已归档
    has_electronic_dossier: Mapped[bool] = mapped_column(Boolean)
    dossier_ingested: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[Timestamp]


class CaseParty(Base):
    """A party (当事人) of a case: a person, matched against a reader's verified name and ID
    number, or an organisation (单位), identified by its credit code and never matched by
    itself; a reader whose verified name and ID number are its representative's is a party."""

    __tablename__ = "case_parties"
    __table_args__ = (
        Index("ix_case_parties_person", "id_number", "name"),
        Index("ix_case_parties_representative", "representative_id_number", "representative_name"),
        CheckConstraint("(id_number IS NULL) <> (credit_code IS NULL)", name="ck_case_parties_person_or_organisation"),
    )

    id: Mapped[IntPk]
    case_no: Mapped[CaseNo] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)  # a person's
    side: Mapped[str] = mapped_column(String(50))  # 原告, 被告, 第三人, ...
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)  # 统一社会信用代码
    representative_name: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 法定代表人
    representative_id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)


class CaseLawyer(Base):
    """A lawyer of record (代理律师) as the feed lists them, matched on license number."""

    __tablename__ = "case_lawyers"

    id: Mapped[IntPk]
    case_no: Mapped[CaseNo] = mapped_column(index=True)
    name: Mapped[PersonName]
    license_no: Mapped[LicenseNo] = mapped_column(index=True)
    party_name: Mapped[str] = mapped_column(String(100))


class Binding(Base):
    """A lawyer's application to bind to a case (案件绑定申请), decided by a clerk of the
    case's court. One pending application per lawyer and case, enforced by the database."""

    __tablename__ = "bindings"
    __table_args__ = (
        Index(
            "ux_bindings_one_pending",
            "lawyer_id",
            "case_no",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_bindings_queue", "court", "status", "id"),
        Index("ix_bindings_lawyer", "lawyer_id", "status", "id"),
    )

    id: Mapped[IntPk]
    case_no: Mapped[CaseNo] = mapped_column(index=True)
    court: Mapped[CourtName]
    lawyer_id: Mapped[int] = mapped_column(Integer)
    lawyer_name: Mapped[PersonName]
    # the lawyer's verified number at application, only to text them the decision
    lawyer_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    license_no: Mapped[LicenseNo | None]
    law_firm: Mapped[LawFirm | None]
    party_name: Mapped[str] = mapped_column(String(100))
    materials: Mapped[str] = mapped_column(Text)  # JSON [{id, kind, filename}] from applications
    status: Mapped[str] = mapped_column(String(16))  # pending / approved / rejected / revoked
    applied_at: Mapped[Timestamp]
    decided_at: Mapped[OptionalTimestamp]
    decided_by: Mapped[PersonName | None]
    # the decision's explanation; once revoked (撤销绑定), the revocation's, which the lawyer reads
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    revoked_at: Mapped[OptionalTimestamp]
    revoked_by: Mapped[PersonName | None]


class Claim(Base):
    """A reader's claim to a case (claim_relation, asked when they apply): the relation they
    held and the verified fields it was matched on. When the feed or a revoked binding ends
    that relation, the claim goes and ``representation_ended`` tells the other services."""

    __tablename__ = "claims"
    __table_args__ = (Index("ux_claims_user_case", "user_id", "case_no", unique=True),)

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(Integer)
    case_no: Mapped[CaseNo] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(16))  # party / lawyer
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    license_no: Mapped[LicenseNo | None]
    relation: Mapped[str] = mapped_column(String(32))  # party / lawyer_of_record / lawyer_bound
    claimed_at: Mapped[Timestamp]


Outbox, Inbox = outbox_and_inbox(Base)
