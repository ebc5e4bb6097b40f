"""What the identity service does, step by step. Functions take the service's unit of work
(``repository.unit_of_work``, or the unit tests' in-memory one), the password hasher and
the texts explicitly, so tests can call them without a broker."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from services.common.court import clock
from services.common.infra import housekeeping
from services.common.infra.actor import Actor
from services.common.infra.db import Conflict, RepositoryUnitOfWork
from services.common.infra.errors import DomainError, validation_error
from services.identity import domain, repository
from services.identity.models import LoginThrottle, Session, SmsCode, User, Verification
from services.identity.repository import IdentityRepository, IdentityWork
from services.identity.schemas import (
    MeJson,
    UserJson,
    VerificationCreatedJson,
    VerificationViewJson,
    admin_user,
    own_account,
    principal,
    public_user,
    verification_state,
    verification_view,
)


class Verifier(Protocol):
    """Who decides a 实名认证: ``check`` answers ``(status, explanation)`` at once (a face or
    ID-card service) or None when people decide later (the built-in manual check)."""

    name: str

    def check(self, account: Actor, materials: list[dict]) -> tuple[str, str | None] | None: ...


class Hasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, stored: str, password: str) -> bool: ...


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Texts(Protocol):
    def send(self, phone: str, template: str, params: dict[str, str]) -> None: ...


def _sessions_key(phone: str) -> str:
    return phone


def _address_key(address: str) -> str:
    return f"addr:{address}"


# -- SMS codes (短信验证码) ----------------------------------------------------------------


def request_sms_code(uow: IdentityWork, texts: Texts, phone: Any, purpose: Any) -> None:
    """Text a code to ``phone``. The answer is the same whether or not the phone has an
    account; a reset code is only sent to a phone that has one, but counts either way."""
    phone = domain.check_phone(phone)
    purpose = domain.check_purpose(purpose)
    now = clock.utcnow()
    code = domain.new_sms_code()
    with uow.transaction() as accounts:
        accounts.take_turns("sms", phone)
        # Write first, then count what is there: SQLite's writer lock and PostgreSQL's
        # advisory lock make the count include every racing request.
        accounts.add_sms_code(
            SmsCode(
                phone=phone,
                purpose=purpose,
                code_hash=domain.sms_code_digest(phone, purpose, code),
                created_at=now,
                expires_at=now + domain.SMS_CODE_TTL,
                tries=0,
            )
        )
        if accounts.codes_sent_since(phone, now - timedelta(minutes=1)) > domain.SMS_PER_MINUTE:
            raise DomainError("rate_limited", "验证码发送过于频繁，请1分钟后再试")
        if accounts.codes_sent_since(phone, now - timedelta(days=1)) > domain.SMS_PER_DAY:
            raise DomainError("rate_limited", "该手机号码今日获取验证码次数已达上限，请明天再试")
        has_account = accounts.phone_taken(phone)
    if purpose == "register" or has_account:
        texts.send(phone, "sms_code", {"code": code})


def _checked_code(uow: IdentityWork, phone: str, purpose: str, code: Any) -> int:
    """The id of the live code ``code`` matches; each try counts before it is compared."""
    if not domain.is_code_shape(code):
        raise domain.invalid_sms_code()
    now = clock.utcnow()
    with uow.transaction() as accounts:
        row = accounts.live_code(phone, purpose, now)
        if row is None or not accounts.take_code_try(row.id, domain.SMS_CODE_TRIES):
            raise domain.invalid_sms_code()
        code_id, expected = row.id, row.code_hash
    if not hmac.compare_digest(expected, domain.sms_code_digest(phone, purpose, code)):
        raise domain.invalid_sms_code()
    return code_id


def _consume(accounts: IdentityRepository, code_id: int) -> None:
    if not accounts.consume_code(code_id, clock.utcnow()):
        raise domain.invalid_sms_code()


# -- registration -----------------------------------------------------------------------------


def register(uow: IdentityWork, hasher: Hasher, body: Any) -> UserJson:
    """Sign-up: the fields, then the phone proven by its code, then the registry, then who
    holds what. The code comes before "phone taken" so that nobody learns whether a phone
    has an account without holding that phone."""
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    reg = domain.parse_registration(body)
    code_id = _checked_code(uow, reg.phone, "register", body.get("sms_code"))
    with uow.read() as accounts:
        if reg.role == "lawyer":
            entry = accounts.registered_lawyer(reg.license_no or "")  # a lawyer's form requires it
            if not domain.lawyer_matches(entry, reg):
                raise DomainError(
                    "license_not_verified", "执业证号、姓名与律师事务所未能与律师名册核对一致，请核对后重试"
                )
        _refuse_taken(accounts, reg.phone, reg.id_number, reg.license_no)
    password_hash = hasher.hash(reg.password)  # slow on purpose: outside the transaction
    try:
        with uow.transaction() as accounts:
            _consume(accounts, code_id)
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
            return public_user(accounts.add_user(user))
    except Conflict as conflict:  # a racing twin took the phone, ID or license first
        with uow.read() as accounts:
            _refuse_taken(accounts, reg.phone, reg.id_number, reg.license_no)
        # nobody holds them now (the twin rolled back): the database's refusal goes on as it came
        raise conflict.__cause__ or conflict from None


def _refuse_taken(accounts: IdentityRepository, phone: str, id_number: str | None, license_no: str | None) -> None:
    if accounts.phone_taken(phone):
        raise DomainError("phone_taken", "该手机号码已注册，请直接登录")
    if id_number and accounts.id_number_taken(id_number):
        raise DomainError("id_number_taken", "该身份证号码已注册账号，一人只能注册一个账号；如忘记密码请找回密码")
    if license_no and accounts.license_taken(license_no):
        raise DomainError("license_taken", "该执业证号已注册账号，如有疑问请联系法院")


# -- sign-in ----------------------------------------------------------------------------------


def login(
    uow: IdentityWork, hasher: Hasher, phone: Any, password: Any, ttl_hours: float, client: str | None = None
) -> dict:
    fields = {k: "应为文本" for k, v in (("phone", phone), ("password", password)) if not isinstance(v, str) or not v}
    if fields:
        raise validation_error(fields, "请输入手机号码和密码")
    # No account's phone is that long or holds a control or invisible character (which
    # PostgreSQL would refuse to store as an attempt): not a phone to count attempts of.
    if len(phone) > 64 or not phone.isprintable() or len(password) > domain.MAX_PASSWORD:
        raise DomainError("invalid_credentials", "手机号码或密码不正确")
    now = clock.utcnow()
    address = _address_key(client) if client else None
    with uow.transaction() as accounts:
        if address and not accounts.take_attempt(address, now, domain.address_failures(), domain.LOCKOUT_WINDOW):
            raise DomainError("rate_limited", "登录失败次数过多，请15分钟后再试")
    with uow.transaction() as accounts:
        if not accounts.take_attempt(phone, now, domain.LOCKOUT_FAILURES, domain.LOCKOUT_WINDOW):
            raise _locked()
    with uow.read() as accounts:
        user = accounts.user_with_phone(phone)
    # Verify even for an unknown phone so timing does not tell which phones exist.
    ok = hasher.verify(user.password_hash if user else _DUMMY_HASH.get(hasher), password)
    if not (ok and user):
        with uow.transaction() as accounts:
            if accounts.failures_of(phone) >= domain.LOCKOUT_FAILURES:
                accounts.lock(phone, clock.utcnow(), domain.LOCKOUT_WINDOW)
        raise DomainError("invalid_credentials", "手机号码或密码不正确")
    with uow.transaction() as accounts:
        accounts.clear_attempts(phone, now)
        if address:
            accounts.give_back_attempt(address)
    if user.disabled_at is not None:
        raise DomainError("account_disabled", "该账号已停用，如有疑问请联系法院")
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=ttl_hours)
    with uow.transaction() as accounts:
        accounts.add_session(
            Session(token_hash=token_digest(token), user_id=user.id, created_at=now, expires_at=expires_at)
        )
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


def _locked() -> DomainError:
    return DomainError("rate_limited", "登录失败次数过多，该手机号码已被锁定15分钟，请稍后再试")


def resolve(uow: IdentityWork, token: Any) -> dict | None:
    """The signed-in user behind a token, or None when it is unknown, expired, revoked or
    its account disabled."""
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    with uow.read() as accounts:
        row = accounts.session(token_digest(token))
        if row is None or row.revoked_at is not None or clock.as_aware(row.expires_at) <= clock.utcnow():
            return None
        user = accounts.user(row.user_id)
        if user is None or user.disabled_at is not None:
            return None
        return dict(principal(user), session_expires_at=clock.isoformat(clock.as_aware(row.expires_at)))


def logout(uow: IdentityWork, token: str, everywhere: bool = False) -> tuple[str, int | None]:
    """End this sign-in, or with ``everywhere`` every sign-in of its account. Returns the
    token's digest and, for ``everywhere``, the account whose sign-ins all ended."""
    digest = token_digest(token)
    with uow.transaction() as accounts:
        row = accounts.session(digest)
        if row is None:
            return digest, None
        if everywhere:
            accounts.end_sessions(row.user_id)
            return digest, row.user_id
        if row.revoked_at is None:
            row.revoked_at = clock.utcnow()
    return digest, None


