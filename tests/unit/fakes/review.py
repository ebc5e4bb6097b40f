"""review's repository in memory (``services.review.repository``)."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from services.common.court import clock, reading
from services.common.infra.db import Conflict, RepositoryUnitOfWork
from services.review.models import (
    EndedApplication,
    Message,
    Outbox,
    ReadingRoom,
    ReviewedApplication,
    RoomBooking,
    WorkCalendarYear,
)
from services.review.repository import DueReminder, Position, QueueFilter
from tests.unit.fakes import FakeMessages, FakeUnitOfWork
from tests.unit.fakes.applications import FakeKeys


def _expired(row: ReviewedApplication, today: date) -> bool:
    """``reading.expired_sql`` on a row in hand, by the court's date."""
    far = reading.FAR_FUTURE
    if row.status != "approved":
        return False
    if row.mode == "online":
        return (row.valid_until or far) < today
    return row.mode == "onsite" and (row.end_date or far) < today and not row.attended


def _seen_as(row: ReviewedApplication, status: str, today: date) -> bool:
    """``reading.status_sql``: the status a person sees on ``today``."""
    if status == "expired":
        return _expired(row, today)
    if status == "approved":
        return row.status == "approved" and not _expired(row, today)
    return row.status == status


def _after(instant: datetime, key: str, position: Position | None) -> bool:
    if position is None:
        return True
    at, after_key = clock.as_aware(position[0]), position[1]
    return clock.as_aware(instant) > at or (clock.as_aware(instant) == at and key > after_key)


