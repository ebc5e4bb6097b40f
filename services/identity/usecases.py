"""What the identity service does. Functions take the unit of work, the password hasher and
the clock explicitly, so tests can call them without a broker."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from services.common import clock, housekeeping
from services.common.db import UnitOfWork
from services.common.errors import DomainError, validation_error
from services.identity import domain
from services.identity.models import LoginThrottle, RegisteredLawyer, Session, User
from services.identity.schemas import principal, public_user


class Hasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, stored: str, password: str) -> bool: ...


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register(uow: UnitOfWork, hasher: Hasher, body: Any) -> dict:
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    reg = domain.parse_registration(body)
    with uow.read() as session:
        if session.scalar(select(User.id).where(User.phone == reg.phone)) is not None:
            raise DomainError("phone_taken", "该手机号码已注册，请直接登录")
        if reg.role == "lawyer":
            entry = session.get(RegisteredLawyer, reg.license_no)
            if not domain.lawyer_matches(entry, reg):
                raise DomainError(
                    "license_not_verified", "执业证号、姓名与律师事务所未能与律师名册核对一致，请核对后重试"
                )
    password_hash = hasher.hash(reg.password)  # slow on purpose: outside the transaction
    try:
        with uow.transaction() as session:
            user = User(
                phone=reg.phone,
                password_hash=password_hash,
                name=reg.name,
                id_number=reg.id_number,
                role=reg.role,
                license_no=reg.license_no,
                law_firm=reg.law_firm,
                created_at=clock.utcnow(),
            )
            session.add(user)
            session.flush()
            return public_user(user)
    except IntegrityError:
        raise DomainError("phone_taken", "该手机号码已注册，请直接登录") from None


def login(uow: UnitOfWork, hasher: Hasher, phone: Any, password: Any, ttl_hours: float) -> dict:
    fields = {k: "应为文本" for k, v in (("phone", phone), ("password", password)) if not isinstance(v, str) or not v}
    if fields:
        raise validation_error(fields, "请输入手机号码和密码")
    if len(phone) > 64 or len(password) > domain.MAX_PASSWORD:
        raise DomainError("invalid_credentials", "手机号码或密码不正确")
    now = clock.utcnow()
    with uow.read() as session:
        row = session.get(LoginThrottle, phone)
        if row is not None and _throttle(row).is_locked(now):
            raise _locked()
        user = session.scalar(select(User).where(User.phone == phone))
    # Verify even for an unknown phone so timing does not tell which phones exist.
    ok = hasher.verify(user.password_hash if user else _DUMMY_HASH.get(hasher), password)
    if not (ok and user):
        with uow.transaction() as session:
            row = session.get(LoginThrottle, phone) or LoginThrottle(phone=phone, failures=0)
            throttle = _throttle(row)
            throttle.record_failure(now)
            row.failures, row.first_failure_at, row.locked_until = (
                throttle.failures,
                throttle.first_failure_at,
                throttle.locked_until,
            )
            session.merge(row)
        raise DomainError("invalid_credentials", "手机号码或密码不正确")
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=ttl_hours)
    with uow.transaction() as session:
        row = session.get(LoginThrottle, phone)
        if row is not None:
            session.delete(row)
        session.add(Session(token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=expires_at))
    return {"token": token, "expires_at": clock.isoformat(expires_at), "user": public_user(user)}


class _DummyHash:
    """A real hash of a random password, made once per hasher, for unknown phones."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def get(self, hasher: Hasher) -> str:
        key = id(hasher)
        if key not in self._cache:
            self._cache[key] = hasher.hash(secrets.token_urlsafe(16))
        return self._cache[key]


_DUMMY_HASH = _DummyHash()


def _throttle(row: LoginThrottle) -> domain.Throttle:
    return domain.Throttle(row.failures or 0, clock.as_aware(row.first_failure_at), clock.as_aware(row.locked_until))


def _locked() -> DomainError:
    return DomainError("rate_limited", "登录失败次数过多，该手机号码已被锁定15分钟，请稍后再试")


def resolve(uow: UnitOfWork, token: Any) -> dict | None:
    """The signed-in user behind a token, or None when it is unknown, expired or revoked."""
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    with uow.read() as session:
        row = session.get(Session, token_digest(token))
        if row is None or row.revoked_at is not None or clock.as_aware(row.expires_at) <= clock.utcnow():
            return None
        user = session.get(User, row.user_id)
        return dict(principal(user), session_expires_at=clock.isoformat(clock.as_aware(row.expires_at)))


def logout(uow: UnitOfWork, token: str) -> str:
    digest = token_digest(token)
    with uow.transaction() as session:
        row = session.get(Session, digest)
        if row is not None and row.revoked_at is None:
            row.revoked_at = clock.utcnow()
    return digest


