"""Dossier-reading applications (阅卷申请): API.md "Dossier-reading applications"."""

from __future__ import annotations

import re

from gateway.errors import ApiError
from gateway.http import APPLICANTS, Context, get, post
from services.applications import schemas
from services.common.infra.ids import ApplicationId


def _application_id(raw: str) -> ApplicationId:
    # Anything that is not an id names no application: 404, like another user's.
    if not re.fullmatch(r"[1-9][0-9]{0,17}", raw):  # ASCII digits only, as application_row
        raise ApiError("not_found", "阅卷申请不存在")
    return ApplicationId(raw)


class ApplicationRoutes:
    @post(
        "/api/v1/applications",
        roles=APPLICANTS,
        request=schemas.ApplicationSubmission,
        answer=schemas.Application,
        idempotent=True,
    )
    def submit_application(self, ctx: Context):
        """申请阅卷（可带 Idempotency-Key）

        201: application
        403: verification_required
        404: not_found (no such case, or a party not in it)
        409: binding_required, duplicate_pending
        422: invalid_case_no, materials_missing, validation_error, idempotency_key_reused
        """
        return 201, ctx.command("applications", "submit")

    @get("/api/v1/applications", roles=APPLICANTS, query=schemas.ApplicationQuery, answer=schemas.ApplicationPage)
    def list_applications(self, ctx: Context):
        """我的阅卷申请（最新在前；?status=&limit=&cursor=）

        200: {items, next_cursor}
        400: bad_request (limit or cursor)
        422: validation_error (status)
        """
        return ctx.call("applications", "list_applications", actor=ctx.actor, **ctx.query())

    @get("/api/v1/applications/<application_id>", answer=schemas.Application)
    def get_application(self, ctx: Context, application_id: str):
        """阅卷申请详情（申请人；本院审查人、档案室）

        200: application
        404: not_found
        """
        return ctx.call(
            "applications", "get_application", actor=ctx.actor, application_id=_application_id(application_id)
        )

    @post("/api/v1/applications/<application_id>/withdraw", answer=schemas.Application, idempotent=True)
    def withdraw_application(self, ctx: Context, application_id: str):
        """撤回阅卷申请（仅待审查时；可带 Idempotency-Key）

        200: application
        404: not_found
        409: invalid_state
        422: idempotency_key_reused
        """
        return ctx.command("applications", "withdraw", application_id=_application_id(application_id))

    @post(
        "/api/v1/applications/<application_id>/reapply",
        roles=APPLICANTS,
        request=schemas.Amendment,
        body_optional=True,
        answer=schemas.Application,
        idempotent=True,
    )
    def reapply_application(self, ctx: Context, application_id: str):
        """重新申请或补正（已过期、不通过或退回补正的申请）：可带 {scope?, reason?, material_ids?} 替换原申请的内容；
        可带 Idempotency-Key

        201: application (with changes: what the 补正 changed)
        403: verification_required
        404: not_found
        409: invalid_state, duplicate_pending, binding_required
        422: validation_error, materials_missing, idempotency_key_reused
        """
        row = _application_id(application_id)
        return 201, ctx.command("applications", "reapply", application_id=row, body=ctx.optional_json_object() or None)