class FakeReviewRepository(FakeMessages):
    def __init__(self) -> None:
        self.idempotency_keys = FakeKeys()
        self.apps: dict[str, ReviewedApplication] = {}
        self.ends: dict[str, EndedApplication] = {}
        self.messages: dict[int, Message] = {}
        self.rooms: dict[str, ReadingRoom] = {}
        self.bookings: dict[str, RoomBooking] = {}
        self.years: dict[int, WorkCalendarYear] = {}
        self.events: list[tuple[str, dict]] = []
        self.heard: set[str] = set()
        self.turns: list[tuple[object, ...]] = []
        self._ids = itertools.count(1)

    def take_turns(self, *key: object) -> None:
        self.turns.append(key)

    # -- the queue
    def application(self, application_id: str, *, fresh: bool = False) -> ReviewedApplication | None:
        return self.apps.get(application_id)

    def add_application(self, row: ReviewedApplication) -> None:
        self.apps[row.id] = row

    def applicant_phone(self, application_id: str) -> str | None:
        row = self.apps.get(application_id)
        return row.applicant_phone if row else None

    def ended(self, application_id: str) -> EndedApplication | None:
        return self.ends.get(application_id)

    def remember_end(self, end: EndedApplication) -> None:
        self.ends[end.application_id] = end

    def end_if(self, application_id: str, from_statuses: tuple[str, ...], values: dict[str, Any]) -> bool:
        row = self.apps.get(application_id)
        if row is None or row.status not in from_statuses:
            return False
        for name, value in values.items():
            setattr(row, name, value)
        return True

    def decide_pending(self, application_id: str, values: dict[str, Any]) -> ReviewedApplication | None:
        row = self.apps.get(application_id)
        return row if self.end_if(application_id, ("pending",), values) else None

    def _of_court(self, court: str) -> list[ReviewedApplication]:
        return [a for a in self.apps.values() if a.court == court]

    def count_of_court(self, court: str, status: str, today: date, mode: str | None) -> int:
        return sum(1 for a in self._of_court(court) if _seen_as(a, status, today) and (not mode or a.mode == mode))

    def court_applications(
        self, court: str, today: date, chosen: QueueFilter, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        rows = [
            a
            for a in self._of_court(court)
            if (chosen.case_no is None or a.case_no == chosen.case_no)
            and (chosen.applicant is None or chosen.applicant in a.applicant_name)
            and (not chosen.status or _seen_as(a, chosen.status, today))
            and (not chosen.mode or a.mode == chosen.mode)
            and _after(a.applied_at, a.id, after)
        ]
        return sorted(rows, key=lambda a: (clock.as_aware(a.applied_at), a.id))[:limit]

    def _decided(self, court: str, start: datetime, end: datetime) -> list[ReviewedApplication]:
        return [
            a
            for a in self._of_court(court)
            if a.reviewed_at is not None and start <= clock.as_aware(a.reviewed_at) < end
        ]

    def decided_between(
        self, court: str, start: datetime, end: datetime, after: Position | None, limit: int
    ) -> list[ReviewedApplication]:
        rows = [a for a in self._decided(court, start, end) if _after(a.reviewed_at, a.id, after)]
        return sorted(rows, key=lambda a: (clock.as_aware(a.reviewed_at), a.id))[:limit]

    def received_between(self, court: str, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        return [(a.applied_at, a.status) for a in self._of_court(court) if start <= clock.as_aware(a.applied_at) < end]

    def decisions_between(
        self, court: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, str, str | None]]:
        return [(a.applied_at, a.reviewed_at, a.opinion, a.mode) for a in self._decided(court, start, end)]

    def pending_by_court(self) -> list[tuple[str, int, datetime]]:
        courts: dict[str, list[datetime]] = {}
        for a in self.apps.values():
            if a.status == "pending":
                courts.setdefault(a.court, []).append(a.applied_at)
        return [(court, len(times), min(times)) for court, times in courts.items()]

    def by_ids(self, ids: list[str]) -> list[ReviewedApplication]:
        return [self.apps[i] for i in ids if i in self.apps]

    def ended_among(self, ids: list[str]) -> list[EndedApplication]:
        return [self.ends[i] for i in ids if i in self.ends]

    # -- messages
    def add_message(self, **fields: Any) -> bool:
        # the unique (application, kind); as in SQL, messages of no application never clash
        application_id, kind = fields.get("application_id"), fields.get("kind")
        if application_id is not None and any(
            (m.application_id, m.kind) == (application_id, kind) for m in self.messages.values()
        ):
            return False
        message = Message(id=next(self._ids), created_at=clock.utcnow(), **fields)
        self.messages[message.id] = message
        return True

    def message(self, message_id: int) -> Message | None:
        return self.messages.get(message_id)

    def messages_of(self, user_id: Any, before_id: int | None, limit: int) -> list[Message]:
        rows = [m for i, m in self.messages.items() if m.user_id == user_id and (before_id is None or i < before_id)]
        return sorted(rows, key=lambda m: -m.id)[:limit]

    def _told(self, application_id: str, kind: str) -> bool:
        return any((m.application_id, m.kind) == (application_id, kind) for m in self.messages.values())

    def due_expiry_reminders(self, now: datetime, limit: int) -> list[DueReminder]:
        today = now.astimezone(clock.COURT_TZ).date()
        return [
            DueReminder(a.id, a.applicant_id, a.case_no, a.applicant_phone, valid_until=a.valid_until)
            for a in self.apps.values()
            if a.status == "approved"
            and a.mode == "online"
            and a.valid_until == today
            and not self._told(a.id, "expiry_reminder")
        ][:limit]

    def due_booking_reminders(self, day: date, limit: int) -> list[DueReminder]:
        due = []
        for b in self.bookings.values():
            a = self.apps.get(b.application_id)
            if a and b.day == day and a.status == "approved" and not self._told(a.id, f"onsite_reminder:{b.version}"):
                due.append(
                    DueReminder(
                        a.id, a.applicant_id, a.case_no, a.applicant_phone, day=b.day, start=b.start, end=b.end,
                        version=b.version,
                    )
                )  # fmt: skip
        return due[:limit]

    # -- the reading room
    def reading_room(self, court: str) -> ReadingRoom | None:
        return self.rooms.get(court)

    def add_reading_room(self, room: ReadingRoom) -> None:
        if room.court in self.rooms:
            raise Conflict()
        self.rooms[room.court] = room

    def booking(self, application_id: str) -> RoomBooking | None:
        return self.bookings.get(application_id)

    def bookings_of(self, ids: list[str]) -> dict[str, RoomBooking]:
        return {i: self.bookings[i] for i in ids if i in self.bookings}

    def hold_booking(self, booking: RoomBooking) -> None:
        self.bookings[booking.application_id] = booking

    def seats_taken(self, court: str, first: date, last: date) -> dict[tuple[date, str], int]:
        taken: dict[tuple[date, str], int] = {}
        for b in self.bookings.values():
            a = self.apps.get(b.application_id)
            if b.court == court and first <= b.day <= last and a is not None and a.status == "approved":
                taken[(b.day, b.start)] = taken.get((b.day, b.start), 0) + 1
        return taken

    def bookings_on(self, court: str, day: date) -> list[tuple[ReviewedApplication, RoomBooking]]:
        rows = [
            (self.apps[b.application_id], b)
            for b in self.bookings.values()
            if b.court == court and b.day == day and self.apps.get(b.application_id) is not None
            and self.apps[b.application_id].status == "approved"
        ]  # fmt: skip
        return sorted(rows, key=lambda row: (row[1].start, clock.as_aware(row[1].booked_at), row[1].application_id))

    # -- the work calendar
    def calendar_years(self) -> list[WorkCalendarYear]:
        return list(self.years.values())

    def calendar_year(self, year: int) -> WorkCalendarYear | None:
        return self.years.get(year)

    def save_calendar_year(self, row: WorkCalendarYear) -> None:
        self.years[row.year] = row


def fake_unit_of_work() -> FakeUnitOfWork[FakeReviewRepository]:
    return FakeUnitOfWork(FakeReviewRepository())


# What a test reads back, from this fake or from the SQL repository's database alike.


def announced(uow) -> list[tuple[str, dict]]:
    """What the use cases announced, in order (the outbox on SQL)."""
    if not isinstance(uow, RepositoryUnitOfWork):
        return uow.repository.events
    with uow.uow.read() as session:
        return [(r.event_type, json.loads(r.payload)) for r in session.scalars(select(Outbox).order_by(Outbox.id))]


def message_kinds(uow) -> list[str]:
    if not isinstance(uow, RepositoryUnitOfWork):
        return [m.kind for m in uow.repository.messages.values()]
    with uow.uow.read() as session:
        return list(session.scalars(select(Message.kind)))
