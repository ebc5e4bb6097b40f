"""Wire shapes more than one service answers with or takes: paging, the application object
(API.md "Dossier-reading applications": applications and review both serve it, and
:func:`application_object` is the one place that builds it), the JSON Schema of a case
number and of dates. Each service's schemas.py builds on these."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NotRequired, TypedDict

from pydantic import Field
from pydantic.json_schema import JsonDict

from services.common.court import clock, reading
from services.common.infra.uploads import MATERIAL_KINDS
from services.common.infra.wire import Answer, Body

# applications.domain.STATUSES and review's, as API.md names them (tests/unit/test_openapi.py
# checks that both services still have exactly these)
STATUSES = ("pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked")
MAX_MATERIALS = 30  # applications.domain.MAX_MATERIALS

CASE_NO: JsonDict = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "description": "案号；半角 () 或全角（）括号均可，多余空格忽略",
    "examples": ["（2021）粤01民初1号"],
}
MATERIAL_IDS: JsonDict = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 36},
    "maxItems": MAX_MATERIALS,
    "description": "申请材料的编号（POST /api/v1/uploads 的 id）",
}
DATE_TIME: JsonDict = {"format": "date-time"}
DAY: JsonDict = {"format": "date"}


class PageQuery(Body):
    """?limit=&cursor= of every list."""

    limit: int = Field(20, ge=1, le=100, description="每页条数（1–100，默认 20）")
    cursor: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_=:-]{1,200}$", description="上一页回答的 next_cursor；省略则从第一页开始"
    )


if TYPE_CHECKING:
    Kind = str  # one of MATERIAL_KINDS, checked by pydantic at run time
else:
    Kind = Literal[tuple(MATERIAL_KINDS)]


class MaterialRefJson(TypedDict):
    id: str
    kind: str
    filename: str
    content_type: NotRequired[str | None]  # an event of before content_type and size names only the first three
    size: NotRequired[int | None]


class MaterialRef(Answer):
    id: str = Field(description="上传材料时得到的 id")
    kind: Kind
    filename: str = Field(description="上传时的文件名")
    content_type: str | None = Field(None, description="文件类型；早于记录类型的材料为 null")
    size: int | None = Field(None, description="字节数；早于记录大小的材料为 null")


class ApplicantJson(TypedDict):
    name: str
    role: str | None
    relation: NotRequired[str]
    license_no: NotRequired[str]
    law_firm: NotRequired[str]
    acts_for: NotRequired[str]
    verification: NotRequired[dict[str, Any]]  # the court's staff: how the applicant was verified


class Applicant(Answer):
    name: str
    role: Literal["party", "lawyer"] | None = None
    relation: str | None = Field(
        None, description="与案件的关系：party、lawyer_of_record、lawyer_bound、lawyer_archived"
    )
    license_no: str | None = None
    law_firm: str | None = None
    acts_for: str | None = Field(None, description="律师代理的当事人")


class ReviewJson(TypedDict):
    reviewer: str | None
    reviewed_at: str | None
    opinion: str
    explanation: str | None
    mode: str | None


class Review(Answer):
    """审查信息."""

    reviewer: str | None
    reviewed_at: str | None = Field(json_schema_extra=DATE_TIME)
    opinion: Literal["approve", "reject", "return"]
    explanation: str | None
    mode: Literal["online", "onsite"] | None


class BookingJson(TypedDict):
    date: str
    start: str
    end: str


class Booking(Answer):
    """预约到场."""

    date: str = Field(json_schema_extra=DAY)
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["12:00"])


class OnlineReadingJson(TypedDict):
    mode: Literal["online"]
    valid_until: str | None
    documents: list[int] | None
    document_titles: list[str] | None
    print: bool


class OnlineReading(Answer):
    """在线阅卷: readable until the end of ``valid_until`` (Asia/Shanghai)."""

    mode: Literal["online"]
    valid_until: str = Field(json_schema_extra=DAY)
    documents: list[int] | None = Field(None, description="可查阅的正卷文件；null 为全部正卷")
    document_titles: list[str] | None = None
    print: bool = Field(True, description="是否允许打印")


class OnsiteReadingJson(TypedDict):
    mode: Literal["onsite"]
    start_date: str | None
    end_date: str | None
    notice: str | None
    attended: bool | None
    borrowed_at: str | None
    returned_at: str | None
    booking: BookingJson | None


class OnsiteReading(Answer):
    """现场阅卷: the window, the notice, and what the archivist recorded."""

    mode: Literal["onsite"]
    start_date: str = Field(json_schema_extra=DAY)
    end_date: str = Field(json_schema_extra=DAY)
    notice: str | None
    attended: bool | None = Field(description="是否到场；null 为尚未记录")
    borrowed_at: str | None = Field(json_schema_extra=DATE_TIME)
    returned_at: str | None = Field(json_schema_extra=DATE_TIME)
    booking: Booking | None = None


class RevocationJson(TypedDict):
    at: str | None
    reason: str | None


class Revocation(Answer):
    """已终止: when and why the reader's relation to the case ended."""

    at: str | None = Field(json_schema_extra=DATE_TIME)
    reason: str | None


