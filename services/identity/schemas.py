"""Wire shapes of identity: what clients send (models, checked by identity's own rules)
and what they get back (models for the document, and the functions that build them)."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal, NotRequired, TypedDict

from pydantic import Field, ValidationInfo
from pydantic.json_schema import JsonDict

from services.common.court import clock
from services.common.court.people import mask_id_number, mask_phone
from services.common.infra.actor import Actor
from services.common.infra.shapes import DATE_TIME, PageQuery
from services.common.infra.wire import Answer, Body, Described, Page, optional, required, ruled, text_schema
from services.identity import domain

PHONE: JsonDict = {"type": "string", "pattern": r"^1[3-9]\d{9}$", "examples": ["13800000000"]}
ID_NUMBER: JsonDict = {"type": "string", "pattern": r"^\d{17}[\dXx]$", "examples": ["440106199001011235"]}
PASSWORD: JsonDict = {"type": "string", "minLength": 8, "maxLength": domain.MAX_PASSWORD, "examples": ["Court-2026"]}
SMS_CODE: JsonDict = {"type": "string", "pattern": r"^\d{6}$", "examples": ["123456"]}
ANY_TEXT: JsonDict = {"type": "string"}


def _passed(value: Any) -> Any:
    """A field whose rule runs later in the service (an SMS code is checked against the
    phone's codes): taken as sent, described in the document."""
    return value


def _text(field: str, max_len: int, *, required: bool = True) -> Any:
    return ruled(lambda v: domain.clean_text(v, field, max_len=max_len, required=required), text_schema(max_len))


def _if_lawyer(field: str, max_len: int) -> Any:
    def rule(value: Any, info: ValidationInfo) -> str | None:
        return domain.clean_text(value, field, max_len=max_len) if info.data.get("role") == "lawyer" else None

    return ruled(rule, {"type": "string", "minLength": 1, "maxLength": max_len})


# -- what clients send -----------------------------------------------------------------------


class SmsCodeRequest(Body):
    """获取短信验证码."""

    example: ClassVar = {"phone": "13800000000", "purpose": "register"}
    phone: Annotated[str, *ruled(domain.check_phone, PHONE)] = required("手机号码（11位）")
    purpose: Annotated[
        Literal["register", "reset_password"],
        *ruled(domain.check_purpose, {"type": "string", "enum": list(domain.SMS_PURPOSES)}),
    ] = required("register：注册；reset_password：找回密码")


class Registration(Body):
    """注册（当事人、律师）. Checked in the order a person fixes the form."""

    example: ClassVar = {
        "role": "party",
        "name": "张三",
        "phone": "13800000000",
        "password": "Court-2026",
        "id_number": "440106199001011235",
        "sms_code": "123456",
    }
    role: Annotated[
        Literal["party", "lawyer"], *ruled(domain.check_role, {"type": "string", "enum": list(domain.PUBLIC_ROLES)})
    ] = required("party：当事人；lawyer：律师")
    name: Annotated[str, *_text("name", 50)] = required("姓名")
    phone: Annotated[str, *ruled(domain.check_phone, PHONE)] = required("手机号码")
    password: Annotated[str, *ruled(domain.check_password, PASSWORD)] = required(
        "至少8位，含小写字母、大写字母、数字、其他字符中的至少两种"
    )
    id_number: Annotated[str, *ruled(domain.check_id_number, ID_NUMBER)] = required("身份证号码（18位）")
    license_no: Annotated[str | None, *_if_lawyer("license_no", 32)] = optional(
        "执业证号（律师必填）", ruled_when_missing=True
    )
    law_firm: Annotated[str | None, *_if_lawyer("law_firm", 100)] = optional(
        "律师事务所（律师必填）", ruled_when_missing=True
    )
    sms_code: Annotated[str, *ruled(_passed, SMS_CODE)] = required("发往该手机的注册验证码")


class Credentials(Body):
    """登录."""

    example: ClassVar = {"phone": "13800000000", "password": "Court-2026"}
    message: ClassVar = "请输入手机号码和密码"
    field_message: ClassVar = "应为文本"
    phone: str = Field(min_length=1, description="手机号码", examples=["13800000000"])
    password: str = Field(min_length=1, description="密码", examples=["Court-2026"])


class Logout(Body):
    """退出登录（请求体可省略）."""

    example: ClassVar = {"everywhere": False}
    everywhere: Annotated[bool, *ruled(bool, {"type": "boolean", "default": False})] = optional(
        "true：退出该账号的所有设备"
    )


class PasswordReset(Body):
    """找回密码."""

    example: ClassVar = {"phone": "13800000000", "sms_code": "123456", "new_password": "Court-2027"}
    phone: Annotated[str, *ruled(domain.check_phone, PHONE)] = required("手机号码")
    new_password: Annotated[str, *ruled(domain.check_password, PASSWORD)] = required("新密码")
    sms_code: Annotated[str, *ruled(_passed, SMS_CODE)] = required("发往该手机的找回密码验证码")


class PasswordChange(Body):
    """修改密码."""

    example: ClassVar = {"old_password": "Court-2026", "new_password": "Court-2027"}
    field_message: ClassVar = "应为文本"
    old_password: str = Field(description="原密码", examples=["Court-2026"])
    new_password: str = Field(description="新密码（规则同注册）", json_schema_extra=PASSWORD)


class VerificationRequest(Described):
    """申请实名认证: uploads of kind ``identity`` (applications checks their owner and kind)."""

    example: ClassVar = {"material_ids": ["3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10"]}
    material_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(
        min_length=1, max_length=30, description="本人身份证件的材料编号（POST /api/v1/uploads，kind=identity）"
    )


# -- what clients get back -------------------------------------------------------------------


class _MaskedAccount(TypedDict):
    id: int
    role: str
    name: str
    phone: str
    verified: bool


class UserJson(_MaskedAccount):
    id_number: str | None
    license_no: NotRequired[str]
    law_firm: NotRequired[str]
    court: NotRequired[str]


class User(Answer):
    """An account as a client sees it: phone and ID number masked."""

    example: ClassVar = {
        "id": 7,
        "role": "lawyer",
        "name": "李律师",
        "phone": "138****0000",
        "id_number": "4401**********1234",
        "verified": True,
        "license_no": "14401201510000000",
        "law_firm": "广东某某律师事务所",
    }
    id: int
    role: Literal["party", "lawyer", "clerk", "archivist", "admin"]
    name: str
    phone: str = Field(description="脱敏，如 138****0000")
    id_number: str | None = Field(description="脱敏，如 4401**********1234")
    verified: bool = Field(description="是否已实名认证")
    license_no: str | None = Field(None, description="律师的执业证号")
    law_firm: str | None = Field(None, description="律师事务所")
    court: str | None = Field(None, description="工作人员所在法院")


class VerificationStateJson(TypedDict):
    id: int
    status: str
    explanation: str | None


class VerificationState(Answer):
    id: int
    status: Literal["pending", "approved", "rejected"]
    explanation: str | None


class MeJson(UserJson):
    verification: VerificationStateJson | None
    verified_via: NotRequired[str | None]
    verified_at: NotRequired[str | None]


class Me(User):
    """GET /me: the account and where its 实名认证 stands."""

    example: ClassVar = {
        **User.example,
        "verification": {"id": 2, "status": "approved", "explanation": None},
        "verified_via": "人工核验身份证件",
        "verified_at": "2026-05-17T15:00:00+08:00",
    }
    verification: VerificationState | None
    verified_via: str | None = Field(None, description="如何认证（已认证时）")
    verified_at: str | None = Field(None, description="认证时间（已认证时）", json_schema_extra=DATE_TIME)


class SignIn(Answer):
    """A sign-in: the bearer token for ``Authorization: Bearer <token>``."""

    token: str
    expires_at: str = Field(json_schema_extra=DATE_TIME)
    user: User


class VerificationCreatedJson(TypedDict):
    id: int
    status: str


class VerificationCreated(Answer):
    id: int
    status: Literal["pending", "approved", "rejected"]


def _masked_account(user) -> _MaskedAccount:
    """Who an account is, its phone masked, and whether it is verified (实名认证)."""
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": mask_phone(user.phone),
        "verified": user.verified_at is not None,
    }