def me(uow: UnitOfWork, user_id: int) -> dict:
    with uow.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise DomainError("not_found", "用户不存在")
        return public_user(user)


def _require_admin(actor: dict) -> None:
    if not isinstance(actor, dict) or actor.get("role") != "admin":
        raise DomainError("forbidden", "仅管理员可以执行此操作")


def create_staff(uow: UnitOfWork, hasher: Hasher, actor: dict, body: Any) -> dict:
    _require_admin(actor)
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    role = body.get("role")
    if role not in domain.STAFF_ROLES:
        raise validation_error({"role": "应为 clerk、archivist 或 admin"}, "请选择岗位：审查人、档案室或管理员")
    name = domain.clean_text(body.get("name"), "name", max_len=50)
    court = domain.clean_text(body.get("court"), "court", max_len=100)
    phone = domain.check_phone(body.get("phone"))
    password = domain.check_password(body.get("password"))
    return create_user(uow, hasher, phone=phone, password=password, name=name, role=role, court=court)


def create_user(uow: UnitOfWork, hasher: Hasher, **fields: Any) -> dict:
    password_hash = hasher.hash(fields.pop("password"))
    try:
        with uow.transaction() as session:
            user = User(password_hash=password_hash, created_at=clock.utcnow(), **fields)
            session.add(user)
            session.flush()
            return public_user(user)
    except IntegrityError:
        raise DomainError("phone_taken", "该手机号码已注册") from None


def import_lawyers(uow: UnitOfWork, actor: dict, body: Any) -> dict:
    """Upsert the lawyer registry by license number; all or nothing."""
    _require_admin(actor)
    lawyers = body.get("lawyers") if isinstance(body, dict) else None
    if not isinstance(lawyers, list):
        raise validation_error({"lawyers": "应为列表"})
    if len(lawyers) > 100_000:
        raise validation_error({"lawyers": "一次最多导入100000条"})
    entries: dict[str, tuple[str, str]] = {}
    for i, item in enumerate(lawyers):
        if not isinstance(item, dict):
            raise validation_error({f"lawyers[{i}]": "应为对象"})
        try:
            license_no = domain.clean_text(item.get("license_no"), "license_no", max_len=32)
            name = domain.clean_text(item.get("name"), "name", max_len=50)
            firm = domain.clean_text(item.get("law_firm"), "law_firm", max_len=100)
        except DomainError as exc:
            fields = {f"lawyers[{i}].{k}": v for k, v in exc.details.get("fields", {}).items()}
            raise validation_error(fields) from None
        entries[license_no] = (name, firm)
    with uow.transaction() as session:
        for license_no, (name, firm) in entries.items():
            session.merge(RegisteredLawyer(license_no=license_no, name=name, law_firm=firm))
    return {"imported": len(entries)}


def ensure_admin(
    uow: UnitOfWork, hasher: Hasher, phone: str | None, password: str | None, log: Callable[[str], None] = print
) -> bool:
    """Create the first admin from the environment, once, if no admin exists."""
    if not phone or not password:
        return False
    with uow.read() as session:
        if session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
            return False
    try:
        create_user(uow, hasher, phone=phone, password=password, name="系统管理员", role="admin", court=None)
    except DomainError:
        return False
    log("bootstrap admin created")
    return True


# -- housekeeping -------------------------------------------------------------------------


def purge_sessions(uow: UnitOfWork) -> int:
    """Sign-ins expired for longer than SESSION_RETENTION_DAYS (1). A token whose row is
    gone is refused as an expired one is: ``resolve`` knows no difference."""
    age = housekeeping.retention("SESSION_RETENTION_DAYS", 1)
    return housekeeping.purge(uow, Session, Session.expires_at < housekeeping.cutoff(age))


def purge_login_throttles(uow: UnitOfWork) -> int:
    """Failed-login counts whose window, and any lockout, ended more than
    LOGIN_THROTTLE_RETENTION_HOURS (24) ago: they no longer count against anyone."""
    age = housekeeping.retention("LOGIN_THROTTLE_RETENTION_HOURS", 24, unit="hours")
    before = housekeeping.cutoff(age)
    return housekeeping.purge(
        uow,
        LoginThrottle,
        or_(LoginThrottle.first_failure_at.is_(None), LoginThrottle.first_failure_at < before - domain.LOCKOUT_WINDOW)
        & or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < before),
    )


def purges(uow: UnitOfWork) -> list[tuple[str, Callable[[], int]]]:
    return [("sessions", lambda: purge_sessions(uow)), ("login throttles", lambda: purge_login_throttles(uow))]