# What an applicant may do with an application (``actions``): the names of
# applications.domain.reader_actions' answers, which that rule alone decides.
READER_ACTIONS = ("withdraw", "correct", "reapply", "view_dossier", "copy_link", "print", "book_onsite", "access_log")
ReaderAction = Literal[READER_ACTIONS]  # type: ignore[valid-type]


class ApplicationFields(TypedDict):
    """The application object but its materials, which a queue line shows with their addresses."""

    id: int | str  # the number applications issued (review holds the string it was told)
    status: str
    case_no: str
    court: str
    applicant: ApplicantJson
    applied_at: str | None
    scope: str
    reason: str
    review: ReviewJson | None
    reading: OnlineReadingJson | OnsiteReadingJson | None
    revocation: RevocationJson | None
    reapplied_from: int | str | None
    actions: list[str]
    changes: NotRequired[dict[str, Any]]  # a 补正's answer: what it changed


class ApplicationJson(ApplicationFields):
    materials: list[MaterialRefJson]


class Application(Answer):
    """The application (阅卷申请), as the detail screens show it."""

    example: ClassVar = {
        "id": 12,
        "status": "approved",
        "case_no": "（2021）粤01民初1号",
        "court": "广州市中级人民法院",
        "applicant": {"name": "李律师", "role": "lawyer", "relation": "lawyer_of_record"},
        "applied_at": "2026-05-18T09:30:00+08:00",
        "scope": "全案卷宗",
        "reason": "代理诉讼需要查阅",
        "materials": [{"id": "3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10", "kind": "license", "filename": "执业证.pdf"}],
        "review": {
            "reviewer": "王审查",
            "reviewed_at": "2026-05-18T10:00:00+08:00",
            "opinion": "approve",
            "explanation": "同意在线阅卷",
            "mode": "online",
        },
        "reading": {"mode": "online", "valid_until": "2026-06-02", "documents": None, "print": True},
        "revocation": None,
        "reapplied_from": None,
        "actions": ["view_dossier", "copy_link", "print", "access_log"],
    }
    id: int
    status: Literal[STATUSES]  # type: ignore[valid-type]
    case_no: str
    court: str
    applicant: Applicant
    applied_at: str = Field(json_schema_extra=DATE_TIME)
    scope: str
    reason: str
    materials: list[MaterialRef]
    review: Review | None
    reading: OnlineReading | OnsiteReading | None = Field(
        description="阅卷材料：在线阅卷或现场阅卷的安排；未同意时为 null"
    )
    revocation: Revocation | None = None
    reapplied_from: int | None = Field(None, description="重新申请时，原申请的编号")
    actions: list[ReaderAction] = Field(
        description="申请人现在可以做的操作（由服务端按状态与阅卷安排给出，页面据此显示按钮）："
        "withdraw 撤回申请，correct 补正，reapply 重新申请，view_dossier 查看案卷，copy_link 复制链接，"
        "print 打印，book_onsite 预约到场时间，access_log 阅卷记录。审查人、档案室查看时为空列表",
        examples=[["view_dossier", "copy_link", "print", "access_log"]],
    )
    changes: dict[str, Any] | None = Field(None, description="补正改了什么（重新申请的回答）")


# -- the application object, built once -------------------------------------------------------
# applications and review each keep a record of the application with the same column names
# (applicant_*, case_no, court, scope, reason, applied_at, status, opinion, mode, the
# decision's dates, revoked_*); each hands its record here with what only it
# knows how to read: the id as the contract spells it, the materials, the booked slot.


def review_object(row: Any) -> ReviewJson | None:
    """审查信息: None until a decision was taken."""
    if row.opinion is None:
        return None
    return {
        "reviewer": row.reviewer,
        "reviewed_at": clock.isoformat(clock.as_aware(row.reviewed_at)),
        "opinion": row.opinion,
        "explanation": row.explanation,
        "mode": row.mode,
    }


def application_object(
    row: Any,
    *,
    id: int | str,
    reapplied_from: int | str | None,
    materials: list[MaterialRefJson],
    now: datetime,
    booked: BookingJson | None = None,
    actions: list[str],
) -> ApplicationJson:
    """The application (:class:`Application`) from either service's record, its status
    computed at ``now`` (an approval whose reading is over reads ``expired``). The ids come
    as the contract spells them (each service stores them its own way); ``actions``: what
    the caller may do with it as its applicant (applications' rule; empty for staff)."""
    arrangement = reading.arrangement(row, booked)
    return {
        "id": id,
        "status": reading.effective_status(row.status, arrangement, now),
        "case_no": row.case_no,
        "court": row.court,
        "applicant": reading.applicant(row),
        "applied_at": clock.isoformat(clock.as_aware(row.applied_at)),
        "scope": row.scope,
        "reason": row.reason,
        "materials": materials,
        "review": review_object(row),
        "reading": arrangement,
        "revocation": reading.revocation(row),
        "reapplied_from": reapplied_from,
        "actions": actions,
    }