# -- recovery and control -------------------------------------------------------------------


def reset_password(
    uow: IdentityWork, hasher: Hasher, texts: Texts, phone: Any, sms_code: Any, new_password: Any
) -> int:
    """找回密码: a code texted to the phone proves it; every sign-in of the account ends.
    Returns the account's id."""
    phone = domain.check_phone(phone)
    password = domain.check_password(new_password)
    code_id = _checked_code(uow, phone, "reset_password", sms_code)
    with uow.read() as accounts:
        user = accounts.user_with_phone(phone)
        if user is None:  # no code was texted for it: nobody could know one
            raise domain.invalid_sms_code()
    password_hash = hasher.hash(password)
    with uow.transaction() as accounts:
        _consume(accounts, code_id)
        accounts.set_password(user.id, password_hash)
        accounts.end_sessions(user.id)
        # The phone is proven: earlier failed logins no longer hold it locked.
        accounts.forget_attempts(phone)
    texts.send(user.phone, "password_changed", {})
    return user.id


def change_password(
    uow: IdentityWork, hasher: Hasher, texts: Texts, token: str, old_password: Any, new_password: Any
) -> int:
    """修改密码 by a signed-in user: the old password proves it is still them (counted as a
    login attempt would be); every other sign-in of the account ends."""
    fields = {
        k: "应为文本"
        for k, v in (("old_password", old_password), ("new_password", new_password))
        if not isinstance(v, str)
    }
    if fields:
        raise validation_error(fields)
    digest = token_digest(token)
    now = clock.utcnow()
    with uow.read() as accounts:
        row = accounts.session(digest)
        user = accounts.user(row.user_id) if row is not None else None
    if user is None:
        raise DomainError("unauthenticated", "请先登录")
    with uow.transaction() as accounts:
        if not accounts.take_attempt(user.phone, now, domain.LOCKOUT_FAILURES, domain.LOCKOUT_WINDOW):
            raise _locked()
    if len(old_password) > domain.MAX_PASSWORD or not hasher.verify(user.password_hash, old_password):
        raise DomainError("wrong_password", "原密码不正确")
    password = domain.check_password(new_password)
    password_hash = hasher.hash(password)
    with uow.transaction() as accounts:
        accounts.clear_attempts(user.phone, now)
        accounts.set_password(user.id, password_hash)
        accounts.end_sessions(user.id, keep=digest)
    texts.send(user.phone, "password_changed", {})  # the holder learns of it if it was not them
    return user.id


