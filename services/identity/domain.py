"""Identity rules: who may register, password strength, login lockout. No I/O here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal, overload

from services.common.court import text
from services.common.court.people import is_valid_id_number, is_valid_phone, normalise_id_number
from services.common.infra import config
from services.common.infra.errors import DomainError, validation_error

PUBLIC_ROLES = ("party", "lawyer")  # 当事人, 律师: may sign up themselves
STAFF_ROLES = ("clerk", "archivist", "admin")  # 审查人, 档案室, 管理员: created by an admin
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MAX_PASSWORD = 128


@overload
def clean_text(value: Any, field: str, *, max_len: int, required: Literal[True] = True) -> str: ...
@overload
def clean_text(value: Any, field: str, *, max_len: int, required: bool) -> str | None: ...
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
    "explanation": "说明",
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
    if value.lower() in common_passwords():
        raise DomainError("weak_password", "该密码过于常见，容易被猜中，请换一个")
    return value


@cache
def common_passwords() -> frozenset[str]:
    """The commonest passwords that would pass the length and kinds rule (lower-cased):
    the first guesses of anyone trying phones one by one."""
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


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


def check_role(value: Any) -> str:
    if value not in PUBLIC_ROLES:
        raise validation_error({"role": "应为 party 或 lawyer"}, "请选择身份：当事人或律师")
    return value


def parse_registration(body: dict[str, Any]) -> Registration:
    """Validate a sign-up in the order a person fixes a form: fields, then each rule (the
    wire model, schemas.Registration)."""
    from services.identity.schemas import Registration as Form  # it is built on this module's rules

    form = Form.parse(body)
    return Registration(form.phone, form.password, form.name, form.id_number, form.role, form.license_no, form.law_firm)


def lawyer_matches(registry_entry: Any, reg: Registration) -> bool:
    return registry_entry is not None and registry_entry.name == reg.name and registry_entry.law_firm == reg.law_firm


# -- login lockout ------------------------------------------------------------------------
# Attempts are counted before the password is checked (repository.take_attempt), so a
# burst of parallel guesses cannot slip past the count while the first ones are checked.


def address_failures() -> int:
    """Failed logins one client address may make within the window, over all phones, before
    its logins are refused: one address must not lock many people out."""
    return int(config.get("LOGIN_ADDRESS_FAILURES", 20))


# -- SMS codes (短信验证码) ----------------------------------------------------------------
SMS_PURPOSES = ("register", "reset_password")
SMS_CODE_TTL = timedelta(minutes=10)
SMS_CODE_TRIES = 5  # wrong tries after which a code is dead
SMS_PER_MINUTE = 1  # per phone, all purposes together
SMS_PER_DAY = 10


def new_sms_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def sms_code_digest(phone: str, purpose: str, code: str) -> str:
    return hashlib.sha256(f"{purpose}:{phone}:{code}".encode()).hexdigest()


def check_purpose(value: Any) -> str:
    if value not in SMS_PURPOSES:
        raise validation_error({"purpose": "应为 register 或 reset_password"}, "验证码用途不正确")
    return value


def is_code_shape(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()


def invalid_sms_code() -> DomainError:
    return DomainError("invalid_sms_code", "短信验证码不正确或已过期，请重新获取")


# -- real-name verification (实名认证) --------------------------------------------------------
NEEDS_VERIFICATION = PUBLIC_ROLES  # staff accounts are created by an admin who knows them
VERIFICATION_KIND = "identity"
VERIFIED_VIA_LABELS = {"manual": "人工核验身份证件"}


VERIFICATION_STATUSES = ("pending", "approved", "rejected")


def oldest_first(status: str) -> bool:
    """The pending 实名认证 queue is worked oldest first (先到先审, API.md); what was decided is
    a history, read from its latest request back."""
    return status == "pending"


def via_label(via: str | None) -> str | None:
    if not via:
        return None
    return VERIFIED_VIA_LABELS.get(via, via)


def check_decision_value(value: Any) -> str:
    if value not in ("approve", "reject"):
        raise validation_error({"decision": "应为 approve 或 reject"}, "请选择通过或不通过")
    return value


# What a clerk's approval says when they write nothing (the console leaves it to this).
APPROVE_TEXT = "证件与注册信息一致"


def check_decision(body: Any) -> tuple[str, str | None]:
    """实名认证审核 (the wire model, schemas.VerificationDecision); a rejection carries its
    reason (required), an approval without one says :data:`APPROVE_TEXT`."""
    from services.identity.schemas import VerificationDecision  # it is built on this module's rules

    decision = VerificationDecision.parse(body)
    if decision.decision == "approve" and not decision.explanation:
        return decision.decision, APPROVE_TEXT
    return decision.decision, decision.explanation
