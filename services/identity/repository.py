"""identity's persistence: accounts, sign-ins, SMS codes, login attempts, the lawyer
registry and 实名认证, as the use cases ask for them. ``IdentityRepository`` is what the
use cases may ask; ``SqlRepository`` answers it from the service's own database (SQLite or
PostgreSQL), the unit tests' fake from memory (tests/unit/fakes/identity.py).

The counters a burst of parallel requests must not race past (login attempts, a code's
tries, using a code up) are each one SQL statement (an upsert or a guarded update), so
PostgreSQL's row lock and SQLite's single writer make them exact without a
read-then-write window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as DbSession

from services.common.court import clock
from services.common.infra import paging
from services.common.infra.db import (
    RepositoryUnitOfWork,
    UnitOfWork,
    UnitOfWorkOf,
    add_unique,
    affected,
    serialise,
    table_of,
)
from services.identity import domain
from services.identity.models import LoginThrottle, RegisteredLawyer, Session, SmsCode, User, Verification

_THROTTLE = table_of(LoginThrottle)


class IdentityRepository(Protocol):
    def take_turns(self, *key: object) -> None:
        """Hold ``key`` until the transaction ends: workers weighing the same thing take turns."""

    # -- SMS codes
    def add_sms_code(self, code: SmsCode) -> None:
        """Written at once, so that a count after it includes every racing request."""

    def codes_sent_since(self, phone: str, since: datetime) -> int: ...
    def live_code(self, phone: str, purpose: str, now: datetime) -> SmsCode | None:
        """The newest code for ``phone`` and ``purpose``, unused and unexpired: only the last one sent counts."""

    def take_code_try(self, code_id: int, max_tries: int) -> bool:
        """Count a try of a code before comparing it; False once it has had ``max_tries``."""

    def consume_code(self, code_id: int, now: datetime) -> bool:
        """Use a code up; False when a racing twin used it first."""

    # -- login attempts
    def take_attempt(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        """Count one login attempt for ``key`` before its password is checked. False when the
        key is locked, or when this attempt is past ``limit`` within ``window`` (which locks it
        for ``window``). A success gives the attempt back (``clear_attempts`` or
        ``give_back_attempt``); a failure leaves it counted."""

    def lock(self, key: str, now: datetime, window: timedelta) -> None: ...
    def failures_of(self, key: str) -> int: ...
    def clear_attempts(self, key: str, now: datetime) -> None:
        """A right password resets the count, unless a lock came first (a racing burst)."""

    def give_back_attempt(self, key: str) -> None:
        """A right password from an address returns its attempt, without forgiving the
        address's earlier failures (one valid account must not reset an attacker's count)."""

    def forget_attempts(self, key: str) -> None:
        """The phone is proven (a reset by its code): its failed logins no longer count."""

    # -- accounts
    def user(self, user_id: int) -> User | None: ...
    def user_with_phone(self, phone: str) -> User | None: ...
    def phone_taken(self, phone: str) -> bool: ...
    def id_number_taken(self, id_number: str) -> bool: ...
    def license_taken(self, license_no: str) -> bool: ...
    def add_user(self, user: User) -> User:
        """Raises ``Conflict`` when the phone, ID number or license is a racing twin's."""

    def set_password(self, user_id: int, password_hash: str) -> None: ...
    def has_admin(self) -> bool: ...
    def users(self, role: str | None, term: str | None, limit: Any, cursor: Any) -> tuple[list[User], str | None]:
        """A page of accounts, newest first: of ``role``, by a part of the name or the whole phone."""

    def users_among(self, ids: list[int]) -> list[User]: ...

    # -- sign-ins
    def add_session(self, row: Session) -> None: ...
    def session(self, token_hash: str) -> Session | None: ...
    def end_sessions(self, user_id: int, keep: str | None = None) -> None:
        """Every sign-in of the account still live ends now (``keep``: but that one)."""

    # -- the lawyer registry
    def registered_lawyer(self, license_no: str) -> RegisteredLawyer | None: ...
    def register_lawyer(self, license_no: str, name: str, law_firm: str) -> None: ...

    # -- 实名认证
    def verification(self, verification_id: int) -> Verification | None: ...
    def has_pending_verification(self, user_id: int) -> bool: ...
    def add_verification(self, row: Verification) -> Verification: ...
    def decide_pending_verification(self, verification_id: int, **decision: Any) -> Verification | None:
        """The decision written if the request is still pending; None once it is not."""

    def latest_verification_of(self, user_id: int) -> Verification | None: ...
    def verifications(self, status: str, limit: Any, cursor: Any) -> tuple[list[Verification], str | None]:
        """A page of requests in ``status``, ordered by ``domain.oldest_first``."""


