"""review's persistence: its copy of the applications (the queue), decisions, messages
(站内信), the reading room and its bookings, and the work calendar, as the use cases and
the exports ask for them. ``ReviewRepository`` is what they may ask; ``SqlRepository``
answers it from the service's own database (SQLite or PostgreSQL), the unit tests' fake
from memory (tests/unit/fakes/review.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Select, String, and_, cast, func, literal, select, update

from services.common.court import clock, reading
from services.common.infra import idempotency, paging
from services.common.infra.db import Conflict, RepositoryUnitOfWork, UnitOfWork, UnitOfWorkOf, add_unique, affected
from services.common.infra.ids import ApplicationId
from services.common.infra.messaging import Messages, ServiceSqlRepository
from services.review.models import (
    EndedApplication,
    IdempotencyKey,
    Inbox,
    Message,
    Outbox,
    ReadingRoom,
    ReviewedApplication,
    RoomBooking,
    WorkCalendarYear,
)

Position = tuple[datetime, str]  # (instant, application id) of a list ordered by time (paging.position_after)


@dataclass(frozen=True)
class QueueFilter:
    """What the console's filters choose, already checked: a status as people see it, a
    mode, a whole canonical case number, a part of the applicant's name."""

    status: str | None = None
    mode: str | None = None
    case_no: str | None = None
    applicant: str | None = None


@dataclass(frozen=True)
class DueReminder:
    """A reader to remind of an online approval's last day, or of a booked slot tomorrow."""

    application_id: ApplicationId
    user_id: int
    case_no: str
    phone: str | None
    valid_until: date | None = None
    day: date | None = None
    start: str | None = None
    end: str | None = None
    version: int | None = None


