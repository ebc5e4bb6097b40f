"""Identity rules: who may register, password strength, login lockout. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.common import text
from services.common.errors import DomainError, validation_error
from services.common.people import is_valid_id_number, is_valid_phone, normalise_id_number

PUBLIC_ROLES = ("party", "lawyer")  # 当事人, 律师: may sign up themselves
STAFF_ROLES = ("clerk", "archivist", "admin")  # 审查人, 档案室, 管理员: created by an admin
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_PASSWORD = 128


def clean_text(value: Any, field: str, *, max_len: int, required: bool = True) -> str | None:
    return text.clean_text(value, field, max_len=max_len, required=required, label=_LABELS.get(field, field))


_LABELS = {
    "name": "姓名",
    "phone": "手机号码",
    "password": "密码",
    "id_number": "身份证号码",
    "license_no": "执业证号",
    "law_firm": "律师事务所",
    "court": "法院",
}


def check_phone(value: Any) -> str:
    if not is_valid_phone(value):
        raise DomainError("invalid_phone", "手机号码格式不正确，请输入11位中国大陆手机号码")
    return value


def check_password(value: Any) -> str:
    """At least 8 characters with at least two kinds of: lower, upper, digit, other."""
    if not isinstance(value, str):
        raise validation_error({"password": "应为文本"})
    if len(value) > MAX_PASSWORD:
        raise validation_error({"password": f"不能超过{MAX_PASSWORD}个字符"})
    # ASCII classes: a Chinese character counts as "other", like punctuation.
    kinds = sum(
        (
            any("a" <= c <= "z" for c in value),
            any("A" <= c <= "Z" for c in value),
            any("0" <= c <= "9" for c in value),
            any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in value),
        )
    )
    if len(value) < 8 or kinds < 2:
        raise DomainError("weak_password", "密码至少8位，且包含小写字母、大写字母、数字、其他字符中的至少两种")
    return value


def check_id_number(value: Any) -> str:
    if not is_valid_id_number(value):
        raise DomainError("invalid_id_number", "身份证号码不正确，请核对后重新输入")
    return normalise_id_number(value)


@dataclass(frozen=True)
class Registration:
    phone: str
    password: str
    name: str
    id_number: str
    role: str
    license_no: str | None
    law_firm: str | None


def parse_registration(body: dict[str, Any]) -> Registration:
    """Validate a sign-up in the order a person fixes a form: fields, then each rule."""
    role = body.get("role")
    if role not in PUBLIC_ROLES:
        raise validation_error({"role": "应为 party 或 lawyer"}, "请选择身份：当事人或律师")
    name = clean_text(body.get("name"), "name", max_len=50)
    phone = check_phone(body.get("phone"))
    password = check_password(body.get("password"))
    id_number = check_id_number(body.get("id_number"))
    license_no = law_firm = None
    if role == "lawyer":
        license_no = clean_text(body.get("license_no"), "license_no", max_len=32)
        law_firm = clean_text(body.get("law_firm"), "law_firm", max_len=100)
    return Registration(phone, password, name, id_number, role, license_no, law_firm)


def lawyer_matches(registry_entry: Any, reg: Registration) -> bool:
    return registry_entry is not None and registry_entry.name == reg.name and registry_entry.law_firm == reg.law_firm


@dataclass
class Throttle:
    """Failed logins of one phone: 5 within 15 minutes lock it for 15 minutes."""

    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def record_failure(self, now: datetime) -> None:
        if self.first_failure_at is None or now - self.first_failure_at > LOCKOUT_WINDOW:
            self.failures, self.first_failure_at = 0, now
        self.failures += 1
        if self.failures >= LOCKOUT_FAILURES:
            self.locked_until = now + LOCKOUT_WINDOW
            self.failures, self.first_failure_at = 0, None
