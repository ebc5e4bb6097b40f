"""The ids that cross service boundaries, one type each wherever they travel.

An application's id is what API.md writes: a string (``"42"``). The applications service
numbers its rows with integers and is the only one that turns the string back into its
row key (:func:`application_row`); review and dossier keep the string as they were told.
"""

from __future__ import annotations

import re
from typing import Any, NewType

ApplicationId = NewType("ApplicationId", str)  # 阅卷申请的编号, as the contract writes it
UserId = NewType("UserId", int)  # an account of identity's (the actor's ``id``)

APPLICATION_ID_MAX = 64  # characters: what review and dossier keep of an id they are told
_ROW = re.compile(r"[1-9][0-9]{0,17}")


def application_id(value: int | str) -> ApplicationId:
    """The contract's form of an application's id, from a row key or an event's number."""
    return ApplicationId(str(value))


def event_application_id(value: Any) -> ApplicationId:
    """The ``application_id`` of an event, in the contract's form. Events carry the string;
    an event of an earlier version (still in a queue, a retry queue or an outbox while the
    services are upgraded one by one) carried the row's number, which reads the same. Raises
    ValueError for anything else (none, empty, too long, not a positive number)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("application id")
    if isinstance(value, int) and value <= 0:
        raise ValueError("application id")
    text = str(value)
    if not 0 < len(text) <= APPLICATION_ID_MAX:
        raise ValueError("application id")
    return ApplicationId(text)


def application_row(value: Any) -> int | None:
    """The applications service's row key for an id, or None when it names no application
    (anything but a positive integer or its decimal string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and _ROW.fullmatch(value):
        return int(value)
    return None
