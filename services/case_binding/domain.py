"""Case-directory and binding rules (the manual's 当事人/律师 rules). No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, overload

from services.common.court import case_numbers, text
from services.common.court.people import (
    is_valid_credit_code,
    is_valid_id_number,
    normalise_credit_code,
    normalise_id_number,
)
from services.common.infra.errors import DomainError, validation_error

CASE_STATUSES = ("in_trial", "archived")  # 审理中 / 已归档
IMPORT_MAX_CASES = 20_000
REQUIRED_BINDING_KINDS = ("license", "authorization")  # 执业证, 当事人授权委托书或法律援助公函
BINDING_STATUSES = ("pending", "approved", "rejected", "revoked")  # revoked: 撤销绑定 after approval
DECISIONS = {"approve": "approved", "reject": "rejected"}
MAX_EXPLANATION = 500

# Relations, strongest first: what this user is to this case.
PARTY, OF_RECORD, BOUND, NONE = "party", "lawyer_of_record", "lawyer_bound", "none"
# The relations a reader claims when applying, and which can end (representation_ended).
CLAIMABLE = (PARTY, OF_RECORD, BOUND)

# Why a reader's relation to a case ended, in the words the reader is told.
NO_LONGER_PARTY = "案件信息更新：您已不是本案当事人"
NO_LONGER_LAWYER = "案件信息更新：您已不是本案代理律师"
BINDING_REVOKED = "案件绑定已被撤销："


@dataclass(frozen=True)
class Representative:
    """An organisation's 法定代表人, who may read for it as a party of the case."""

    name: str
    id_number: str


@dataclass(frozen=True)
class Party:
    """A person (``id_number``) or an organisation (单位: ``credit_code``, its 统一社会信用代码,
    and perhaps its ``representative``), never both."""

    name: str
    id_number: str | None
    side: str
    credit_code: str | None = None
    representative: Representative | None = None


@dataclass(frozen=True)
class Lawyer:
    """A lawyer on record (代理律师) as the court's feed names one: ``party_name`` is whom
    they act for, empty where the feed does not say."""

    name: str
    license_no: str
    party_name: str


@dataclass(frozen=True)
class CaseRecord:
    case_no: str
    court: str
    cause: str
    status: str
    has_electronic_dossier: bool
    parties: tuple[Party, ...] = field(default=())
    lawyers: tuple[Lawyer, ...] = field(default=())


@overload
def text_field(value: Any, field_name: str, *, max_len: int, required: Literal[True] = True) -> str: ...
@overload
def text_field(value: Any, field_name: str, *, max_len: int, required: bool) -> str | None: ...
def text_field(value: Any, field_name: str, *, max_len: int, required: bool = True) -> str | None:
    return text.clean_text(value, field_name, max_len=max_len, required=required)


def _prefixed(exc: DomainError, prefix: str) -> DomainError:
    """The same refusal, naming the field's place in the batch (cases[12].parties[0].name)."""
    details = dict(exc.details)
    if "fields" in details:
        details["fields"] = {_join(prefix, k): v for k, v in details["fields"].items()}
    else:
        details["field"] = _join(prefix, details.get("field", ""))
    fields = details.get("fields", {})
    if fields:
        message = f"导入数据有误（{prefix}）：" + "；".join(f"{k} {v}" for k, v in fields.items())
    else:
        message = f"{exc.message}（{details['field']}）"
    return DomainError(exc.code, message, details)


def parse_import(body: Any) -> list[CaseRecord]:
    """The court's feed, validated whole before anything is written: one bad case refuses
    the batch, naming it, so a feed is never half applied."""
    cases = body.get("cases") if isinstance(body, dict) else None
    if not isinstance(cases, list):
        raise validation_error({"cases": "应为列表"}, '请求体应为 {"cases": [...]}')
    if len(cases) > IMPORT_MAX_CASES:
        raise validation_error({"cases": f"一次最多导入{IMPORT_MAX_CASES}件"}, f"一次最多导入{IMPORT_MAX_CASES}件案件")
    records: dict[str, CaseRecord] = {}
    for i, item in enumerate(cases):
        try:
            record = parse_case(item)
        except DomainError as exc:
            raise _prefixed(exc, f"cases[{i}]") from None
        records[record.case_no] = record  # the last entry for a number wins, as in an upsert
    return list(records.values())