def public_user(user) -> UserJson:
    """What a client may see of an account (API.md GET /me): phone and ID number masked."""
    data: UserJson = {
        **_masked_account(user),
        "id_number": mask_id_number(user.id_number) if user.id_number else None,
    }
    if user.license_no:
        data["license_no"] = user.license_no
    if user.law_firm:
        data["law_firm"] = user.law_firm
    if user.court:
        data["court"] = user.court
    return data


def own_account(user, latest_verification) -> MeJson:
    """GET /me: the account, and where its 实名认证 stands."""
    data: MeJson = {
        **public_user(user),
        "verification": None
        if latest_verification is None
        else {
            "id": latest_verification.id,
            "status": latest_verification.status,
            "explanation": latest_verification.explanation,
        },
    }
    if user.verified_at is not None:
        data["verified_via"] = domain.via_label(user.verified_via)
        data["verified_at"] = clock.isoformat(clock.as_aware(user.verified_at))
    return data


def admin_user(user) -> AdminUserJson:
    """账号管理 list row: phone masked; whether verified and whether disabled."""
    data: AdminUserJson = {
        **_masked_account(user),
        "disabled": user.disabled_at is not None,
        "created_at": clock.isoformat(clock.as_aware(user.created_at)),
    }
    if user.court:
        data["court"] = user.court
    return data


