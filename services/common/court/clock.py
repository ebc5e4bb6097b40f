"""The one clock of the system.

Dates are the court's (Asia/Shanghai). When ``COURT_FAKE_NOW_FILE`` names a file, "now"
is the ISO timestamp in that file, read at every call, so tests can move time forward
and back across every process at once.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo

COURT_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, timezone-aware, in the court's zone."""
    path = os.environ.get("COURT_FAKE_NOW_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read().strip()
        except OSError:
            text = ""
        if text:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if value.tzinfo is None:
                value = value.replace(tzinfo=COURT_TZ)
            return value.astimezone(COURT_TZ)
    return datetime.now(UTC).astimezone(COURT_TZ)


def today() -> date:
    """The court's calendar date now."""
    return now().date()


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in the court's zone."""
    return datetime.combine(day, time.min, tzinfo=COURT_TZ)


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` ends in the court's zone (exclusive bound)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=COURT_TZ)


@overload
def isoformat(value: datetime) -> str: ...
@overload
def isoformat(value: datetime | None) -> str | None: ...
def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the court's offset, seconds precision, as clients expect."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(COURT_TZ).isoformat(timespec="seconds")


@overload
def as_aware(value: datetime) -> datetime: ...
@overload
def as_aware(value: None) -> None: ...
@overload
def as_aware(value: datetime | None) -> datetime | None: ...
def as_aware(value: datetime | None) -> datetime | None:
    """Databases (SQLite) may hand back naive UTC datetimes; make them aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Now, in UTC, for storage."""
    return now().astimezone(UTC)