def parse_case(item: Any) -> CaseRecord:
    if not isinstance(item, dict):
        raise validation_error({"": "应为对象"})
    case_no = case_numbers.canonical(item.get("case_no"))
    court = text_field(item.get("court"), "court", max_len=100)
    cause = text_field(item.get("cause"), "cause", max_len=200, required=False) or ""
    status = item.get("status")
    if status not in CASE_STATUSES:
        raise validation_error({"status": "应为 in_trial 或 archived"})
    has_dossier = item.get("has_electronic_dossier", False)
    if not isinstance(has_dossier, bool):
        raise validation_error({"has_electronic_dossier": "应为 true 或 false"})
    parties_raw = item.get("parties", [])
    lawyers_raw = item.get("lawyers", [])
    if not isinstance(parties_raw, list) or len(parties_raw) > 500:
        raise validation_error({"parties": "应为列表（至多500人）"})
    if not isinstance(lawyers_raw, list) or len(lawyers_raw) > 500:
        raise validation_error({"lawyers": "应为列表（至多500人）"})
    parties = tuple(_nested(parse_party, p, f"parties[{j}]") for j, p in enumerate(parties_raw))
    lawyers = tuple(_nested(parse_lawyer, lw, f"lawyers[{j}]") for j, lw in enumerate(lawyers_raw))
    return CaseRecord(case_no, court, cause, status, has_dossier, _unique(parties), _unique(lawyers))


def _nested(parse, item: Any, prefix: str):
    try:
        return parse(item)
    except DomainError as exc:
        if exc.code != "validation_error":
            field = _join(prefix, exc.details.get("field", ""))
            raise DomainError(exc.code, exc.message, dict(exc.details, field=field)) from None
        raise validation_error({_join(prefix, k): v for k, v in exc.details["fields"].items()}) from None


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if name else prefix


def _unique(items: tuple) -> tuple:
    return tuple(dict.fromkeys(items))