def set_disabled(uow: IdentityWork, actor: Actor, user_id: Any, disabled: bool) -> int:
    """An admin disables (or enables again) an account; disabling ends its sign-ins."""
    _require_admin(actor)
    target = _user_id(user_id)
    if disabled and target == actor.get("id"):
        raise DomainError("cannot_disable_self", "不能停用自己的账号")
    with uow.transaction() as accounts:
        user = accounts.user(target)
        if user is None:
            raise DomainError("not_found", "用户不存在")
        if disabled and user.disabled_at is None:
            user.disabled_at = clock.utcnow()
            accounts.end_sessions(user.id)
        elif not disabled:
            user.disabled_at = None
    return target


def _user_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError("not_found", "用户不存在") from None
    if not 0 < number < 2**31:
        raise DomainError("not_found", "用户不存在")
    return number


def list_users(
    uow: IdentityWork, actor: Actor, role: Any = None, q: Any = None, limit: Any = 20, cursor: Any = None
) -> dict:
    """账号管理: accounts, newest first, found by role and by a part of the name or phone."""
    _require_admin(actor)
    if role not in (None, "", *domain.PUBLIC_ROLES, *domain.STAFF_ROLES):
        raise validation_error({"role": "角色不正确"})
    term = None
    if q:
        if not isinstance(q, str) or len(q) > 50:
            raise validation_error({"q": "应为不超过50个字符的文本"})
        term = q.strip() or None
    with uow.read() as accounts:
        rows, next_cursor = accounts.users(role or None, term, limit, cursor)
        return {"items": [admin_user(u) for u in rows], "next_cursor": next_cursor}


# -- real-name verification (实名认证) --------------------------------------------------------