def verification_state(user) -> dict:
    """How an account was verified, as clerks see it beside what the account asked for."""
    at = clock.as_aware(user.verified_at)
    return {
        "verified": at is not None,
        "via": user.verified_via,
        "label": domain.via_label(user.verified_via),
        "at": clock.isoformat(at) if at else None,
        "disabled": user.disabled_at is not None,
    }


def verification_view(row, user) -> VerificationViewJson:
    """A 实名认证 request as the queue shows it: the account's real data unmasked, since
    the clerk compares it with the document."""
    person: ApplicantJson = {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "id_number": user.id_number,
        "phone": user.phone,
    }
    if user.license_no:
        person["license_no"] = user.license_no
    if user.law_firm:
        person["law_firm"] = user.law_firm
    return {
        "id": row.id,
        "at": clock.isoformat(clock.as_aware(row.submitted_at)),
        "status": row.status,
        "via": row.via,
        "via_label": domain.via_label(row.via),
        "decided_at": clock.isoformat(clock.as_aware(row.decided_at)) if row.decided_at else None,
        "decided_by_name": row.decided_by_name,
        "explanation": row.explanation,
        "user": person,
        "materials": json.loads(row.materials or "[]"),
    }


def principal(user) -> Actor:
    """The verified identity the gateway hands to services with every call. Internal only:
    it carries the unmasked ID number, which case_binding matches parties on, and the
    phone, which review texts decisions to."""
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": user.phone,
        "id_number": user.id_number,
        "license_no": user.license_no,
        "law_firm": user.law_firm,
        "court": user.court,
        "verified": user.verified_at is not None,
    }


class PageSession(Answer):
    """A page sign-in: the session is in the HttpOnly cookie, not in the answer."""

    user: User
    expires_at: str = Field(json_schema_extra=DATE_TIME)


# -- the console's account routes (实名认证 queue, 账号管理, staff, the lawyer registry) --------


class VerificationQuery(PageQuery):
    status: Literal["pending", "approved", "rejected"] = Field("pending", description="队列的状态，默认 pending")


