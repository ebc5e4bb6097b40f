"""Wire shapes more than one service answers with or takes: paging, the application object
(API.md "Dossier-reading applications": applications and review both serve it), the
JSON Schema of a case number and of dates. Each service's schemas.py builds on these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field
from pydantic.json_schema import JsonDict

from services.common.uploads import MATERIAL_KINDS
from services.common.wire import Answer, Body

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


class MaterialRef(Answer):
    id: str
    kind: Kind
    filename: str
    content_type: str | None = None
    size: int | None = None


class Applicant(Answer):
    name: str
    role: Literal["party", "lawyer"] | None = None
    relation: str | None = Field(
        None, description="与案件的关系：party、lawyer_of_record、lawyer_bound、lawyer_archived"
    )
    license_no: str | None = None
    law_firm: str | None = None
    acts_for: str | None = Field(None, description="律师代理的当事人")


class Review(Answer):
    """审查信息."""

    reviewer: str | None
    reviewed_at: str | None = Field(json_schema_extra=DATE_TIME)
    opinion: Literal["approve", "reject", "return"]
    explanation: str | None
    mode: Literal["online", "onsite"] | None


class Booking(Answer):
    """预约到场."""

    date: str = Field(json_schema_extra=DAY)
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["12:00"])


class OnlineReading(Answer):
    """在线阅卷: readable until the end of ``valid_until`` (Asia/Shanghai)."""

    mode: Literal["online"]
    valid_until: str = Field(json_schema_extra=DAY)
    documents: list[int] | None = Field(None, description="可查阅的正卷文件；null 为全部正卷")
    document_titles: list[str] | None = None
    print: bool = Field(True, description="是否允许打印")


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


class Revocation(Answer):
    """已终止: when and why the reader's relation to the case ended."""

    at: str | None = Field(json_schema_extra=DATE_TIME)
    reason: str | None


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
    changes: dict[str, Any] | None = Field(None, description="补正改了什么（重新申请的回答）")