def request_verification(
    uow: IdentityWork, provider: Verifier, texts: Texts, actor: Actor, materials: Any
) -> VerificationViewJson | VerificationCreatedJson:
    """The account holder asks to be verified with photos or scans of their identity
    document (materials the applications service has described as theirs)."""
    user_id = _actor_id(actor)
    if actor.get("role") not in domain.NEEDS_VERIFICATION:
        raise DomainError("forbidden", "工作人员账号无需实名认证")
    refs = _identity_materials(materials)
    with uow.transaction() as accounts:
        accounts.take_turns("verification", user_id)  # one request at a time per account
        user = accounts.user(user_id)
        if user is None:
            raise DomainError("not_found", "用户不存在")
        if user.verified_at is not None:
            raise DomainError("already_verified", "该账号已完成实名认证")
        if accounts.has_pending_verification(user_id):
            raise DomainError("duplicate_pending", "实名认证申请正在审核中，请勿重复提交")
        row = Verification(
            user_id=user_id,
            status="pending",
            via=provider.name,
            materials=json.dumps(refs, ensure_ascii=False),
            submitted_at=clock.utcnow(),
        )
        verification_id = accounts.add_verification(row).id
    outcome = provider.check(principal_of(uow, user_id), refs)
    if outcome is not None:  # a provider that answers at once (a face or ID-card check)
        status, explanation = outcome
        return _decide(uow, texts, verification_id, status, explanation, decided_by=None, decided_by_name=provider.name)
    return {"id": verification_id, "status": "pending"}


def _identity_materials(materials: Any) -> list[dict]:
    if not isinstance(materials, list) or not materials:
        raise DomainError(
            "materials_missing", "请上传本人身份证件的照片或扫描件", {"missing": [domain.VERIFICATION_KIND]}
        )
    refs = []
    for item in materials:
        if not isinstance(item, dict) or item.get("kind") != domain.VERIFICATION_KIND:
            raise validation_error({"material_ids": "实名认证只能使用“本人身份证件”类材料"})
        refs.append({k: item.get(k) for k in ("id", "kind", "filename", "content_type", "size")})
    return refs


def principal_of(uow: IdentityWork, user_id: int) -> Actor:
    with uow.read() as accounts:
        return principal(accounts.user(user_id))


def staff_verifications(
    uow: IdentityWork, actor: Actor, status: Any = "pending", limit: Any = 20, cursor: Any = None
) -> dict:
    """The 实名认证 queue (oldest first) or what was decided (newest first), for clerks and
    admins of any court: an account is not a court's."""
    _require_verifier(actor)
    status = status or "pending"
    if status not in domain.VERIFICATION_STATUSES:
        raise validation_error({"status": "应为 pending、approved 或 rejected"})
    with uow.read() as accounts:
        rows, next_cursor = accounts.verifications(status, limit, cursor)
        items = [verification_view(row, accounts.user(row.user_id)) for row in rows]
        return {"items": items, "next_cursor": next_cursor}


def decide_verification(
    uow: IdentityWork, texts: Texts, actor: Actor, verification_id: Any, body: Any
) -> VerificationViewJson:
    _require_verifier(actor)
    target = _user_id(verification_id)
    decision, explanation = domain.check_decision(body)
    with uow.read() as accounts:
        if accounts.verification(target) is None:
            raise DomainError("not_found", "实名认证申请不存在")
    status = "approved" if decision == "approve" else "rejected"
    return _decide(uow, texts, target, status, explanation, decided_by=actor["id"], decided_by_name=actor.get("name"))


def _decide(
    uow: IdentityWork,
    texts: Texts,
    verification_id: int,
    status: str,
    explanation: str | None,
    decided_by: int | None,
    decided_by_name: str | None,
) -> VerificationViewJson:
    now = clock.utcnow()
    with uow.transaction() as accounts:
        row = accounts.decide_pending_verification(
            verification_id,
            status=status,
            decided_at=now,
            decided_by=decided_by,
            decided_by_name=decided_by_name,
            explanation=explanation,
        )
        if row is None:  # of two deciding at once, one wins
            raise DomainError("invalid_state", "该实名认证申请已处理")
        user = accounts.user(row.user_id)
        assert user is not None  # a verification belongs to an account (users.id)
        if status == "approved":
            user.verified_at, user.verified_via = now, row.via
        view = verification_view(row, user)
        phone = user.phone
    if status == "approved":
        texts.send(phone, "verification_approved", {})
    else:
        # SMS gateways cap a template variable (Aliyun: 35 characters); the page shows it whole
        reason = explanation or ""
        texts.send(phone, "verification_rejected", {"explanation": reason if len(reason) <= 30 else reason[:29] + "…"})
    return view


