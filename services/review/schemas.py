"""Wire shapes of review: primitives only (API.md's application object, messages)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import Field

from services.applications.schemas import DATE_TIME
from services.common import clock, reading
from services.common.reading import effective_status
from services.common.wire import Answer
from services.review.models import Message, ReviewedApplication, RoomBooking


class InboxMessage(Answer):
    """站内信."""

    example: ClassVar = {
        "id": 5,
        "at": "2026-05-18T10:00:00+08:00",
        "title": "阅卷申请已通过",
        "body": "您的阅卷申请（（2021）粤01民初1号）已通过，可在线阅卷至 2026-06-02。",
        "application_id": 12,
        "read": False,
    }
    id: int
    at: str = Field(json_schema_extra=DATE_TIME)
    title: str
    body: str
    application_id: int | str | None
    read: bool


class InboxPage(Answer):
    items: list[InboxMessage]
    next_cursor: str | None


def wire_id(value: str | None) -> int | str | None:
    """Application ids travel as applications issued them: integers stay integers."""
    if value is None:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else value


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _instant(value: datetime | None) -> str | None:
    return clock.isoformat(clock.as_aware(value))


def review(row: ReviewedApplication) -> dict[str, Any] | None:
    """审查信息."""
    if row.opinion is None:
        return None
    return {
        "reviewer": row.reviewer,
        "reviewed_at": _instant(row.reviewed_at),
        "opinion": row.opinion,
        "explanation": row.explanation,
        "mode": row.mode,
    }


def booked(booking: RoomBooking | None) -> dict[str, str] | None:
    """预约到场: ``{date, start, end}`` of the reader's booked slot, or None."""
    return reading.booking(booking.day, booking.start, booking.end) if booking is not None else None


def application(row: ReviewedApplication, now: datetime, booking: RoomBooking | None = None) -> dict[str, Any]:
    """The application object of API.md, status computed at ``now`` (expired on read)."""
    arrangement = reading.arrangement(row, booked(booking))
    return {
        "id": wire_id(row.id),
        "status": effective_status(row.status, arrangement, now),
        "case_no": row.case_no,
        "court": row.court,
        "applicant": reading.applicant(row),
        "applied_at": _instant(row.applied_at),
        "scope": row.scope,
        "reason": row.reason,
        "materials": json.loads(row.materials),
        "review": review(row),
        "reading": arrangement,
        "revocation": reading.revocation(row),
    }


def queue_item(row: ReviewedApplication, now: datetime, booking: RoomBooking | None = None) -> dict[str, Any]:
    """A staff queue line: the application plus how long it has waited, and where each
    material opens."""
    data = application(row, now, booking)
    data["materials"] = [dict(m, url=f"/api/v1/uploads/{m['id']}") for m in data["materials"]]
    applied = clock.as_aware(row.applied_at)
    data["waited_seconds"] = max(0, int((now - applied).total_seconds())) if row.status == "pending" else None
    return data


def message(row: Message) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": _instant(row.created_at),
        "title": row.title,
        "body": row.body,
        "application_id": wire_id(row.application_id),
        "read": row.read_at is not None,
    }


def decided_event(row: ReviewedApplication) -> dict[str, Any]:
    """``application_decided`` as docs/contracts.md fixes it."""
    payload: dict[str, Any] = {
        "application_id": wire_id(row.id),
        "applicant_id": row.applicant_id,
        "case_no": row.case_no,
        "court": row.court,
        "opinion": row.opinion,
        "mode": row.mode,
        "explanation": row.explanation,
        "reviewer": row.reviewer,
        "reviewed_at": _instant(row.reviewed_at),
    }
    if row.mode == "online":
        payload["valid_until"] = _day(row.valid_until)
        chosen = reading.granted_documents(row.granted_documents)
        payload["documents"] = [d["id"] for d in chosen] if chosen is not None else None
        payload["document_titles"] = [d["title"] for d in chosen] if chosen is not None else None
        payload["print"] = row.print_allowed is not False
    elif row.mode == "onsite":
        payload.update(start_date=_day(row.start_date), end_date=_day(row.end_date), notice=row.notice)
    return payload


def attendance_event(row: ReviewedApplication) -> dict[str, Any]:
    """``recorded_at`` (to the microsecond) orders corrections: a consumer keeps the newest."""
    return {
        "application_id": wire_id(row.id),
        "recorded_at": clock.as_aware(clock.utcnow()).isoformat(),
        "attended": row.attended,
        "borrowed_at": _instant(row.borrowed_at),
        "returned_at": _instant(row.returned_at),
    }


def booking_event(row: ReviewedApplication, booking: RoomBooking) -> dict[str, Any]:
    """``onsite_booked``: ``version`` orders rebookings (a consumer keeps the highest)."""
    return {
        "application_id": wire_id(row.id),
        "applicant_id": row.applicant_id,
        "case_no": row.case_no,
        "court": row.court,
        "date": booking.day.isoformat(),
        "start": booking.start,
        "end": booking.end,
        "version": booking.version,
        "booked_at": _instant(booking.booked_at),
    }


def room_booking(row: ReviewedApplication, booking: RoomBooking, now: datetime) -> dict[str, Any]:
    """A line of the archivist's day list (今日到场): who comes when, and what was recorded."""
    return {
        "application_id": wire_id(row.id),
        "applicant": {"name": row.applicant_name, "role": row.applicant_role},
        "case_no": row.case_no,
        "date": booking.day.isoformat(),
        "start": booking.start,
        "end": booking.end,
        "attended": row.attended,
        "borrowed_at": _instant(row.borrowed_at),
        "returned_at": _instant(row.returned_at),
        "status": effective_status(row.status, reading.arrangement(row), now),
        "start_date": _day(row.start_date),
        "end_date": _day(row.end_date),
    }
