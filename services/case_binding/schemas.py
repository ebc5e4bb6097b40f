"""Wire shapes of case_binding: the models the document describes the case directory and
案件绑定 with, and the functions that build the answers."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal, NotRequired, TypedDict

from pydantic import Field, ValidationInfo

from services.case_binding import domain
from services.common.court import clock, events
from services.common.infra.shapes import CASE_NO, DATE_TIME, MATERIAL_IDS, PageQuery
from services.common.infra.wire import Answer, Body, Described, Page, optional, required, ruled, text_schema

BINDING_STATUSES = Literal["pending", "approved", "rejected", "revoked"]
RELATIONS = Literal["party", "lawyer_of_record", "lawyer_bound", "none"]


class CaseLookupQuery(Body):
    """?case_no= of 按案号查询."""

    case_no: str = Field(description="案号；半角 () 或全角（）括号均可", examples=["（2021）粤01民初1号"])


class BindingQuery(PageQuery):
    status: BINDING_STATUSES | None = Field(None, description="只看该状态的绑定申请")


class BindingRequest(Described):
    """申请案件绑定. The case (404 first), the materials' owner and kinds, then the rest are
    checked in that order by case_binding and applications."""

    example: ClassVar = {
        "case_no": "（2021）粤01民初1号",
        "party_name": "张三",
        "material_ids": ["3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10", "0b7e5a8c-1d2f-4e3a-9b8c-7d6e5f4a3b2c"],
    }
    case_no: str = Field(json_schema_extra=CASE_NO)
    party_name: str = Field(description="所代理的当事人姓名（或单位名称）", min_length=1, max_length=100)
    material_ids: list[str] = Field(
        description="执业证（license）与授权委托书或法律援助公函（authorization）", json_schema_extra=MATERIAL_IDS
    )


class CaseRelation(Answer):
    """A case as the caller sees it, and what the caller is to it."""

    example: ClassVar = {
        "case_no": "（2021）粤01民初1号",
        "court": "广州市中级人民法院",
        "status": "in_trial",
        "has_electronic_dossier": True,
        "relation": "none",
        "can_apply": False,
        "needs_binding": True,
    }
    case_no: str
    court: str
    status: Literal["in_trial", "archived"]
    has_electronic_dossier: bool
    relation: RELATIONS
    can_apply: bool = Field(description="是否可以直接申请阅卷")
    needs_binding: bool = Field(description="律师须先申请案件绑定")


class MyCase(CaseRelation):
    cause: str | None = Field(None, description="案由")


class MyCasePage(Page[MyCase]):
    """A page of the caller's cases (我的案件)."""


class BindingJson(TypedDict):
    id: int
    case_no: str
    court: str
    party_name: str
    status: str
    materials: list[dict[str, Any]]
    applied_at: str | None
    decided_at: str | None
    reviewer: str | None
    explanation: str | None
    revoked_at: str | None


class Binding(Answer):
    """A binding application (案件绑定申请)."""

    example: ClassVar = {
        "id": 3,
        "case_no": "（2021）粤01民初1号",
        "court": "广州市中级人民法院",
        "party_name": "张三",
        "status": "pending",
        "materials": [{"id": "3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10", "kind": "license", "filename": "执业证.pdf"}],
        "applied_at": "2026-05-18T09:30:00+08:00",
        "decided_at": None,
        "reviewer": None,
        "explanation": None,
        "revoked_at": None,
    }
    id: int
    case_no: str
    court: str
    party_name: str
    status: BINDING_STATUSES
    materials: list[dict[str, Any]]
    applied_at: str = Field(json_schema_extra=DATE_TIME)
    decided_at: str | None = Field(json_schema_extra=DATE_TIME)
    reviewer: str | None
    explanation: str | None
    revoked_at: str | None = Field(None, json_schema_extra=DATE_TIME)


class BindingPage(Page[Binding]):
    """A page of the caller's binding applications (案件绑定申请)."""


class CaseSummary(TypedDict):
    """A case as the other services ask for it (``case_summary``), and the head of the case answers."""

    case_no: str
    court: str
    status: str
    has_electronic_dossier: bool


def case_summary(case) -> CaseSummary:
    return {
        "case_no": case.case_no,
        "court": case.court,
        "status": case.status,
        "has_electronic_dossier": bool(case.has_electronic_dossier or case.dossier_ingested),
    }


def staff_case(case, parties, lawyers) -> StaffCaseJson:
    """The case as the court's staff see it: no ID numbers, only who is in it as what."""
    return {
        **case_summary(case),
        "cause": case.cause,
        "parties": [
            {
                "name": p.name,
                "side": p.side,
                "kind": "organisation" if p.credit_code else "person",
                "representative": p.representative_name,
            }
            for p in parties
        ],
        "lawyers": [{"name": lw.name, "party_name": lw.party_name} for lw in lawyers],
    }


def binding(row) -> BindingJson:
    """A binding application (API.md)."""
    return {
        "id": row.id,
        "case_no": row.case_no,
        "court": row.court,
        "party_name": row.party_name,
        "status": row.status,
        "materials": json.loads(row.materials),
        "applied_at": clock.isoformat(clock.as_aware(row.applied_at)),
        "decided_at": clock.isoformat(clock.as_aware(row.decided_at)),
        "reviewer": row.decided_by,
        "explanation": row.explanation,  # once revoked, the revocation's
        "revoked_at": clock.isoformat(clock.as_aware(row.revoked_at)),
    }


def staff_binding(row) -> StaffBindingJson:
    """A binding application as the court's clerks see it: also who applied."""
    lawyer: BindingLawyerJson = {
        "id": row.lawyer_id,
        "name": row.lawyer_name,
        "license_no": row.license_no,
        "law_firm": row.law_firm,
    }
    return {**binding(row), "lawyer": lawyer}