IdentityWork = UnitOfWorkOf[IdentityRepository]


def unit_of_work(uow: UnitOfWork) -> RepositoryUnitOfWork[IdentityRepository]:
    return RepositoryUnitOfWork(uow, SqlRepository)


def expired_sessions(age: timedelta):
    """Sign-ins expired for longer than ``age`` (housekeeping)."""
    return Session.expires_at < clock.utcnow() - age


def spent_throttles(before: datetime, window: timedelta):
    """Failed-login counts whose window, and any lockout, ended before ``before``."""
    return (LoginThrottle.first_failure_at.is_(None) | (LoginThrottle.first_failure_at < before - window)) & (
        LoginThrottle.locked_until.is_(None) | (LoginThrottle.locked_until < before)
    )


class SqlRepository:
    def __init__(self, session: DbSession):
        self.db = session

    def _insert(self, table):
        dialect = postgresql if self.db.get_bind().dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def take_turns(self, *key: object) -> None:
        serialise(self.db, *key)

    # -- SMS codes ----------------------------------------------------------------------------

    def add_sms_code(self, code: SmsCode) -> None:
        self.db.add(code)
        self.db.flush()

    def codes_sent_since(self, phone: str, since: datetime) -> int:
        return self.db.scalar(select(func.count()).where(SmsCode.phone == phone, SmsCode.created_at > since)) or 0

    def live_code(self, phone: str, purpose: str, now: datetime) -> SmsCode | None:
        newest = self.db.scalar(
            select(SmsCode)
            .where(SmsCode.phone == phone, SmsCode.purpose == purpose)
            .order_by(SmsCode.id.desc())
            .limit(1)
        )
        if newest is None or newest.used_at is not None or clock.as_aware(newest.expires_at) <= now:
            return None
        return newest

    def take_code_try(self, code_id: int, max_tries: int) -> bool:
        done = self.db.execute(
            update(SmsCode)
            .where(SmsCode.id == code_id, SmsCode.used_at.is_(None), SmsCode.tries < max_tries)
            .values(tries=SmsCode.tries + 1)
        )
        return affected(done) == 1

    def consume_code(self, code_id: int, now: datetime) -> bool:
        done = self.db.execute(
            update(SmsCode).where(SmsCode.id == code_id, SmsCode.used_at.is_(None)).values(used_at=now)
        )
        return affected(done) == 1

    # -- login attempts -----------------------------------------------------------------------

    def take_attempt(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        c = _THROTTLE.c
        stale = c.first_failure_at.is_(None) | (c.first_failure_at < now - window)
        upsert = self._insert(_THROTTLE).values(phone=key, failures=1, first_failure_at=now, locked_until=None)
        upsert = upsert.on_conflict_do_update(
            index_elements=[c.phone],
            set_={
                "failures": case((stale, 1), else_=c.failures + 1),
                "first_failure_at": case((stale, now), else_=c.first_failure_at),
            },
        ).returning(c.failures, c.locked_until)
        failures, locked_until = self.db.execute(upsert).one()
        locked_until = clock.as_aware(locked_until)
        if locked_until is not None and locked_until > now:
            return False
        if failures > limit:
            self.lock(key, now, window)
            return False
        return True

    def lock(self, key: str, now: datetime, window: timedelta) -> None:
        c = _THROTTLE.c
        self.db.execute(
            update(_THROTTLE)
            .where(c.phone == key, c.locked_until.is_(None) | (c.locked_until <= now))
            .values(locked_until=now + window)
        )

    def failures_of(self, key: str) -> int:
        return self.db.scalar(select(_THROTTLE.c.failures).where(_THROTTLE.c.phone == key)) or 0

    def clear_attempts(self, key: str, now: datetime) -> None:
        c = _THROTTLE.c
        self.db.execute(delete(_THROTTLE).where(c.phone == key, c.locked_until.is_(None) | (c.locked_until <= now)))

    def give_back_attempt(self, key: str) -> None:
        c = _THROTTLE.c
        self.db.execute(update(_THROTTLE).where(c.phone == key, c.failures > 0).values(failures=c.failures - 1))

    def forget_attempts(self, key: str) -> None:
        self.db.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

    # -- accounts -----------------------------------------------------------------------------

    def user(self, user_id: int) -> User | None:
        return self.db.get(User, user_id)

    def user_with_phone(self, phone: str) -> User | None:
        return self.db.scalar(select(User).where(User.phone == phone))

    def phone_taken(self, phone: str) -> bool:
        return self.db.scalar(select(User.id).where(User.phone == phone)) is not None

    def id_number_taken(self, id_number: str) -> bool:
        return self.db.scalar(select(User.id).where(User.id_number == id_number)) is not None

    def license_taken(self, license_no: str) -> bool:
        return self.db.scalar(select(User.id).where(User.license_no == license_no)) is not None

    def add_user(self, user: User) -> User:
        add_unique(self.db, user)  # Conflict: the unique phone, ID number or license
        return user

    def set_password(self, user_id: int, password_hash: str) -> None:
        self.db.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))

    def has_admin(self) -> bool:
        return self.db.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None

    def users(self, role: str | None, term: str | None, limit: Any, cursor: Any) -> tuple[list[User], str | None]:
        query = select(User)
        if role:
            query = query.where(User.role == role)
        if term:
            query = query.where(User.name.contains(term, autoescape=True) | (User.phone == term))
        return paging.page_by_id(self.db, query, User.id, limit, cursor)

    def users_among(self, ids: list[int]) -> list[User]:
        return list(self.db.scalars(select(User).where(User.id.in_(ids)))) if ids else []

    # -- sign-ins -----------------------------------------------------------------------------

    def add_session(self, row: Session) -> None:
        self.db.add(row)

    def session(self, token_hash: str) -> Session | None:
        return self.db.get(Session, token_hash)

    def end_sessions(self, user_id: int, keep: str | None = None) -> None:
        query = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
        if keep:
            query = query.where(Session.token_hash != keep)
        self.db.execute(query.values(revoked_at=clock.utcnow()))

    # -- the lawyer registry ------------------------------------------------------------------

    def registered_lawyer(self, license_no: str) -> RegisteredLawyer | None:
        return self.db.get(RegisteredLawyer, license_no)

    def register_lawyer(self, license_no: str, name: str, law_firm: str) -> None:
        self.db.merge(RegisteredLawyer(license_no=license_no, name=name, law_firm=law_firm))

    # -- 实名认证 -------------------------------------------------------------------------------

    def verification(self, verification_id: int) -> Verification | None:
        return self.db.get(Verification, verification_id)

    def has_pending_verification(self, user_id: int) -> bool:
        query = select(Verification.id).where(Verification.user_id == user_id, Verification.status == "pending")
        return self.db.scalar(query) is not None

    def add_verification(self, row: Verification) -> Verification:
        self.db.add(row)
        self.db.flush()
        return row

    def decide_pending_verification(self, verification_id: int, **decision: Any) -> Verification | None:
        done = self.db.execute(
            update(Verification)
            .where(Verification.id == verification_id, Verification.status == "pending")
            .values(**decision)
        )
        return self.db.get(Verification, verification_id) if affected(done) == 1 else None

    def latest_verification_of(self, user_id: int) -> Verification | None:
        return self.db.scalar(
            select(Verification).where(Verification.user_id == user_id).order_by(Verification.id.desc()).limit(1)
        )

    def verifications(self, status: str, limit: Any, cursor: Any) -> tuple[list[Verification], str | None]:
        query = select(Verification).where(Verification.status == status)
        return paging.page_by_id(
            self.db, query, Verification.id, limit, cursor, oldest_first=domain.oldest_first(status)
        )
