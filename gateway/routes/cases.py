"""The case directory and lawyer–case binding (API.md "Administration" cases feed, "Cases
and lawyer binding" 案件绑定). Decisions live in case_binding; this only turns HTTP into RPC."""

from __future__ import annotations

from gateway.errors import ApiError
from gateway.http import ADMIN, APPLICANTS, STAFF, Context, get, post
from services.case_binding import schemas
from services.common.infra.shapes import PageQuery
from services.dossier.schemas import ReaderDayPage

# The court's feed sends thousands of cases per call (10,000 realistic ones are ~6 MiB of
# JSON, over the default 4 MiB); case_binding caps a batch at 20,000 cases.
CASES_IMPORT_MAX_BYTES = 32 * 1024 * 1024
CASES_IMPORT_TIMEOUT = 180.0
BINDING_ID_MAX = 2**31 - 1  # ids are 32-bit integer columns: a larger number names no binding


def _binding_id(value: int) -> int:
    # The route's <int:> takes any number of digits, more than the databases can compare.
    if not 0 < value <= BINDING_ID_MAX:
        raise ApiError("not_found", "绑定申请不存在")
    return value


class CaseRoutes:
    @post(
        "/api/v1/admin/cases",
        roles=ADMIN,
        max_body=CASES_IMPORT_MAX_BYTES,
        heavy=True,
        request=schemas.CaseFeed,
        answer=schemas.Imported,
    )
    def import_cases(self, ctx: Context):
        """导入案件（法院案件管理系统推送，按案号更新或新增）

        200: {imported}
        413: too_large
        422: invalid_case_no, invalid_id_number, validation_error
        """
        return ctx.command("case_binding", "import_cases", timeout=CASES_IMPORT_TIMEOUT)

    @get("/api/v1/cases/lookup", roles=APPLICANTS, query=schemas.CaseLookupQuery, answer=schemas.CaseRelation)
    def lookup_case(self, ctx: Context):
        """按案号查询案件及本人与案件的关系

        200: {case_no, court, status, has_electronic_dossier, relation, can_apply, needs_binding}
        403: verification_required
        404: not_found (no such case, or a party not in it)
        422: invalid_case_no
        """
        return ctx.call("case_binding", "relation", actor=ctx.actor, **ctx.query())

    @get("/api/v1/my/cases", roles=APPLICANTS, query=PageQuery, answer=schemas.MyCasePage)
    def my_cases(self, ctx: Context):
        """我的案件（当事人本人名下的案件；律师代理或已绑定的案件），新的在前

        200: {items: [{case_no, court, cause, status, relation, can_apply, needs_binding}], next_cursor}
        403: verification_required
        """
        return ctx.call("case_binding", "my_cases", actor=ctx.actor, **ctx.query())

    @get("/api/v1/my/cases/<case_no>/reads", roles=("party",), query=PageQuery, answer=ReaderDayPage)
    def case_reads(self, ctx: Context, case_no: str):
        """谁查阅了我的案件：他人通过阅卷申请查阅本案卷宗的记录，每人每天一行，新的在前

        200: {items: [{date, reader: {name, role}, documents, pages, prints}], next_cursor}
        403: verification_required
        404: not_found (not a party of the case)
        422: invalid_case_no
        """
        return ctx.call("dossier", "case_reads", actor=ctx.actor, case_no=case_no, **ctx.query())

    @post("/api/v1/bindings", roles=("lawyer",), request=schemas.BindingRequest, answer=schemas.Binding)
    def apply_binding(self, ctx: Context):
        """申请案件绑定（需执业证、当事人授权委托书或法律援助公函）

        201: {id, case_no, court, party_name, status: pending, materials, applied_at, decided_at, explanation}
        403: verification_required
        404: not_found (unknown case, or a material that is not the caller's)
        409: duplicate_pending, already_related, invalid_state (archived case: no binding needed)
        422: invalid_case_no, materials_missing (details.missing), validation_error
        """
        body = ctx.json_object()
        # The case first (404 before the input's 422), then applications vouches for the
        # materials' owner and kind, and case_binding checks the application without
        # recording it. Only then are the court's clerks granted the materials, and only
        # once that grant has committed is the binding recorded: a binding whose files its
        # clerks cannot open never exists, whichever call fails or times out. A call failing
        # after the grant leaves a grant no binding uses yet (its clerks see no binding naming
        # those files); the lawyer's retry grants nothing more and records the binding.
        case = ctx.call("case_binding", "case_summary", case_no=body.get("case_no"))
        material_ids = body.get("material_ids")
        materials = ctx.call("applications", "describe_materials", actor=ctx.actor, material_ids=material_ids)
        application = dict(
            actor=ctx.actor, case_no=case["case_no"], party_name=body.get("party_name"), materials=materials
        )
        ctx.call("case_binding", "apply_binding", check_only=True, **application)
        ctx.call("applications", "describe_materials", actor=ctx.actor, material_ids=material_ids, court=case["court"])
        return 201, ctx.call("case_binding", "apply_binding", **application)

    @get("/api/v1/bindings", roles=("lawyer",), query=schemas.BindingQuery, answer=schemas.BindingPage)
    def list_bindings(self, ctx: Context):
        """我的案件绑定申请，新的在前

        200: {items: [binding], next_cursor}
        422: validation_error (status)
        """
        return ctx.call("case_binding", "list_bindings", actor=ctx.actor, **ctx.query())

    @get("/api/v1/bindings/<int:binding_id>", roles=("lawyer",), answer=schemas.Binding)
    def get_binding(self, ctx: Context, binding_id: int):
        """案件绑定申请详情（本人的）

        200: binding
        404: not_found
        """
        return ctx.call("case_binding", "get_binding", actor=ctx.actor, binding_id=_binding_id(binding_id))

    @get("/api/v1/staff/bindings", roles=("clerk",), query=schemas.BindingQuery, answer=schemas.StaffBindingPage)
    def staff_bindings(self, ctx: Context):
        """本院案件绑定申请队列，先到先审

        200: {items: [binding with lawyer], next_cursor}
        422: validation_error (status)
        """
        return ctx.call("case_binding", "staff_bindings", actor=ctx.actor, **ctx.query())

    @post(
        "/api/v1/staff/bindings/<int:binding_id>/decision",
        roles=("clerk",),
        request=schemas.BindingDecision,
        answer=schemas.StaffBinding,
    )
    def decide_binding(self, ctx: Context, binding_id: int):
        """审查案件绑定申请：同意或不同意（附说明）

        200: binding
        404: not_found
        409: invalid_state
        422: validation_error
        """
        body = ctx.json_object()  # an unreadable body is 400 before an id out of range is 404
        return ctx.command("case_binding", "decide_binding", body=body, binding_id=_binding_id(binding_id))

    @post(
        "/api/v1/staff/bindings/<int:binding_id>/revoke",
        roles=("clerk",),
        request=schemas.Revocation,
        answer=schemas.StaffBinding,
    )
    def revoke_binding(self, ctx: Context, binding_id: int):
        """撤销已同意的案件绑定（附说明）：律师不再是本案代理律师的，其阅卷随即终止

        200: binding (status: revoked, explanation, revoked_at)
        404: not_found (another court's binding, or none)
        409: invalid_state (only an approved binding)
        422: validation_error (explanation, 1..500 characters)
        """
        body = ctx.json_object()  # an unreadable body is 400 before an id out of range is 404
        return ctx.command("case_binding", "revoke_binding", body=body, binding_id=_binding_id(binding_id))

    @get("/api/v1/staff/cases/<case_no>", roles=STAFF, answer=schemas.StaffCase)
    def staff_case(self, ctx: Context, case_no: str):
        """本院案件信息（审查时查看）：案件状态、案由、是否有电子卷宗、当事人和代理律师

        200: {case_no, court, cause, status, has_electronic_dossier, parties: [{name, side, kind, representative}],
            lawyers: [{name, party_name}]}
        404: not_found (another court's case, or none)
        """
        return ctx.call("case_binding", "staff_case", actor=ctx.actor, case_no=case_no)
