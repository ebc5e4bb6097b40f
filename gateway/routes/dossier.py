"""Electronic dossier routes (API.md "Reading the dossier" and dossier ingestion under
"Administration"). Large bytes never cross the broker: uploads go to object storage before
the RPC; print copies (and any page too large to travel in a reply) come back as a
short-lived object that is streamed and then deleted; a stamped page comes back in the
RPC's reply. Link tokens stay out of the logs: the gateway's access line names the route
pattern, and services.common.infra.logging redacts /r/<token> anywhere else."""

from __future__ import annotations

import base64
import logging
import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import quote

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from gateway.errors import SECURITY_HEADERS, ApiError
from gateway.http import (
    ADMIN,
    NO_CONTENT,
    STAFF,
    Context,
    Media,
    authenticate,
    delete,
    get,
    is_loopback_host,
    post,
    public_base_url,
    token_digest,
)
from services.common.infra import config, staging
from services.common.infra.errors import DomainError
from services.common.infra.shapes import PageQuery
from services.dossier import schemas

if TYPE_CHECKING:
    from services.common.infra.storage import ObjectStore

log = logging.getLogger("gateway")

DOCUMENT_MAX_BYTES = 200 * 1024 * 1024  # a scanned volume; bigger is refused unread
PDF_RPC_TIMEOUT = 300.0  # a print copy renders every page
VIEWER = "/web/applications/{}/dossier"
LOGIN = "/web/login?next="
# What create_link's secrets.token_urlsafe makes (43 characters), with room to grow; any
# other text is no link, and must not reach the Location header (a CR there is a 500).
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def _stream(store, result: dict, disposition: str | None = None, *, keep: bool = False) -> Response:
    """Stream a parked result to the client, then delete it (``keep``: a print job's PDF,
    which stays for later downloads until its grant ends)."""
    key = result["key"]
    obj = store.open(key)

    def body():
        try:
            yield from obj.stream(64 * 1024)
        finally:
            obj.close()
            obj.release_conn()
            if not keep:
                try:
                    store.delete(key)
                except Exception:  # the dossier service's sweep removes it later
                    log.warning("could not delete a streamed page result")

    response = Response(body(), status=200, mimetype=result["content_type"], direct_passthrough=True)
    response.headers["Content-Length"] = str(result["size"])
    response.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if disposition:
        response.headers["Content-Disposition"] = disposition
    return response


def _page(store, result: dict) -> Response:
    """A stamped page: in the reply (``data``) or parked (``key``), with the same headers."""
    if "data" not in result:
        return _stream(store, result)
    response = Response(base64.b64decode(result["data"]), status=200, mimetype=result["content_type"])
    response.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _read_page(store, ctx: Context, method: str, document_id: str, page: str, **where: str) -> Response:
    """One stamped page of a document, found by ``where`` (the reader's application, or the
    staff's case): a path value that is not a number names no page (404)."""
    result = ctx.call("dossier", method, actor=ctx.actor, document_id=_int(document_id), page=_int(page), **where)
    return _page(store, result)


def _printable(store, result: dict, *, keep: bool = False) -> Response:
    """A stamped PDF, opened in the browser's viewer for printing, under its own name."""
    filename = quote(result.get("filename") or "dossier.pdf")
    return _stream(store, result, f"inline; filename=\"dossier.pdf\"; filename*=UTF-8''{filename}", keep=keep)


def _redirect(location: str) -> Response:
    response = Response(b"", status=303)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _int(value: str) -> int:
    if not re.fullmatch(r"\d{1,9}", value or ""):
        raise ApiError("not_found")
    return int(value)


def _base_url(ctx: Context) -> str:
    """The gateway's address for links: ``PUBLIC_BASE_URL`` when set, whatever ``Host``
    says (a proxy in front sends its own, often 127.0.0.1); else the request's own host
    only when it is loopback (a forged Host elsewhere must not aim links at another site)."""
    public = public_base_url()
    if public:
        return public
    if is_loopback_host(ctx.request.host):
        return f"{ctx.request.scheme}://{ctx.request.host}"
    return f"http://127.0.0.1:{config.get('GATEWAY_PORT', 8000)}"