def verification_states(uow: IdentityWork, user_ids: Any) -> dict[str, dict]:
    """How each account was verified, for the clerks deciding on what it asked for."""
    if not isinstance(user_ids, list) or len(user_ids) > 500:
        return {}
    ids = [i for i in user_ids if isinstance(i, int)]
    with uow.read() as accounts:
        users = accounts.users_among(ids)
        return {str(u.id): verification_state(u) for u in users}


def _require_verifier(actor: Actor) -> None:
    if not isinstance(actor, dict) or actor.get("role") not in ("clerk", "admin"):
        raise DomainError("forbidden", "仅审查人或管理员可以处理实名认证")


def _actor_id(actor: Any) -> int:
    if not isinstance(actor, dict) or not isinstance(actor.get("id"), int):
        raise DomainError("forbidden", "请先登录")
    return actor["id"]


def me(uow: IdentityWork, user_id: int) -> MeJson:
    with uow.read() as accounts:
        user = accounts.user(user_id)
        if user is None:
            raise DomainError("not_found", "用户不存在")
        return own_account(user, accounts.latest_verification_of(user_id))


def _require_admin(actor: Actor) -> None:
    if not isinstance(actor, dict) or actor.get("role") != "admin":
        raise DomainError("forbidden", "仅管理员可以执行此操作")


def create_staff(uow: IdentityWork, hasher: Hasher, actor: Actor, body: Any) -> UserJson:
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


def create_user(uow: IdentityWork, hasher: Hasher, **fields: Any) -> UserJson:
    password_hash = hasher.hash(fields.pop("password"))
    try:
        with uow.transaction() as accounts:
            user = User(password_hash=password_hash, created_at=clock.utcnow(), **fields)
            return public_user(accounts.add_user(user))
    except Conflict:
        raise DomainError("phone_taken", "该手机号码已注册") from None


def import_lawyers(uow: IdentityWork, actor: Actor, body: Any) -> dict:
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
    with uow.transaction() as accounts:
        for license_no, (name, firm) in entries.items():
            accounts.register_lawyer(license_no, name, firm)
    return {"imported": len(entries)}


def ensure_admin(
    uow: IdentityWork, hasher: Hasher, phone: str | None, password: str | None, log: Callable[[str], None] = print
) -> bool:
    """Create the first admin from the environment, once, if no admin exists. The phone and
    password pass the checks any staff account's do, so a mistyped phone or a weak password
    never becomes the court's admin; the log says which setting was refused (never its value)."""
    if not phone or not password:
        return False
    with uow.read() as accounts:
        if accounts.has_admin():
            return False
    try:
        domain.check_phone(phone)
    except DomainError:
        log("bootstrap admin not created: BOOTSTRAP_ADMIN_PHONE is not an 11-digit mobile number")
        return False
    try:
        domain.check_password(password)
    except DomainError:
        log("bootstrap admin not created: BOOTSTRAP_ADMIN_PASSWORD fails the password rules (staff accounts' own)")
        return False
    try:
        create_user(uow, hasher, phone=phone, password=password, name="系统管理员", role="admin", court=None)
    except DomainError:
        log("bootstrap admin not created: BOOTSTRAP_ADMIN_PHONE is already another account's")
        return False
    log("bootstrap admin created")
    return True


# -- housekeeping -------------------------------------------------------------------------


Housekeeping = RepositoryUnitOfWork[IdentityRepository]  # purges go through sessions (housekeeping.purge)


def purge_sessions(uow: Housekeeping) -> int:
    """Sign-ins expired for longer than SESSION_RETENTION_DAYS (1). A token whose row is
    gone is refused as an expired one is: ``resolve`` knows no difference."""
    age = housekeeping.retention("SESSION_RETENTION_DAYS", 1)
    return housekeeping.purge(uow.uow, Session, repository.expired_sessions(age))


def purge_login_throttles(uow: Housekeeping) -> int:
    """Failed-login counts whose window, and any lockout, ended more than
    LOGIN_THROTTLE_RETENTION_HOURS (24) ago: they no longer count against anyone."""
    age = housekeeping.retention("LOGIN_THROTTLE_RETENTION_HOURS", 24, unit="hours")
    before = housekeeping.cutoff(age)
    return housekeeping.purge(uow.uow, LoginThrottle, repository.spent_throttles(before, domain.LOCKOUT_WINDOW))


def purges(uow: Housekeeping) -> list[tuple[str, Callable[[], int]]]:
    return [("sessions", lambda: purge_sessions(uow)), ("login throttles", lambda: purge_login_throttles(uow))]
