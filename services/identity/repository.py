"""Identity's queries that must be atomic: counters that a burst of parallel requests
cannot race past. Each is one SQL statement (an upsert or a guarded update), so PostgreSQL's
row lock and SQLite's single writer make it exact without a read-then-write window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.common import clock
from services.identity.models import LoginThrottle, SmsCode

_THROTTLE = LoginThrottle.__table__


def _insert(session: Session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


# -- login attempts -------------------------------------------------------------------------


def take_attempt(session: Session, key: str, now: datetime, limit: int, window: timedelta) -> bool:
    """Count one login attempt for ``key`` before its password is checked. False when the
    key is locked, or when this attempt is past ``limit`` within ``window`` (which locks it
    for ``window``). A success gives the attempt back (``clear_attempts`` or
    ``give_back_attempt``); a failure leaves it counted."""
    c = _THROTTLE.c
    stale = c.first_failure_at.is_(None) | (c.first_failure_at < now - window)
    upsert = _insert(session, _THROTTLE).values(phone=key, failures=1, first_failure_at=now, locked_until=None)
    upsert = upsert.on_conflict_do_update(
        index_elements=[c.phone],
        set_={
            "failures": case((stale, 1), else_=c.failures + 1),
            "first_failure_at": case((stale, now), else_=c.first_failure_at),
        },
    ).returning(c.failures, c.locked_until)
    failures, locked_until = session.execute(upsert).one()
    locked_until = clock.as_aware(locked_until)
    if locked_until is not None and locked_until > now:
        return False
    if failures > limit:
        lock(session, key, now, window)
        return False
    return True


def lock(session: Session, key: str, now: datetime, window: timedelta) -> None:
    c = _THROTTLE.c
    session.execute(
        update(_THROTTLE)
        .where(c.phone == key, c.locked_until.is_(None) | (c.locked_until <= now))
        .values(locked_until=now + window)
    )


def failures_of(session: Session, key: str) -> int:
    return session.scalar(select(_THROTTLE.c.failures).where(_THROTTLE.c.phone == key)) or 0


def clear_attempts(session: Session, key: str, now: datetime) -> None:
    """A right password resets the count, unless a lock came first (a racing burst)."""
    c = _THROTTLE.c
    session.execute(delete(_THROTTLE).where(c.phone == key, c.locked_until.is_(None) | (c.locked_until <= now)))


def give_back_attempt(session: Session, key: str) -> None:
    """A right password from an address returns its attempt, without forgiving the
    address's earlier failures (one valid account must not reset an attacker's count)."""
    c = _THROTTLE.c
    session.execute(update(_THROTTLE).where(c.phone == key, c.failures > 0).values(failures=c.failures - 1))


# -- SMS codes ------------------------------------------------------------------------------


def codes_sent_since(session: Session, phone: str, since: datetime) -> int:
    return session.scalar(select(func.count()).where(SmsCode.phone == phone, SmsCode.created_at > since)) or 0


def live_code(session: Session, phone: str, purpose: str, now: datetime) -> SmsCode | None:
    """The newest code for ``phone`` and ``purpose``: only the last one sent counts."""
    newest = session.scalar(
        select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose).order_by(SmsCode.id.desc()).limit(1)
    )
    if newest is None or newest.used_at is not None or clock.as_aware(newest.expires_at) <= now:
        return None
    return newest


def take_code_try(session: Session, code_id: int, max_tries: int) -> bool:
    """Count a try of a code before comparing it; False once it has had ``max_tries``."""
    done = session.execute(
        update(SmsCode)
        .where(SmsCode.id == code_id, SmsCode.used_at.is_(None), SmsCode.tries < max_tries)
        .values(tries=SmsCode.tries + 1)
    )
    return done.rowcount == 1


def consume_code(session: Session, code_id: int, now: datetime) -> bool:
    """Use a code up; False when a racing twin used it first."""
    done = session.execute(update(SmsCode).where(SmsCode.id == code_id, SmsCode.used_at.is_(None)).values(used_at=now))
    return done.rowcount == 1
