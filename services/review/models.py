"""Review's own tables: its copy of each submitted application with the decision taken on
it, the messages (站内信), and the outbox/inbox of its events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.court.columns import CaseNo, CourtName, LawFirm, LicenseNo, PersonName
from services.common.court.reading import ArrangementColumns
from services.common.infra.db import IntPk, OptionalTimestamp, Timestamp
from services.common.infra.idempotency import idempotency_keys
from services.common.infra.ids import ApplicationId
from services.common.infra.messaging import outbox_and_inbox


class Base(DeclarativeBase):
    pass


class ReviewedApplication(ArrangementColumns, Base):
    """A reading application (阅卷申请) as review knows it: what the submitted event said,
    plus the review (审查信息) and the reading arrangement (阅卷材料)."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_review_applications_queue", "court", "status", "applied_at"),
        Index("ix_review_applications_court_order", "court", "applied_at", "id"),  # the 全部 tab
    )

    id: Mapped[ApplicationId] = mapped_column(String(64), primary_key=True)
    applicant_id: Mapped[int] = mapped_column(Integer, index=True)
    applicant_name: Mapped[PersonName]
    applicant_role: Mapped[str] = mapped_column(String(16))
    applicant_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # who the applicant is to the case (case_binding's answer at submission), for the clerk
    applicant_relation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    applicant_license_no: Mapped[LicenseNo | None]
    applicant_law_firm: Mapped[LawFirm | None]
    acts_for: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the party a lawyer acts for
    case_no: Mapped[CaseNo]
    court: Mapped[CourtName]
    scope: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    materials: Mapped[str] = mapped_column(Text)  # JSON list of {id, kind, filename}
    applied_at: Mapped[Timestamp]
    received_at: Mapped[Timestamp]
    status: Mapped[str] = mapped_column(String(16))  # pending|approved|rejected|returned|withdrawn
    opinion: Mapped[str | None] = mapped_column(String(16), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(8), nullable=True)
    explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewer: Mapped[PersonName | None]
    reviewer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewed_at: Mapped[OptionalTimestamp]
    # 阅卷材料 and 已终止: reading.ArrangementColumns
    # 重新申请 or 补正: the application this one was made from, as applications announced it
    reapplied_from: Mapped[ApplicationId | None] = mapped_column(String(64), nullable=True)


class EndedApplication(Base):
    """A withdrawal or revocation heard before the application itself: events travel in
    separate queues, so the end of an application may overtake its submission. Kept so
    the submission, when it comes, joins the queue already ended, never pending."""

    __tablename__ = "ended_applications"

    application_id: Mapped[ApplicationId] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # withdrawn | revoked
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[Timestamp]


class ReadingRoom(Base):
    """A court's reading room (阅卷室) as its archivist set it: slots with their seats,
    closed and open days (JSON, as ``domain.room_shape`` writes it). A court without a row
    has ``domain.DEFAULT_ROOM``."""

    __tablename__ = "reading_rooms"

    court: Mapped[CourtName] = mapped_column(primary_key=True)
    config: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[Timestamp]
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RoomBooking(Base):
    """An on-site reader's booked slot (预约到场), one per application: a new booking
    replaces it and counts ``version`` up, so each booking has its own notice and its
    own reminder the day before (messages ``onsite_booked:<version>``,
    ``onsite_reminder:<version>``) and applications keeps only the newest it hears of."""

    __tablename__ = "room_bookings"
    __table_args__ = (Index("ix_review_room_bookings_slot", "court", "day", "start"),)

    application_id: Mapped[ApplicationId] = mapped_column(String(64), primary_key=True)
    court: Mapped[CourtName]
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(Integer)
    booked_at: Mapped[Timestamp]


class Message(Base):
    """A notification in the applicant's inbox (站内信). One per (application, kind): a
    second send of the same notice, by a redelivered event or another replica's sweep,
    hits the unique constraint and changes nothing."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("application_id", "kind", name="uq_messages_application_kind"),)

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    application_id: Mapped[ApplicationId | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # decision | expiry_reminder | onsite_booked:<n> | ...
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp]
    read_at: Mapped[OptionalTimestamp]


class WorkCalendarYear(Base):
    """One year's public holidays and 调休 working days, as an admin uploaded them: the
    review's time limits count working days by them (services.review.calendar)."""

    __tablename__ = "work_calendar"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(Text)  # JSON list of YYYY-MM-DD
    workdays: Mapped[str] = mapped_column(Text)  # JSON list of YYYY-MM-DD: weekend days worked
    updated_at: Mapped[Timestamp]
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


Outbox, Inbox = outbox_and_inbox(Base)
IdempotencyKey = idempotency_keys(Base)