def _verification_explanation(value: Any, info: ValidationInfo) -> str | None:
    return domain.clean_text(value, "explanation", max_len=500, required=info.data.get("decision") == "reject")


class VerificationDecision(Body):
    """实名认证审核: 通过 or 不通过 (with the reason)."""

    example: ClassVar = {"decision": "reject", "explanation": "身份证照片不清晰，请重新上传"}
    decision: Annotated[
        Literal["approve", "reject"],
        *ruled(domain.check_decision_value, {"type": "string", "enum": ["approve", "reject"]}),
    ] = required("approve 通过，reject 不通过")
    explanation: Annotated[str | None, *ruled(_verification_explanation, text_schema(500, required=False))] = optional(
        f"说明（不通过时必填；通过时不填则为「{domain.APPROVE_TEXT}」）", ruled_when_missing=True
    )


class ApplicantJson(TypedDict):
    id: int
    name: str
    role: str
    id_number: str | None
    phone: str
    license_no: NotRequired[str]
    law_firm: NotRequired[str]


class Applicant(Answer):
    """The account as the clerk compares it with the document: unmasked."""

    id: int
    name: str
    role: str
    id_number: str | None
    phone: str
    license_no: str | None = None
    law_firm: str | None = None


class VerificationViewJson(TypedDict):
    id: int
    at: str | None
    status: str
    via: str | None
    via_label: str | None
    decided_at: str | None
    decided_by_name: str | None
    explanation: str | None
    user: ApplicantJson
    materials: list[dict[str, Any]]


class VerificationView(Answer):
    """A 实名认证 request in the queue."""

    id: int
    at: str = Field(json_schema_extra=DATE_TIME)
    status: Literal["pending", "approved", "rejected"]
    via: str | None
    via_label: str | None
    decided_at: str | None = Field(json_schema_extra=DATE_TIME)
    decided_by_name: str | None
    explanation: str | None
    user: Applicant
    materials: list[dict[str, Any]]


class VerificationPage(Page[VerificationView]):
    """A page of the 实名认证 review queue."""


class UserQuery(PageQuery):
    role: Literal["party", "lawyer", "clerk", "archivist", "admin"] | None = Field(None, description="只看该角色")
    q: str | None = Field(None, max_length=50, description="姓名或手机号码")


class AdminUserJson(_MaskedAccount):
    disabled: bool
    created_at: str | None
    court: NotRequired[str]


class AdminUser(Answer):
    """账号管理 list row: phone masked."""

    id: int
    role: str
    name: str
    phone: str
    verified: bool
    disabled: bool
    created_at: str = Field(json_schema_extra=DATE_TIME)
    court: str | None = None


class AdminUserPage(Page[AdminUser]):
    """A page of the accounts an admin manages."""


class StaffAccount(Described):
    """创建工作人员账号."""

    example: ClassVar = {
        "phone": "13900000001",
        "password": "Court-2026",
        "name": "王审查",
        "role": "clerk",
        "court": "广州市中级人民法院",
    }
    phone: str = Field(json_schema_extra=PHONE)
    password: str = Field(json_schema_extra=PASSWORD)
    name: str = Field(max_length=50)
    role: Literal["clerk", "archivist", "admin"]
    court: str = Field(max_length=100)


class RegistryLawyer(Answer):
    license_no: str = Field(max_length=32)
    name: str = Field(max_length=50)
    law_firm: str = Field(max_length=100)


class LawyerRegistry(Described):
    """The lawyer registry (律师名册), upserted by license number; all or nothing."""

    example: ClassVar = {
        "lawyers": [{"license_no": "14401201510000000", "name": "李律师", "law_firm": "广东某某律师事务所"}]
    }
    lawyers: list[RegistryLawyer] = Field(max_length=100000)


class Imported(Answer):
    imported: int = Field(description="导入（新增或更新）的条数")
