"""Keyset paging: ``?limit=`` 1..100 (20 unless asked) and ``?cursor=``, the position of
the last row handed out. Lists ordered by id carry the id as text; lists ordered by a time
(the staff queue, exports) carry the time and the id, base64url-encoded JSON. A cursor
that is not one we handed out is 400 ``bad_request`` (API.md: "cannot be parsed")."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from services.common.infra.errors import DomainError

MAX_LIMIT = 100


def limit_of(value: Any) -> int:
    if value is None:
        return 20
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("bad_request", "参数 limit 无效") from None
    return max(1, min(number, MAX_LIMIT))


def id_after(cursor: Any) -> int | None:
    if cursor in (None, ""):
        return None
    if isinstance(cursor, str) and cursor.isascii() and cursor.isdigit() and len(cursor) <= 12:
        return int(cursor)
    raise DomainError("bad_request", "参数 cursor 无效")


def page_by_id(
    session: Session, query: Select, id_column: Any, limit: Any, cursor: Any, oldest_first: bool = False
) -> tuple[list[Any], str | None]:
    """One page of ``query``'s rows, newest first (or oldest first, as staff queues are),
    and the cursor of the next page or None."""
    size, after = limit_of(limit), id_after(cursor)
    if after is not None:
        query = query.where(id_column > after if oldest_first else id_column < after)
    query = query.order_by(id_column.asc() if oldest_first else id_column.desc()).limit(size + 1)
    rows = list(session.scalars(query))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (str(getattr(rows[-1], id_column.key)) if more else None)


def position_cursor(instant: datetime, key: Any) -> str:
    """The cursor after a row of a list ordered by (``instant``, ``key``)."""
    raw = json.dumps([instant.isoformat(), key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def position_after(cursor: Any) -> tuple[datetime, str] | None:
    """The (instant, key) a ``position_cursor`` names; None for the first page."""
    if cursor in (None, ""):
        return None
    try:
        padded = str(cursor) + "=" * (-len(str(cursor)) % 4)
        instant, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(instant), str(key)
    except (ValueError, TypeError, binascii.Error):
        raise DomainError("bad_request", "参数 cursor 无效") from None


def keyset_after(instant_column: Any, key_column: Any, position: tuple[datetime, str]) -> Any:
    """The rows after ``position`` (:func:`position_after`) of a list ordered oldest first
    by (``instant_column``, ``key_column``)."""
    instant, key = position
    return or_(instant_column > instant, and_(instant_column == instant, key_column > key))


def after_position(instant_column: Any, key_column: Any, cursor: Any) -> Any | None:
    """:func:`keyset_after` the position a ``position_cursor`` names; None for the first page."""
    after = position_after(cursor)
    return None if after is None else keyset_after(instant_column, key_column, after)
