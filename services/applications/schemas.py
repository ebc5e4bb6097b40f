"""Wire shapes of applications (API.md "Materials", "Dossier-reading applications"): what
clients send (models checked by this service's rules, in services.applications.domain) and
what they get back (models for the document, and the functions that build them)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal, TypedDict

from pydantic import Field

from services.applications import domain
from services.common.court import case_numbers, clock, events, reading
from services.common.infra import ids
from services.common.infra.shapes import (
    CASE_NO,
    MATERIAL_IDS,
    Application,
    ApplicationJson,
    BookingJson,
    Kind,
    MaterialRefJson,
    PageQuery,
    application_object,
)
from services.common.infra.uploads import MATERIAL_KINDS
from services.common.infra.wire import Answer, Body, Page, optional, required, ruled, text_schema


def _scope(value: Any) -> str:
    return domain.clean_text(value, "scope", "申请内容", 500)


def _reason(value: Any) -> str:
    return domain.clean_text(value, "reason", "申请原因", 1000)


def _or_none(rule: Any) -> Any:
    return lambda value: None if value is None else rule(value)


# -- what clients send -----------------------------------------------------------------------


class ApplicationSubmission(Body):
    """申请阅卷. Fields the server owns (status, review, reading, applicant) are not read."""

    example: ClassVar = {
        "case_no": "（2021）粤01民初1号",
        "scope": "全案卷宗",
        "reason": "代理诉讼需要查阅",
        "material_ids": ["3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10"],
    }
    case_no: Annotated[str, *ruled(case_numbers.canonical, CASE_NO)] = required("案号")
    scope: Annotated[str, *ruled(_scope, text_schema(500))] = required(
        f"申请内容：{domain.FULL_DOSSIER}，或所需部分的说明", examples=[domain.FULL_DOSSIER]
    )
    reason: Annotated[str, *ruled(_reason, text_schema(1000))] = required("申请原因")
    material_ids: Annotated[tuple[str, ...], *ruled(domain.parse_material_ids, MATERIAL_IDS)] = optional(
        "律师须带执业证、律所介绍信或证明、当事人授权委托书或法律援助公函、当事人身份证明；当事人无需材料",
        ruled_when_missing=True,
    )

    def submission(self) -> domain.Submission:
        return domain.Submission(self.case_no, self.scope, self.reason, self.material_ids)


class Amendment(Body):
    """重新申请或补正: a field given replaces the old application's; one left out stays."""

    example: ClassVar = {"reason": "补充说明：需查阅庭审笔录", "material_ids": ["3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10"]}
    scope: Annotated[str | None, *ruled(_or_none(_scope), text_schema(500, required=False))] = optional("新的申请内容")
    reason: Annotated[str | None, *ruled(_or_none(_reason), text_schema(1000, required=False))] = optional(
        "新的申请原因"
    )
    material_ids: Annotated[
        tuple[str, ...] | None, *ruled(_or_none(domain.parse_material_ids), {"anyOf": [MATERIAL_IDS, {"type": "null"}]})
    ] = optional("新的申请材料（替换原材料）")


class UploadForm(Body):
    """上传申请材料: multipart/form-data with a file and its kind."""

    file: bytes = Field(description="PDF、JPEG 或 PNG（按内容判断），不超过 20 MiB")
    kind: Literal[tuple(MATERIAL_KINDS)] = Field(  # type: ignore[valid-type]
        description="、".join(f"{k}：{v}" for k, v in MATERIAL_KINDS.items())
    )


class ApplicationQuery(PageQuery):
    """?status=&limit=&cursor= of the caller's own applications."""

    status: Literal[domain.STATUSES] | None = Field(None, description="只看该状态的申请")  # type: ignore[valid-type]


# -- what clients get back -------------------------------------------------------------------


class UploadJson(TypedDict):
    id: str
    kind: str
    filename: str
    size: int
    content_type: str
    sha256: str


class Upload(Answer):
    """An uploaded material (申请材料)."""

    example: ClassVar = {
        "id": "3f2c0a0e-9a51-4a44-9f0e-2b7a4d1c9e10",
        "kind": "license",
        "filename": "执业证.pdf",
        "size": 183204,
        "content_type": "application/pdf",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    }
    id: str
    kind: Kind = Field(description="、".join(f"{k}：{v}" for k, v in MATERIAL_KINDS.items()))
    filename: str
    size: int
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    sha256: str


class ApplicationPage(Page[Application]):
    """A page of the caller's applications, newest first."""

    next_cursor: str | None = Field(description="下一页的 cursor；null 为没有更多")


def material_ref(m) -> MaterialRefJson:
    """A material as an application names it (``m``: a ``Material`` row)."""
    return MaterialRefJson(id=m.id, kind=m.kind, filename=m.filename, content_type=m.content_type, size=m.size)


def upload(material) -> UploadJson:
    """The material as its uploader gets it back: the reference (its size and type always
    known here) and the file's SHA-256."""
    return {
        **material_ref(material),
        "size": material.size,
        "content_type": material.content_type,
        "sha256": material.sha256,
    }


def booking(app) -> BookingJson | None:
    """预约到场, as review last announced it."""
    return reading.booking(app.booking_date, app.booking_start, app.booking_end)


def application(app, materials: list, today: date, *, for_owner: bool = False) -> ApplicationJson:
    """The application object (services.common.infra.shapes.application_object), its status on the
    court's day ``today``; ``actions``: what its applicant may do now (``for_owner``:
    domain.reader_actions), nothing for the court's staff."""
    start_of_today = datetime.combine(today, time.min, tzinfo=clock.COURT_TZ)
    status = domain.effective_status(app, today)
    arrangement = reading.arrangement(app, booking(app))
    return application_object(
        app,
        id=app.id,
        reapplied_from=app.reapplied_from,
        materials=[material_ref(m) for m in materials],
        now=start_of_today,
        booked=booking(app),
        actions=domain.reader_actions(status, arrangement) if for_owner else [],
    )


def withdrawn_event(app) -> events.ApplicationWithdrawn:
    return {"application_id": ids.application_id(app.id)}


def revoked_event(app) -> events.ApplicationRevoked:
    return {
        "application_id": ids.application_id(app.id),
        "applicant_id": app.applicant_id,
        "case_no": app.case_no,
        "court": app.court,
        "reason": app.revoked_reason,
        "revoked_at": clock.isoformat(clock.as_aware(app.revoked_at)),
    }


def submitted_event(app, materials: list, phone: str | None = None) -> events.ApplicationSubmitted:
    """The phone is the applicant's verified number from the sign-in, passed on for
    review's text-message copy of a notice and not kept by this service: sealed for review
    alone (services.common.infra.contact), as dossier hears the same event."""
    from services.common.infra.contact import seal_phone

    applicant: events.EventApplicant = {"id": app.applicant_id, **reading.applicant(app)}
    seal_phone(applicant, phone)
    return {
        "application_id": ids.application_id(app.id),
        "applicant": applicant,
        "case_no": app.case_no,
        "court": app.court,
        "scope": app.scope,
        "reason": app.reason,
        "materials": [material_ref(m) for m in materials],
        "applied_at": clock.isoformat(clock.as_aware(app.applied_at)),
        "reapplied_from": ids.application_id(app.reapplied_from) if app.reapplied_from is not None else None,
    }
