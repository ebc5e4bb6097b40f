"""Review, on-site reading and messages (API.md "Review (审查) and on-site reading",
"Messages (站内信)")."""

from __future__ import annotations

from gateway.http import Context, route


class ReviewRoutes:
    @route(
        "GET",
        "/api/v1/staff/applications",
        roles=("clerk", "archivist"),
        summary="审查队列：本院的阅卷申请，最早提交的在前（?status=&mode=&case_no=&applicant=&limit=&cursor=）",
        responses={200: "{items: [application + applicant.role, waited_seconds], next_cursor}"},
    )
    def staff_applications(self, ctx: Context):
        args = ctx.request.args
        return ctx.call(
            "review",
            "staff_queue",
            actor=ctx.actor,
            status=args.get("status") or None,
            mode=args.get("mode") or None,
            case_no=args.get("case_no") or None,
            applicant=args.get("applicant") or None,
            **ctx.page_args(),
        )

    @route(
        "GET",
        "/api/v1/staff/applications/counts",
        roles=("clerk", "archivist"),
        summary="审查队列各状态的申请数量（本院，?mode=）",
        responses={200: "{counts: {pending, approved, rejected, returned, withdrawn, expired, revoked}}"},
    )
    def staff_counts(self, ctx: Context):
        return ctx.call("review", "staff_counts", actor=ctx.actor, mode=ctx.request.args.get("mode") or None)

    @route(
        "POST",
        "/api/v1/staff/applications/<id>/decision",
        roles=("clerk",),
        body="json",
        summary="审查决定：同意（在线/现场）、不同意、退回补正",
        responses={
            200: "application",
            404: "not_found",
            409: "invalid_state, no_electronic_dossier",
            422: "validation_error, invalid_date, idempotency_key_reused",
        },
    )
    def decide(self, ctx: Context, id: str):
        return ctx.call(
            "review",
            "decide",
            actor=ctx.actor,
            application_id=id,
            body=ctx.json_object(),
            idempotency_key=ctx.idempotency_key(),
        )

    @route(
        "POST",
        "/api/v1/staff/applications/<id>/attendance",
        roles=("archivist",),
        body="json",
        summary="现场阅卷登记：是否到场、借阅时间、还卷时间",
        responses={
            200: "application",
            404: "not_found",
            409: "invalid_state",
            422: "validation_error, invalid_date, idempotency_key_reused",
        },
    )
    def attendance(self, ctx: Context, id: str):
        return ctx.call(
            "review",
            "record_attendance",
            actor=ctx.actor,
            application_id=id,
            body=ctx.json_object(),
            idempotency_key=ctx.idempotency_key(),
        )

    @route(
        "GET",
        "/api/v1/messages",
        summary="站内信：本人的通知，最新的在前",
        responses={200: "{items: [{id, at, title, body, application_id, read}], next_cursor}"},
    )
    def messages(self, ctx: Context):
        return ctx.call("review", "messages", actor=ctx.actor, **ctx.page_args())

    @route("POST", "/api/v1/messages/<id>/read", summary="标记站内信为已读", responses={204: "", 404: "not_found"})
    def read_message(self, ctx: Context, id: str):
        ctx.call("review", "mark_read", actor=ctx.actor, message_id=id)
        return 204, None
