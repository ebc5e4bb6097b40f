"""identity's repository in memory (``services.identity.repository``)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from services.common.court import clock
from services.common.infra import paging
from services.common.infra.db import Conflict
from services.identity import domain
from services.identity.models import LoginThrottle, RegisteredLawyer, Session, SmsCode, User, Verification
from tests.unit.fakes import FakeUnitOfWork


def _page(rows: list, limit: Any, cursor: Any, oldest_first: bool = False) -> tuple[list, str | None]:
    """``paging.page_by_id`` over rows in hand."""
    size, after = paging.limit_of(limit), paging.id_after(cursor)
    if after is not None:
        rows = [r for r in rows if (r.id > after if oldest_first else r.id < after)]
    rows = sorted(rows, key=lambda r: r.id if oldest_first else -r.id)
    page = rows[:size]
    return page, (str(page[-1].id) if len(rows) > size else None)


class FakeIdentityRepository:
    def __init__(self) -> None:
        self.codes: dict[int, SmsCode] = {}
        self.throttles: dict[str, LoginThrottle] = {}
        self.users_by_id: dict[int, User] = {}
        self.sessions: dict[str, Session] = {}
        self.lawyers: dict[str, RegisteredLawyer] = {}
        self.verifications_by_id: dict[int, Verification] = {}
        self.turns: list[tuple[object, ...]] = []
        self._ids = itertools.count(1)

    def take_turns(self, *key: object) -> None:
        self.turns.append(key)

    # -- SMS codes
    def add_sms_code(self, code: SmsCode) -> None:
        code.id = next(self._ids)
        self.codes[code.id] = code

    def codes_sent_since(self, phone: str, since: datetime) -> int:
        return sum(1 for c in self.codes.values() if c.phone == phone and clock.as_aware(c.created_at) > since)

    def live_code(self, phone: str, purpose: str, now: datetime) -> SmsCode | None:
        mine = [c for c in self.codes.values() if c.phone == phone and c.purpose == purpose]
        newest = max(mine, key=lambda c: c.id, default=None)
        if newest is None or newest.used_at is not None or clock.as_aware(newest.expires_at) <= now:
            return None
        return newest

    def take_code_try(self, code_id: int, max_tries: int) -> bool:
        code = self.codes.get(code_id)
        if code is None or code.used_at is not None or code.tries >= max_tries:
            return False
        code.tries += 1
        return True

    def consume_code(self, code_id: int, now: datetime) -> bool:
        code = self.codes.get(code_id)
        if code is None or code.used_at is not None:
            return False
        code.used_at = now
        return True

    # -- login attempts
    def take_attempt(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        row = self.throttles.get(key)
        if row is None:
            row = self.throttles[key] = LoginThrottle(key=key, failures=1, first_failure_at=now, locked_until=None)
        elif row.first_failure_at is None or clock.as_aware(row.first_failure_at) < now - window:
            row.failures, row.first_failure_at = 1, now
        else:
            row.failures += 1
        if row.locked_until is not None and clock.as_aware(row.locked_until) > now:
            return False
        if row.failures > limit:
            self.lock(key, now, window)
            return False
        return True

    def lock(self, key: str, now: datetime, window: timedelta) -> None:
        row = self.throttles.get(key)
        if row is not None and (row.locked_until is None or clock.as_aware(row.locked_until) <= now):
            row.locked_until = now + window

    def failures_of(self, key: str) -> int:
        row = self.throttles.get(key)
        return row.failures if row else 0

    def clear_attempts(self, key: str, now: datetime) -> None:
        row = self.throttles.get(key)
        if row is not None and (row.locked_until is None or clock.as_aware(row.locked_until) <= now):
            del self.throttles[key]

    def give_back_attempt(self, key: str) -> None:
        row = self.throttles.get(key)
        if row is not None and row.failures > 0:
            row.failures -= 1

    def forget_attempts(self, key: str) -> None:
        self.throttles.pop(key, None)

    # -- accounts
    def user(self, user_id: int) -> User | None:
        return self.users_by_id.get(user_id)

    def user_with_phone(self, phone: str) -> User | None:
        return next((u for u in self.users_by_id.values() if u.phone == phone), None)

    def phone_taken(self, phone: str) -> bool:
        return self.user_with_phone(phone) is not None

    def id_number_taken(self, id_number: str) -> bool:
        return any(u.id_number == id_number for u in self.users_by_id.values())

    def license_taken(self, license_no: str) -> bool:
        return any(u.license_no == license_no for u in self.users_by_id.values())

    def add_user(self, user: User) -> User:
        # the unique phone, ID number and license, whatever the use case checked before
        if (
            self.phone_taken(user.phone)
            or (user.id_number and self.id_number_taken(user.id_number))
            or (user.license_no and self.license_taken(user.license_no))
        ):
            raise Conflict()
        user.id = next(self._ids)
        self.users_by_id[user.id] = user
        return user

    def set_password(self, user_id: int, password_hash: str) -> None:
        self.users_by_id[user_id].password_hash = password_hash

    def has_admin(self) -> bool:
        return any(u.role == "admin" for u in self.users_by_id.values())

    def users(self, role: str | None, term: str | None, limit: Any, cursor: Any) -> tuple[list[User], str | None]:
        rows = [
            u
            for u in self.users_by_id.values()
            if (not role or u.role == role) and (not term or term in u.name or u.phone == term)
        ]
        return _page(rows, limit, cursor)

    def users_among(self, ids: list[int]) -> list[User]:
        return [self.users_by_id[i] for i in ids if i in self.users_by_id]

    # -- sign-ins
    def add_session(self, row: Session) -> None:
        self.sessions[row.token_hash] = row

    def session(self, token_hash: str) -> Session | None:
        return self.sessions.get(token_hash)

    def end_sessions(self, user_id: int, keep: str | None = None) -> None:
        for row in self.sessions.values():
            if row.user_id == user_id and row.revoked_at is None and row.token_hash != keep:
                row.revoked_at = clock.utcnow()

    # -- the lawyer registry
    def registered_lawyer(self, license_no: str) -> RegisteredLawyer | None:
        return self.lawyers.get(license_no)

    def register_lawyer(self, license_no: str, name: str, law_firm: str) -> None:
        self.lawyers[license_no] = RegisteredLawyer(license_no=license_no, name=name, law_firm=law_firm)

    # -- 实名认证
    def verification(self, verification_id: int) -> Verification | None:
        return self.verifications_by_id.get(verification_id)

    def has_pending_verification(self, user_id: int) -> bool:
        return any(v.user_id == user_id and v.status == "pending" for v in self.verifications_by_id.values())

    def add_verification(self, row: Verification) -> Verification:
        row.id = next(self._ids)
        self.verifications_by_id[row.id] = row
        return row

    def decide_pending_verification(self, verification_id: int, **decision: Any) -> Verification | None:
        row = self.verifications_by_id.get(verification_id)
        if row is None or row.status != "pending":
            return None
        for name, value in decision.items():
            setattr(row, name, value)
        return row

    def latest_verification_of(self, user_id: int) -> Verification | None:
        mine = [v for v in self.verifications_by_id.values() if v.user_id == user_id]
        return max(mine, key=lambda v: v.id, default=None)

    def verifications(self, status: str, limit: Any, cursor: Any) -> tuple[list[Verification], str | None]:
        rows = [v for v in self.verifications_by_id.values() if v.status == status]
        return _page(rows, limit, cursor, oldest_first=domain.oldest_first(status))


def fake_unit_of_work() -> FakeUnitOfWork[FakeIdentityRepository]:
    return FakeUnitOfWork(FakeIdentityRepository())