def _given(value: Any) -> bool:
    """A feed may leave a field out, send null, or send an empty text: none of them gives it."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def parse_party(item: Any) -> Party:
    """A person ``{name, id_number, side}`` or an organisation ``{name, credit_code, side,
    representative?: {name, id_number}}``: exactly one of id_number and credit_code."""
    if not isinstance(item, dict):
        raise validation_error({"": "应为对象"})
    name = text_field(item.get("name"), "name", max_len=100)
    side = text_field(item.get("side"), "side", max_len=50, required=False) or ""
    id_number, credit_code = item.get("id_number"), item.get("credit_code")
    if _given(id_number) and _given(credit_code):
        both = "自然人填身份证号码，单位填统一社会信用代码，只能填一项"
        raise validation_error({"id_number": both, "credit_code": both}, "当事人不能同时有身份证号码和统一社会信用代码")
    if not _given(id_number) and not _given(credit_code):
        neither = "必填：自然人填身份证号码，单位填统一社会信用代码"
        raise validation_error({"id_number": neither, "credit_code": neither}, "请填写身份证号码或统一社会信用代码")
    if _given(id_number):
        if _given(item.get("representative")):
            raise validation_error({"representative": "只有单位当事人有法定代表人"})
        return Party(name, _id_number(id_number, "当事人"), side)
    if not is_valid_credit_code(credit_code):
        raise validation_error(
            {"credit_code": "统一社会信用代码不正确：应为18位数字或大写字母（不含I、O、Z、S、V），校验码相符"},
            "单位当事人的统一社会信用代码不正确",
        )
    representative = None
    if _given(item.get("representative")):
        representative = _nested(parse_representative, item["representative"], "representative")
    return Party(name, None, side, normalise_credit_code(credit_code), representative)


def parse_representative(item: Any) -> Representative:
    if not isinstance(item, dict):
        raise validation_error({"": "应为对象 {name, id_number}"})
    name = text_field(item.get("name"), "name", max_len=100)
    if not _given(item.get("id_number")):
        raise validation_error({"id_number": "必填"}, "请填写法定代表人的身份证号码")
    return Representative(name, _id_number(item["id_number"], "法定代表人"))


def _id_number(value: Any, who: str) -> str:
    if not is_valid_id_number(value):
        raise DomainError("invalid_id_number", f"{who}身份证号码不正确，请核对后重新导入", {"field": "id_number"})
    return normalise_id_number(value)


def parse_lawyer(item: Any) -> Lawyer:
    if not isinstance(item, dict):
        raise validation_error({"": "应为对象"})
    name = text_field(item.get("name"), "name", max_len=50)
    license_no = text_field(item.get("license_no"), "license_no", max_len=32)
    party_name = text_field(item.get("party_name"), "party_name", max_len=100, required=False) or ""
    return Lawyer(name, license_no, party_name)


# -- the relation question ---------------------------------------------------------------


def relation_answer(role: str, relation: str, status: str) -> dict[str, bool]:
    """``can_apply`` and ``needs_binding`` (docs/contracts.md): a lawyer with no relation to
    an in-trial case must bind first; for an archived case a lawyer needs no binding."""
    needs_binding = role == "lawyer" and relation == NONE and status == "in_trial"
    can_apply = relation != NONE or (role == "lawyer" and status == "archived")
    return {"can_apply": can_apply, "needs_binding": needs_binding}


def strongest(relations: set[str]) -> str:
    for relation in (PARTY, OF_RECORD, BOUND):
        if relation in relations:
            return relation
    return NONE


# -- claims: who read a case on the strength of a relation ---------------------------------


@dataclass(frozen=True)
class Claim:
    """What a reader was when they applied (claim_relation): the verified fields the
    relation was matched on, kept so a later feed can tell whether it still holds."""

    user_id: int
    case_no: str
    role: str
    name: str
    id_number: str | None
    license_no: str | None
    relation: str


def is_the_person(party: Party, name: str | None, id_number: str | None) -> bool:
    """The rule of ``repository._is_the_party`` on a parsed party: the person themself (name
    and ID number), or the 法定代表人 of an organisation party. An organisation has no ID
    number, so it never matches by itself."""
    if not name or not id_number:
        return False
    if party.id_number is not None:
        return party.id_number == id_number and party.name == name
    rep = party.representative
    return rep is not None and rep.id_number == id_number and rep.name == name


def claimed_relation(claim: Claim, parties: tuple[Party, ...], lawyers: tuple[Lawyer, ...], bound: bool) -> str:
    """The claimant's relation to the case as its (new) parties and lawyers describe it;
    ``bound``: the lawyer holds an approved binding for the case."""
    if claim.role == "party":
        return PARTY if any(is_the_person(p, claim.name, claim.id_number) for p in parties) else NONE
    if claim.role == "lawyer":
        held = set()
        if claim.license_no and any(lw.license_no == claim.license_no for lw in lawyers):
            held.add(OF_RECORD)
        if bound:
            held.add(BOUND)
        return strongest(held)
    return NONE


def ended_reason(claim: Claim, relation_now: str) -> str | None:
    """Why the claim ended, for the reader, or None while any relation remains (one that
    weakens, of record to bound, is not an end)."""
    if relation_now != NONE:
        return None
    return NO_LONGER_PARTY if claim.role == "party" else NO_LONGER_LAWYER


def revocation_reason(explanation: str) -> str:
    return BINDING_REVOKED + explanation


# -- bindings -----------------------------------------------------------------------------


def missing_kinds(materials: list[dict]) -> list[str]:
    kinds = {m.get("kind") for m in materials}
    return [kind for kind in REQUIRED_BINDING_KINDS if kind not in kinds]


def check_decision(value: Any) -> str:
    if value not in DECISIONS:
        raise validation_error({"decision": "应为 approve 或 reject"}, "请选择审查意见：同意或不同意")
    return value


# What an approval says when the clerk writes nothing (the console leaves it to this).
APPROVE_TEXT = "材料齐全，予以绑定"


def check_explanation(value: Any, decision: str) -> str | None:
    """Rejecting tells the lawyer why; revoking (decision ``revoke``) too. An approval
    without one says :data:`APPROVE_TEXT`."""
    explanation = text_field(value, "explanation", max_len=MAX_EXPLANATION, required=False)
    if decision in ("reject", "revoke") and not explanation:
        message = "撤销绑定时请填写说明" if decision == "revoke" else "不同意绑定时请填写说明"
        raise validation_error({"explanation": "必填"}, message)
    if decision == "approve" and not explanation:
        return APPROVE_TEXT
    return explanation


def parse_decision(body: Any) -> tuple[str, str | None]:
    """A clerk's decision: approve, or reject with an explanation the lawyer will read
    (the wire model, schemas.BindingDecision)."""
    from services.case_binding.schemas import BindingDecision  # it is built on this module's rules

    decision = BindingDecision.parse(body)
    return DECISIONS[decision.decision], decision.explanation


def parse_revocation(body: Any) -> str:
    """A clerk's revocation of an approved binding (撤销绑定): the explanation is required,
    and the lawyer reads it (schemas.Revocation)."""
    from services.case_binding.schemas import Revocation  # it is built on this module's rules

    return Revocation.parse(body).explanation


def parse_status_filter(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in BINDING_STATUSES:
        raise validation_error({"status": "应为 pending、approved、rejected 或 revoked"})
    return value