class DossierRoutes:
    """Needs the gateway's ``storage`` (an ObjectStore) and ``rpc``."""

    storage: ObjectStore  # the gateway service's dependency (gateway.service)

    @post(
        "/api/v1/admin/cases/<case_no>/documents",
        roles=ADMIN,
        body="multipart",
        max_body=DOCUMENT_MAX_BYTES,
        heavy=True,
        request=schemas.DocumentForm,
        answer=schemas.IngestedDocument,
    )
    def ingest_document(self, ctx: Context, case_no: str):
        """电子卷宗入库：上传 PDF（file）、卷（volume）、标题（title）

        201: {id, title, volume, page_count}
        404: not_found (no such case)
        422: validation_error (volume must start with 正卷 or 副卷), invalid_pdf, encrypted_pdf, invalid_case_no
        413: too_large
        415: unsupported_media_type (not a PDF)
        """
        case = ctx.call("case_binding", "case_summary", case_no=case_no)
        if ctx.request.mimetype != "multipart/form-data":
            raise ApiError("bad_request", "请以 multipart/form-data 上传文件")
        try:
            upload = ctx.request.files.get("file")
            form = ctx.request.form
        except RequestEntityTooLarge:
            raise ApiError("too_large", "文件过大") from None
        if upload is None:
            raise ApiError("validation_error", "请选择要上传的 PDF 文件", {"fields": {"file": "必填"}})
        stream = upload.stream
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        if size == 0:
            raise ApiError("validation_error", "文件为空", {"fields": {"file": "文件为空"}})
        key = staging.staged_key("dossier/originals/", ".pdf")  # unclaimed ones: dossier's sweep
        self.storage.put(key, stream, size, "application/pdf")
        result = ctx.call(
            "dossier",
            "ingest_document",
            timeout=PDF_RPC_TIMEOUT,
            actor=ctx.actor,
            case_no=case["case_no"],
            volume=form.get("volume"),
            title=form.get("title"),
            key=key,
            court=case.get("court"),
        )
        return 201, result

    @get("/api/v1/applications/<application_id>/dossier", answer=schemas.Dossier)
    def dossier(self, ctx: Context, application_id: str):
        """查看案卷：卷宗结构（卷 → 文件 → 页数）

        200: {case_no, valid_until, volumes}
        403: not_approved
        404: not_found
        410: access_expired, access_revoked
        """
        return ctx.call("dossier", "dossier", actor=ctx.actor, application_id=application_id)

    @get(
        "/api/v1/applications/<application_id>/dossier/documents/<document_id>/pages/<page>",
        same_site_only=True,
        answer=Media("image/png", "the stamped page"),
    )
    def page(self, ctx: Context, application_id: str, document_id: str, page: str):
        """卷宗页面（PNG，加盖阅卷人水印）

        200: image/png
        403: not_approved
        404: not_found
        410: access_expired, access_revoked
        """
        return _read_page(self.storage, ctx, "read_page", document_id, page, application_id=application_id)

    @get(
        "/api/v1/applications/<application_id>/dossier/documents/<document_id>/pdf",
        same_site_only=True,
        heavy=True,
        answer=Media("application/pdf", "the stamped document"),
    )
    def pdf(self, ctx: Context, application_id: str, document_id: str):
        """打印：整份文件的 PDF，每页加盖阅卷人水印

        200: application/pdf
        403: not_approved, print_not_allowed
        404: not_found
        410: access_expired, access_revoked
        """
        result = ctx.call(
            "dossier",
            "print_document",
            timeout=PDF_RPC_TIMEOUT,
            actor=ctx.actor,
            application_id=application_id,
            document_id=_int(document_id),
        )
        return _printable(self.storage, result)

    # -- print jobs: 打印 of several documents in one stamped PDF, made in the background ---------
    @post(
        "/api/v1/applications/<application_id>/dossier/prints",
        request=schemas.PrintRequest,
        body_optional=True,
        answer=schemas.PrintJob,
        idempotent=True,
    )
    def create_print(self, ctx: Context, application_id: str):
        """打印任务：所选文件（默认全部可阅文件）按卷宗顺序合成一份加盖水印的 PDF，后台生成；可带 Idempotency-Key

        202: {id, status: queued|running|done|failed, pages_done, pages_total, documents, created_at}
        403: not_approved, print_not_allowed
        404: not_found (an application or document not yours to read)
        410: access_expired, access_revoked
        422: validation_error, idempotency_key_reused
        429: rate_limited (three print jobs of yours are still being made)
        """
        return 202, ctx.command("dossier", "create_print", application_id=application_id)

    @get(
        "/api/v1/applications/<application_id>/dossier/prints/<print_id>", same_site_only=True, answer=schemas.PrintJob
    )
    def get_print(self, ctx: Context, application_id: str, print_id: str):
        """打印任务的进度（已完成页数 / 总页数）

        200: {id, status, pages_done, pages_total, documents, created_at, finished_at, size?}
        403: not_approved, print_not_allowed
        404: not_found
        410: access_expired, access_revoked
        """
        return ctx.call("dossier", "get_print", actor=ctx.actor, application_id=application_id, print_id=print_id)

    @get(
        "/api/v1/applications/<application_id>/dossier/prints/<print_id>/pdf",
        same_site_only=True,
        answer=Media("application/pdf", "the stamped print copy"),
    )
    def print_pdf(self, ctx: Context, application_id: str, print_id: str):
        """下载打印任务的 PDF（每次下载记入阅卷记录）

        200: application/pdf
        403: not_approved, print_not_allowed
        404: not_found
        409: not_ready (still being made, or it failed)
        410: access_expired, access_revoked
        """
        result = ctx.call("dossier", "print_pdf", actor=ctx.actor, application_id=application_id, print_id=print_id)
        return _printable(self.storage, result, keep=True)

    @post("/api/v1/applications/<application_id>/dossier/links", answer=schemas.Link)
    def create_link(self, ctx: Context, application_id: str):
        """复制链接：在电脑上打开的地址

        201: {url, expires_at}
        403: not_approved
        404: not_found
        410: access_expired, access_revoked
        """
        token = secrets.token_urlsafe(32)  # 256 random bits; only its hash leaves this process
        result = ctx.call(
            "dossier", "create_link", actor=ctx.actor, application_id=application_id, token_hash=token_digest(token)
        )
        return 201, {"url": f"{_base_url(ctx)}/r/{token}", "expires_at": result["expires_at"]}

    @delete("/api/v1/applications/<application_id>/dossier/links", answer=schemas.LinksRevoked)
    def revoke_links(self, ctx: Context, application_id: str):
        """作废链接：本申请的全部复制链接立即失效

        200: {revoked}
        404: not_found
        """
        return ctx.call("dossier", "revoke_links", actor=ctx.actor, application_id=application_id)

    @get("/r/<token>", auth=False, answer=NO_CONTENT)
    def open_link(self, ctx: Context, token: str):
        """打开复制链接（需以同一用户登录）

        303: viewer or sign-in
        404: not_found (signed in as someone else, or the link expired)
        """
        if not LINK_TOKEN.fullmatch(token):  # not one this gateway made: nothing to sign in for
            raise ApiError("not_found")
        try:
            ctx.user = authenticate(ctx)
        except ApiError as exc:
            if exc.code != "unauthenticated":  # identity not answering is a 503, not a sign-in page
                raise
            ctx.user = None
        if ctx.user is None:  # a link's validity is not revealed before sign-in
            return _redirect(LOGIN + f"/r/{token}")  # LINK_TOKEN: nothing in it to escape
        try:
            result = ctx.call("dossier", "open_link", actor=ctx.actor, token_hash=token_digest(token))
        except DomainError:
            raise ApiError("not_found") from None
        return _redirect(VIEWER.format(quote(str(result["application_id"]), safe="")))

    @get("/api/v1/applications/<application_id>/access-log", query=PageQuery, answer=schemas.LogPage)
    def access_log(self, ctx: Context, application_id: str):
        """阅卷记录（本申请）

        200: {items: [{at, actor, action, document_id?, document_title?, page?}], next_cursor}
        404: not_found
        """
        return ctx.call("dossier", "access_log", actor=ctx.actor, application_id=application_id, **ctx.query())

    @get(
        "/api/v1/staff/applications/<application_id>/access-log",
        roles=STAFF,
        query=PageQuery,
        answer=schemas.StaffLogPage,
    )
    def audit_log(self, ctx: Context, application_id: str):
        """阅卷记录（本院审查人、档案室查看）

        200: {items: [{at, actor, action, document_id?, document_title?, page?}], next_cursor}
        404: not_found (another court's application)
        """
        return ctx.call("dossier", "audit_log", actor=ctx.actor, application_id=application_id, **ctx.query())

    @get(
        "/api/v1/staff/applications/<application_id>/access-log/pdf",
        roles=STAFF,
        same_site_only=True,
        heavy=True,
        answer=Media("application/pdf", "the access record"),
    )
    def access_record(self, ctx: Context, application_id: str):
        """导出阅卷记录（PDF，供入卷归档）：每条附防篡改日志的序号与摘要

        200: application/pdf
        404: not_found (another court's application)
        """
        result = ctx.call("dossier", "access_record", timeout=120.0, actor=ctx.actor, application_id=application_id)
        return _printable(self.storage, result)

    # -- the court's own view (审查人、档案室) ----------------------------------------------------
    @get("/api/v1/staff/cases/<case_no>/dossier", roles=STAFF, answer=schemas.StaffDossier)
    def staff_dossier(self, ctx: Context, case_no: str):
        """本院案件的电子卷宗（含副卷），供审查时预览

        200: {case_no, volumes: [{title, kind: 正卷|副卷, grantable, documents: [{id, title, page_count}]}]}
        404: not_found (another court's case, or no electronic dossier)
        """
        return ctx.call("dossier", "staff_dossier", actor=ctx.actor, case_no=case_no)

    @get(
        "/api/v1/staff/cases/<case_no>/documents/<document_id>/pages/<page>",
        same_site_only=True,
        roles=STAFF,
        answer=Media("image/png", "the stamped page"),
    )
    def staff_page(self, ctx: Context, case_no: str, document_id: str, page: str):
        """卷宗页面预览（PNG，加盖审查人水印，记入阅卷记录）

        200: image/png
        404: not_found
        """
        return _read_page(self.storage, ctx, "staff_read_page", document_id, page, case_no=case_no)

    @get("/api/v1/staff/cases/<case_no>/access-log", roles=STAFF, query=PageQuery, answer=schemas.StaffLogPage)
    def case_access_log(self, ctx: Context, case_no: str):
        """案件的阅卷记录：阅卷人和本院工作人员的每次查阅，最新的在前

        200: {items: [{at, actor, role, action, application_id?, document_id?, document_title?, page?}], next_cursor}
        404: not_found (another court's case)
        """
        return ctx.call("dossier", "case_access_log", actor=ctx.actor, case_no=case_no, **ctx.query())
