"""Rules of dossier-reading applications (阅卷申请). No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol

from services.common.court import clock, text
from services.common.court import reading as reading_rule
from services.common.infra import shapes
from services.common.infra.errors import DomainError, validation_error
from services.common.infra.uploads import MATERIAL_KINDS

# Every lawyer's reading application carries these four (of record, bound or archived).
LAWYER_REQUIRED = ("license", "firm_letter", "authorization", "party_id")
APPLICANT_ROLES = ("party", "lawyer")
REVIEW_ROLES = ("clerk", "archivist")  # 审查人, 档案室: see the applications of their court
STATUSES = ("pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked")
REAPPLY_FROM = ("expired", "rejected", "returned", "revoked")
# 已终止: the reader's relation to the case ended (the feed dropped them, or a clerk
# revoked their binding) while the application was still pending or approved.
REVOCABLE = ("pending", "approved")
OPINION_STATUS = {"approve": "approved", "reject": "rejected", "return": "returned"}
FULL_DOSSIER = "全案卷宗"
MAX_MATERIALS = 30


@dataclass(frozen=True)
class Submission:
    case_no: str
    scope: str
    reason: str
    material_ids: tuple[str, ...]


def clean_text(value: Any, field: str, label: str, max_len: int) -> str:
    return text.clean_text(value, field, max_len=max_len, label=label, multiline=True)


def could_be_material_id(value: str) -> bool:
    """An upload's id is a UUID; text with anything but visible ASCII names no material
    (and PostgreSQL would refuse to look up a NUL)."""
    return value.isascii() and value.isprintable() and " " not in value


def parse_material_ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 36 for v in value):
        raise validation_error({"material_ids": "应为材料编号的列表"})
    if len(value) > MAX_MATERIALS:
        raise validation_error({"material_ids": f"最多{MAX_MATERIALS}份材料"})
    return tuple(dict.fromkeys(value))  # keep the order, drop repeats


def parse_submission(body: Any) -> Submission:
    """Fields a client may set (the wire model, schemas.ApplicationSubmission); status,
    review, reading and applicant are never read."""
    from services.applications.schemas import ApplicationSubmission  # it is built on this module's rules

    return ApplicationSubmission.parse(body).submission()


def amend(previous: Submission, body: Any) -> Submission:
    """补正: the resubmission of a returned (or refused, or expired) application, with the
    fields the applicant corrected replacing the old ones; what is left out stays as it was.
    The case is never changed by a 补正: a different case is a new application."""
    from services.applications.schemas import Amendment  # it is built on this module's rules

    if body is None:
        return previous
    given = Amendment.parse(body)
    return Submission(
        previous.case_no,
        previous.scope if given.scope is None else given.scope,
        previous.reason if given.reason is None else given.reason,
        previous.material_ids if given.material_ids is None else given.material_ids,
    )


def changes(before: Submission, after: Submission) -> dict[str, Any]:
    """What a 补正 changed, as the clerk reviewing it sees: scope and reason before and
    after, and the materials added and removed (ids)."""
    changed: dict[str, Any] = {}
    for field in ("scope", "reason"):
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            changed[field] = {"before": old, "after": new}
    added = [m for m in after.material_ids if m not in before.material_ids]
    removed = [m for m in before.material_ids if m not in after.material_ids]
    if added:
        changed["materials_added"] = added
    if removed:
        changed["materials_removed"] = removed
    return changed


def check_kind(kind: Any) -> str:
    if kind not in MATERIAL_KINDS:
        raise DomainError(
            "invalid_kind",
            "材料类型不正确，应为执业证、律所介绍信或证明、当事人授权委托书或法律援助公函、当事人身份证明或其他材料",
            {"allowed": list(MATERIAL_KINDS)},
        )
    return kind


def missing_kinds(role: str, kinds: set[str]) -> list[str]:
    """The materials a lawyer's application still lacks; a party's needs none."""
    if role != "lawyer":
        return []
    return [kind for kind in LAWYER_REQUIRED if kind not in kinds]


def materials_missing(missing: list[str]) -> DomainError:
    names = "、".join(MATERIAL_KINDS[k] for k in missing)
    return DomainError("materials_missing", f"请上传以下材料：{names}", {"missing": missing})


def check_eligibility(role: str, relation: dict) -> None:
    """What case_binding's relation answer means for a reading application (the manual)."""
    if relation.get("can_apply"):
        return
    if role == "lawyer" and relation.get("needs_binding"):
        raise DomainError(
            "binding_required",
            "您尚未绑定该案件，请先申请案件绑定",
            {"binding_route": "/api/v1/bindings", "case_no": relation.get("case_no")},
        )
    raise DomainError("not_found", "案件不存在")


class Reading(Protocol):
    status: str
    mode: str | None
    valid_until: date | None
    end_date: date | None
    attended: bool | None


def effective_status(app: Reading, today: date) -> str:
    """The status on the court's calendar day ``today``: the one rule every service shows
    (services.common.court.reading), an approval whose date has passed reading ``expired``."""
    reading = {"mode": app.mode, "valid_until": app.valid_until, "end_date": app.end_date, "attended": app.attended}
    start_of_today = datetime.combine(today, time.min, tzinfo=clock.COURT_TZ)
    return reading_rule.effective_status(app.status, reading, start_of_today)


# What an applicant may do with their application (the buttons of the detail page, in every
# front end): 撤回, 补正, 重新申请, 查看案卷, 复制链接, 打印, 预约到场, 阅卷记录.
READER_ACTIONS = shapes.READER_ACTIONS  # as the application object lists them


def reader_actions(status: str, reading: Mapping[str, Any] | None) -> list[str]:
    """What the applicant may do now, from the status a person sees (``effective_status``)
    and the application's ``reading`` (阅卷材料): 撤回 while pending; 补正 after 退回补正;
    重新申请 once it ended (REAPPLY_FROM); 查看案卷 and 复制链接 during an online approval,
    打印 too unless the grant forbids it; 预约到场 during an on-site approval; the reader's
    own 阅卷记录 whenever the dossier was granted online (it stays readable after the end)."""
    mode = reading.get("mode") if reading else None
    allowed = []
    if status == "pending":
        allowed.append("withdraw")
    if status == "returned":
        allowed.append("correct")
    if status in REAPPLY_FROM:
        allowed.append("reapply")
    if status == "approved" and mode == "online":
        allowed += ["view_dossier", "copy_link"]
        if reading and reading.get("print") is not False:
            allowed.append("print")
    if status == "approved" and mode == "onsite":
        allowed.append("book_onsite")
    if mode == "online":
        allowed.append("access_log")
    return allowed


def check_can_withdraw(status: str) -> None:
    if "withdraw" not in reader_actions(status, None):
        raise DomainError("invalid_state", "只有待审查的申请可以撤回")


def check_can_reapply(status: str) -> None:
    if "reapply" not in reader_actions(status, None):
        raise DomainError("invalid_state", "只有已过期、不通过或退回补正的申请可以重新申请")


def pending_key(applicant_id: int, case_no: str) -> str:
    return f"{applicant_id}:{case_no}"