def binding_decided_event(row, decision: str, explanation: str | None, decided_at: str) -> events.BindingDecided:
    """``binding_decided`` (docs/contracts.md): which binding, whose, of which case, with the
    lawyer's phone for review's text, and the clerk's decision."""
    return {
        **_binding_facts(row),
        "party_name": row.party_name,
        "decision": decision,
        "explanation": explanation,
        "decided_at": decided_at,
    }


def binding_revoked_event(row, explanation: str, revoked_at: str) -> events.BindingRevoked:
    """``binding_revoked``: as ``binding_decided``, with the revocation's explanation."""
    return {**_binding_facts(row), "explanation": explanation, "revoked_at": revoked_at}


def _binding_facts(row) -> events.BindingFacts:
    return {
        "binding_id": row.id,
        "lawyer_id": row.lawyer_id,
        "case_no": row.case_no,
        "court": row.court,
        "lawyer_phone": row.lawyer_phone,
    }


def representation_ended_event(case_no: str, user_id: int, reason: str, ended_at: str) -> events.RepresentationEnded:
    return {"case_no": case_no, "user_id": user_id, "reason": reason, "ended_at": ended_at}


# -- the court's side: the queue, decisions, the case feed -----------------------------------


class BindingLawyerJson(TypedDict):
    id: int
    name: str
    license_no: str | None
    law_firm: str | None


class StaffBindingJson(BindingJson):
    lawyer: BindingLawyerJson
    verification: NotRequired[dict[str, Any] | None]  # the queue's lines: how the lawyer was verified


class BindingLawyer(Answer):
    id: int
    name: str
    license_no: str | None
    law_firm: str | None


class StaffBinding(Binding):
    """A binding application as the court's clerks see it: who applied."""

    example: ClassVar = {
        **Binding.example,
        "lawyer": {"id": 7, "name": "李律师", "license_no": "14401201510000000", "law_firm": "广东某某律师事务所"},
    }
    lawyer: BindingLawyer


class StaffBindingPage(Page[StaffBinding]):
    """A page of the binding applications a clerk reviews (绑定审查)."""


def _explanation(value: Any, info: ValidationInfo) -> str | None:
    return domain.check_explanation(value, info.data.get("decision", "revoke"))


EXPLANATION = text_schema(domain.MAX_EXPLANATION, required=False)


class BindingDecision(Body):
    """审查案件绑定申请."""

    example: ClassVar = {"decision": "approve", "explanation": "材料齐全"}
    decision: Annotated[
        Literal["approve", "reject"], *ruled(domain.check_decision, {"type": "string", "enum": list(domain.DECISIONS)})
    ] = required("approve 同意，reject 不同意")
    explanation: Annotated[str | None, *ruled(_explanation, EXPLANATION)] = optional(
        f"说明（不同意时必填，律师可见；同意时不填则为「{domain.APPROVE_TEXT}」）", ruled_when_missing=True
    )


class Revocation(Body):
    """撤销已同意的案件绑定: the explanation is required, and the lawyer reads it."""

    example: ClassVar = {"explanation": "当事人已解除委托"}
    explanation: Annotated[str, *ruled(_explanation, text_schema(domain.MAX_EXPLANATION))] = required("撤销的说明")


class CasePartyJson(TypedDict):
    name: str
    side: str | None
    kind: str
    representative: str | None


class CaseParty(Answer):
    name: str
    side: str | None
    kind: Literal["person", "organisation"]
    representative: str | None


class CaseLawyerJson(TypedDict):
    name: str
    party_name: str | None


class CaseLawyer(Answer):
    name: str
    party_name: str | None


class StaffCaseJson(CaseSummary):
    cause: str | None
    parties: list[CasePartyJson]
    lawyers: list[CaseLawyerJson]


class StaffCase(Answer):
    """本院案件信息: who is in the case as what (no ID numbers)."""

    case_no: str
    court: str
    status: Literal["in_trial", "archived"]
    has_electronic_dossier: bool
    cause: str | None
    parties: list[CaseParty]
    lawyers: list[CaseLawyer]


class FeedPerson(Answer):
    name: str
    id_number: str


class FeedParty(Answer):
    name: str
    side: str | None = None
    id_number: str | None = Field(None, description="自然人的身份证号码")
    credit_code: str | None = Field(None, description="单位的统一社会信用代码（代替 id_number）")
    representative: FeedPerson | None = Field(None, description="单位的法定代表人，可代其申请")


class FeedLawyer(Answer):
    name: str = Field(description="律师姓名")
    license_no: str = Field(description="执业证号，与律师名册相同")
    party_name: str = Field(description="所代理的当事人姓名（或单位名称）")


class FeedCase(Answer):
    case_no: str = Field(json_schema_extra=CASE_NO)
    court: str
    cause: str | None = None
    status: Literal["in_trial", "archived"]
    has_electronic_dossier: bool = False
    parties: list[FeedParty] = []
    lawyers: list[FeedLawyer] = []


class CaseFeed(Described):
    """The court's case feed: upsert by case number, all or nothing (at most 20,000 cases)."""

    example: ClassVar = {
        "cases": [
            {
                "case_no": "（2021）粤01民初1号",
                "court": "广州市中级人民法院",
                "cause": "买卖合同纠纷",
                "status": "in_trial",
                "has_electronic_dossier": True,
                "parties": [{"name": "张三", "id_number": "440106199001011235", "side": "原告"}],
                "lawyers": [{"name": "李律师", "license_no": "14401201510000000", "party_name": "张三"}],
            }
        ]
    }
    cases: list[FeedCase] = Field(max_length=20000)


class Imported(Answer):
    imported: int = Field(description="导入（新增或更新）的案件数")