class ReviewRepository(Messages, Protocol):
    idempotency_keys: idempotency.Keys

    def take_turns(self, *key: object) -> None:
        """Hold ``key`` until the transaction ends: workers weighing the same thing take turns."""

    # -- the queue (review's copy of the applications)
    def application(self, application_id: ApplicationId, *, fresh: bool = False) -> ReviewedApplication | None:
        """``fresh``: read again from the database, not the copy this transaction holds."""

    def add_application(self, row: ReviewedApplication) -> None: ...
    def applicant_phone(self, application_id: ApplicationId) -> str | None: ...
    def ended(self, application_id: ApplicationId) -> EndedApplication | None: ...
    def remember_end(self, end: EndedApplication) -> None: ...
    def end_if(self, application_id: ApplicationId, from_statuses: tuple[str, ...], values: dict[str, Any]) -> bool:
        """Write the end if the application is in one of ``from_statuses``."""

    def decide_pending(self, application_id: ApplicationId, values: dict[str, Any]) -> ReviewedApplication | None:
        """The decision written if still pending (as the transaction's first statement), or
        None when another clerk decided first."""

    def count_of_court(self, court: str, status: str, today: date, mode: str | None) -> int: ...
    def court_applications(
        self, court: str, today: date, chosen: QueueFilter, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        """Oldest first (the longest wait at the top)."""

    def decided_between(
        self, court: str, start: datetime, end: datetime, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        """Decisions made in [start, end), in the order they were made."""

    def received_between(self, court: str, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """(applied_at, status) of the applications received in [start, end)."""

    def decisions_between(
        self, court: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, str, str | None]]:
        """(applied_at, reviewed_at, opinion, mode) of the decisions made in [start, end)."""

    def pending_by_court(self) -> list[tuple[str, int, datetime]]: ...
    def by_ids(self, ids: list[str]) -> list[ReviewedApplication]: ...
    def ended_among(self, ids: list[str]) -> list[EndedApplication]: ...

    # -- messages (站内信)
    def add_message(self, **fields: Any) -> bool:
        """False when the (application, kind) already has its message: a second sender."""

    def message(self, message_id: int) -> Message | None: ...
    def messages_of(self, user_id: Any, before_id: int | None, limit: int) -> list[Message]: ...
    def due_expiry_reminders(self, now: datetime, limit: int) -> list[DueReminder]: ...
    def due_booking_reminders(self, day: date, limit: int) -> list[DueReminder]: ...

    # -- the reading room
    def reading_room(self, court: str) -> ReadingRoom | None: ...
    def add_reading_room(self, room: ReadingRoom) -> None:
        """Raises ``Conflict`` when another first setting of the court's room came first."""

    def booking(self, application_id: ApplicationId) -> RoomBooking | None: ...
    def bookings_of(self, ids: list[str]) -> dict[str, RoomBooking]: ...
    def hold_booking(self, booking: RoomBooking) -> None:
        """Write the booking now, before anything is counted."""

    def seats_taken(self, court: str, first: date, last: date) -> dict[tuple[date, str], int]:
        """Seats taken per (day, slot start) by bookings of applications still approved."""

    def bookings_on(self, court: str, day: date) -> list[tuple[ReviewedApplication, RoomBooking]]:
        """That day's bookings of applications still approved, by slot and booking time."""

    # -- the work calendar
    def calendar_years(self) -> list[WorkCalendarYear]: ...
    def calendar_year(self, year: int) -> WorkCalendarYear | None: ...
    def save_calendar_year(self, row: WorkCalendarYear) -> None: ...


ReviewWork = UnitOfWorkOf[ReviewRepository]


def unit_of_work(uow: UnitOfWork) -> RepositoryUnitOfWork[ReviewRepository]:
    return RepositoryUnitOfWork(uow, SqlRepository)


A, B = ReviewedApplication, RoomBooking


class SqlRepository(ServiceSqlRepository, outbox=Outbox, inbox=Inbox, keys=IdempotencyKey):
    # -- the queue ---------------------------------------------------------------------------

    def application(self, application_id: ApplicationId, *, fresh: bool = False) -> ReviewedApplication | None:
        return self.session.get(A, application_id, populate_existing=fresh)

    def add_application(self, row: ReviewedApplication) -> None:
        self.session.add(row)

    def applicant_phone(self, application_id: ApplicationId) -> str | None:
        return self.session.scalar(select(A.applicant_phone).where(A.id == application_id))

    def ended(self, application_id: ApplicationId) -> EndedApplication | None:
        return self.session.get(EndedApplication, application_id)

    def remember_end(self, end: EndedApplication) -> None:
        self.session.add(end)

    def end_if(self, application_id: ApplicationId, from_statuses: tuple[str, ...], values: dict[str, Any]) -> bool:
        result = self.session.execute(
            update(A)
            .where(A.id == application_id, A.status.in_(from_statuses))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return affected(result) == 1

    def decide_pending(self, application_id: ApplicationId, values: dict[str, Any]) -> ReviewedApplication | None:
        # The first statement of the transaction is the write, so SQLite waits for the
        # lock instead of failing a stale snapshot; PostgreSQL re-checks the WHERE after
        # the other clerk's commit. Either way the loser updates nothing.
        result = self.session.execute(
            update(A)
            .where(A.id == application_id, A.status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if affected(result) != 1:
            return None
        return self.session.get(A, application_id, populate_existing=True)

    def count_of_court(self, court: str, status: str, today: date, mode: str | None) -> int:
        query = select(func.count()).select_from(A).where(A.court == court, reading.status_sql(A, status, today))
        if mode:
            query = query.where(A.mode == mode)
        return self.session.scalar(query) or 0

    def _chosen(self, court: str, today: date, chosen: QueueFilter) -> Select:
        query = select(A).where(A.court == court)
        if chosen.case_no is not None:
            query = query.where(A.case_no == chosen.case_no)
        if chosen.applicant is not None:
            query = query.where(A.applicant_name.contains(chosen.applicant, autoescape=True))
        if chosen.status:
            query = query.where(reading.status_sql(A, chosen.status, today))
        if chosen.mode:
            query = query.where(A.mode == chosen.mode)
        return query

    def court_applications(
        self, court: str, today: date, chosen: QueueFilter, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        query = self._chosen(court, today, chosen)
        if after is not None:
            query = query.where(paging.keyset_after(A.applied_at, A.id, after))
        return list(self.session.scalars(query.order_by(A.applied_at, A.id).limit(limit)))

    def decided_between(
        self, court: str, start: datetime, end: datetime, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        query = select(A).where(
            A.court == court, A.reviewed_at.is_not(None), A.reviewed_at >= start, A.reviewed_at < end
        )
        if after is not None:
            query = query.where(paging.keyset_after(A.reviewed_at, A.id, after))
        return list(self.session.scalars(query.order_by(A.reviewed_at, A.id).limit(limit)))

    def received_between(self, court: str, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        query = select(A.applied_at, A.status).where(A.court == court, A.applied_at >= start, A.applied_at < end)
        return [tuple(row) for row in self.session.execute(query)]

    def decisions_between(
        self, court: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, str, str | None]]:
        query = select(A.applied_at, A.reviewed_at, A.opinion, A.mode).where(
            A.court == court, A.reviewed_at.is_not(None), A.reviewed_at >= start, A.reviewed_at < end
        )
        return [tuple(row) for row in self.session.execute(query)]

    def pending_by_court(self) -> list[tuple[str, int, datetime]]:
        query = select(A.court, func.count(), func.min(A.applied_at)).where(A.status == "pending").group_by(A.court)
        return [tuple(row) for row in self.session.execute(query)]

    def by_ids(self, ids: list[str]) -> list[ReviewedApplication]:
        return list(self.session.scalars(select(A).where(A.id.in_(ids))))

    def ended_among(self, ids: list[str]) -> list[EndedApplication]:
        return list(self.session.scalars(select(EndedApplication).where(EndedApplication.application_id.in_(ids))))

    # -- messages ----------------------------------------------------------------------------

    def add_message(self, **fields: Any) -> bool:
        """Insert one message unless its (application, kind) exists: a second sender, by a
        redelivery or another replica's sweep, is a no-op (a savepoint keeps the rest)."""
        try:
            add_unique(self.session, Message(created_at=clock.utcnow(), **fields), savepoint=True)
        except Conflict:
            return False
        return True

    def message(self, message_id: int) -> Message | None:
        return self.session.get(Message, message_id)

    def messages_of(self, user_id: Any, before_id: int | None, limit: int) -> list[Message]:
        query = select(Message).where(Message.user_id == user_id)
        if before_id is not None:
            query = query.where(Message.id < before_id)
        return list(self.session.scalars(query.order_by(Message.id.desc()).limit(limit)))

    def due_expiry_reminders(self, now: datetime, limit: int) -> list[DueReminder]:
        """Online approvals in their last day (``reading.reminder_due_sql``) not yet reminded."""
        rows = self.session.execute(
            select(A.id, A.applicant_id, A.case_no, A.valid_until, A.applicant_phone)
            .outerjoin(Message, and_(Message.application_id == A.id, Message.kind == "expiry_reminder"))
            .where(reading.reminder_due_sql(A, now), Message.id.is_(None))
            .limit(limit)
        )
        return [
            DueReminder(app_id, user_id, case_no, phone, valid_until=valid_until)
            for app_id, user_id, case_no, valid_until, phone in rows
        ]

    def due_booking_reminders(self, day: date, limit: int) -> list[DueReminder]:
        """Bookings of ``day`` of applications still approved whose version has no reminder."""
        kind = literal("onsite_reminder:") + cast(B.version, String)
        rows = self.session.execute(
            select(A.id, A.applicant_id, A.case_no, A.applicant_phone, B.day, B.start, B.end, B.version)
            .join(B, B.application_id == A.id)
            .outerjoin(Message, and_(Message.application_id == A.id, Message.kind == kind))
            .where(B.day == day, A.status == "approved", Message.id.is_(None))
            .limit(limit)
        )
        return [
            DueReminder(app_id, user_id, case_no, phone, day=booked, start=start, end=end, version=version)
            for app_id, user_id, case_no, phone, booked, start, end, version in rows
        ]

    # -- the reading room --------------------------------------------------------------------

    def reading_room(self, court: str) -> ReadingRoom | None:
        return self.session.get(ReadingRoom, court)

    def add_reading_room(self, room: ReadingRoom) -> None:
        add_unique(self.session, room)  # two first settings at once

    def booking(self, application_id: ApplicationId) -> RoomBooking | None:
        return self.session.get(B, application_id)

    def bookings_of(self, ids: list[str]) -> dict[str, RoomBooking]:
        if not ids:
            return {}
        return {b.application_id: b for b in self.session.scalars(select(B).where(B.application_id.in_(ids)))}

    def hold_booking(self, booking: RoomBooking) -> None:
        # the write first: SQLite's single writer makes the seats counted next see every
        # committed booking, and the ones in flight wait
        self.session.add(booking)
        self.session.flush()

    def seats_taken(self, court: str, first: date, last: date) -> dict[tuple[date, str], int]:
        rows = self.session.execute(
            select(B.day, B.start, func.count())
            .join(A, A.id == B.application_id)
            .where(B.court == court, B.day >= first, B.day <= last, A.status == "approved")
            .group_by(B.day, B.start)
        )
        return {(day, start): count for day, start, count in rows}

    def bookings_on(self, court: str, day: date) -> list[tuple[ReviewedApplication, RoomBooking]]:
        rows = self.session.execute(
            select(A, B)
            .join(B, B.application_id == A.id)
            .where(B.court == court, B.day == day, A.status == "approved")
            .order_by(B.start, B.booked_at, B.application_id)
        )
        return [(app, booking) for app, booking in rows]

    # -- the work calendar -------------------------------------------------------------------

    def calendar_years(self) -> list[WorkCalendarYear]:
        return list(self.session.scalars(select(WorkCalendarYear)))

    def calendar_year(self, year: int) -> WorkCalendarYear | None:
        return self.session.get(WorkCalendarYear, year)

    def save_calendar_year(self, row: WorkCalendarYear) -> None:
        self.session.add(row)
