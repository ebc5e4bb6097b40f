"""When an approved reading (阅卷) ends: one rule for every service that shows a status.

An online approval is readable to the end of ``valid_until`` in the court's zone; an
on-site one lasts to the end of ``end_date`` unless the reader attended. From the first
instant after that the application reads ``expired``: computed on read from the clock,
so the answer is right at 23:59 and at 00:01 without waiting for a sweep.

The same rule is written here twice, once for rows in hand (:func:`is_expired`) and once
as SQL for lists filtered and counted by status (:func:`expired_sql`), over any table with
the decision's columns (status, mode, valid_until, end_date, attended); a unit test holds
the two to the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Boolean, Date, Text, and_, func, not_, or_
from sqlalchemy.orm import Mapped, mapped_column

from services.common.court import clock
from services.common.infra.db import OptionalTimestamp

if TYPE_CHECKING:  # the wire's shapes are built on these rules (services.common.infra.shapes)
    from services.common.infra.shapes import (
        ApplicantJson,
        BookingJson,
        OnlineReadingJson,
        OnsiteReadingJson,
        RevocationJson,
    )

REMINDER_AHEAD = timedelta(days=1)
FAR_FUTURE = date(9999, 12, 31)  # a missing date never ends a reading


class ArrangementColumns:
    """The reading arrangement (阅卷材料) and its end (已终止) as the columns of a table that
    keeps the application: applications' and review's. What :func:`arrangement`,
    :func:`revocation` and :func:`expired_sql` read, so both services name and type them alike."""

    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # An online grant's reach: JSON [{id, title}] of chosen 正卷 documents (NULL: all), 允许打印.
    granted_documents: Mapped[str | None] = mapped_column(Text, nullable=True)
    print_allowed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    borrowed_at: Mapped[OptionalTimestamp]
    returned_at: Mapped[OptionalTimestamp]
    revoked_at: Mapped[OptionalTimestamp]
    revoked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def reading_ends_at(reading: Mapping[str, Any] | None) -> datetime | None:
    """The first instant the reading is over, or None when it does not end by date
    (no reading, or an on-site reading the reader attended)."""
    if not reading:
        return None
    if reading.get("mode") == "online":
        day = _day(reading.get("valid_until"))
    elif reading.get("mode") == "onsite":
        if reading.get("attended") is True:
            return None
        day = _day(reading.get("end_date"))
    else:
        return None
    return clock.end_of_day(day) if day else None


def is_expired(reading: Mapping[str, Any] | None, now: datetime) -> bool:
    ends = reading_ends_at(reading)
    return ends is not None and now >= ends


def effective_status(status: str, reading: Mapping[str, Any] | None, now: datetime) -> str:
    """The status a person sees: ``approved`` turns ``expired`` once the reading is over."""
    if status == "approved" and is_expired(reading, now):
        return "expired"
    return status


def reminder_due(valid_until: date | str, now: datetime) -> bool:
    """True during the last day of an online approval (一天前提醒)."""
    day = _day(valid_until)
    assert day is not None  # a date or its ISO string, never None
    ends = clock.end_of_day(day)
    return ends - REMINDER_AHEAD <= now < ends


def expired_sql(table: Any, today: date) -> Any:
    """:func:`is_expired` as SQL, ``today`` being the court's date: an approval whose last
    day has passed, unless the on-site reader attended."""
    online = and_(
        func.coalesce(table.mode, "") == "online",
        func.coalesce(table.valid_until, FAR_FUTURE) < today,
    )
    onsite = and_(
        func.coalesce(table.mode, "") == "onsite",
        func.coalesce(table.end_date, FAR_FUTURE) < today,
        or_(table.attended.is_(None), table.attended.is_(False)),
    )
    return and_(table.status == "approved", or_(online, onsite))


def status_sql(table: Any, status: str, today: date) -> Any:
    """The rows a person sees in ``status`` (:func:`effective_status` as SQL)."""
    if status == "expired":
        return expired_sql(table, today)
    if status == "approved":
        return and_(table.status == "approved", not_(expired_sql(table, today)))
    return table.status == status


def reminder_due_sql(table: Any, now: datetime) -> Any:
    """:func:`reminder_due` as SQL: the last day of an online approval is its
    ``valid_until`` day in the court's zone."""
    today = now.astimezone(clock.COURT_TZ).date()
    return and_(table.status == "approved", table.mode == "online", table.valid_until == today)


def _iso_day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def granted_documents(raw: str | None) -> list[dict] | None:
    """A grant's chosen documents as stored (JSON ``[{id, title}]``); None: the whole 正卷."""
    return json.loads(raw) if raw else None


def booking(day: date | None, start: str | None, end: str | None) -> BookingJson | None:
    """An on-site reader's booked slot (预约到场) as the ``reading`` object shows it."""
    if day is None or not start or not end:
        return None
    return {"date": day.isoformat(), "start": start, "end": end}


def arrangement(row: Any, booked: BookingJson | None = None) -> OnlineReadingJson | OnsiteReadingJson | None:
    """阅卷材料 as API.md shows it, from any service's record of a decision (the same
    column names in applications and review): only an approval carries a way of reading.
    ``booked``: the on-site reader's slot (:func:`booking`), kept where each service keeps it."""
    if row.opinion != "approve" or row.mode not in ("online", "onsite"):
        return None
    if row.mode == "online":
        chosen = granted_documents(row.granted_documents)
        return {
            "mode": "online",
            "valid_until": _iso_day(row.valid_until),
            "documents": [d["id"] for d in chosen] if chosen is not None else None,
            "document_titles": [d["title"] for d in chosen] if chosen is not None else None,
            "print": row.print_allowed is not False,
        }
    return {
        "mode": "onsite",
        "start_date": _iso_day(row.start_date),
        "end_date": _iso_day(row.end_date),
        "notice": row.notice,
        "attended": row.attended,
        "borrowed_at": clock.isoformat(clock.as_aware(row.borrowed_at)),
        "returned_at": clock.isoformat(clock.as_aware(row.returned_at)),
        "booking": booked,
    }


def revocation(row: Any) -> RevocationJson | None:
    """已终止: when and why the reader's relation to the case ended (an addition to API.md's
    application object), from either service's record with the same column names."""
    if row.status != "revoked":
        return None
    return {"at": clock.isoformat(clock.as_aware(row.revoked_at)), "reason": row.revoked_reason}


# Who the applicant is to the case, as case_binding answered at submission (the review
# screen shows it): the archived-case lawyer has no relation, only the four materials.
ARCHIVED_LAWYER = "lawyer_archived"


def applicant_relation(role: str, relation: dict) -> str:
    held = str(relation.get("relation") or "none")
    if role == "lawyer" and held == "none" and relation.get("status") == "archived":
        return ARCHIVED_LAWYER
    return held


def applicant(row: Any) -> ApplicantJson:
    """The application object's ``applicant``: the name (API.md), and what the court needs to
    judge the request: role, relation to the case, a lawyer's license and firm, for whom."""
    shown: dict[str, Any] = {"name": row.applicant_name, "role": row.applicant_role}
    for field, column in (
        ("relation", "applicant_relation"),
        ("license_no", "applicant_license_no"),
        ("law_firm", "applicant_law_firm"),
        ("acts_for", "acts_for"),
    ):
        value = getattr(row, column, None)
        if value:
            shown[field] = value
    return cast("ApplicantJson", shown)
