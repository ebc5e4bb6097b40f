"""Materials (申请材料): uploads streamed to object storage, served back as attachments
(API.md "Materials"). The bytes never cross AMQP: applications gets the key (claim check)."""

from __future__ import annotations

import logging
import os
from urllib.parse import quote

import eventlet.tpool
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from gateway.errors import SECURITY_HEADERS, ApiError
from gateway.http import Context, Media, get, post
from services.applications import schemas
from services.common.infra import metrics, staging, uploads
from services.common.infra.errors import DomainError
from services.common.infra.storage import ObjectStore

log = logging.getLogger("gateway.uploads")

# The file may be 20 MiB; the multipart envelope (boundaries, headers, the kind field) a
# little more. A Content-Length above this is refused before a byte of the body is read.
MAX_UPLOAD_BODY = uploads.MAX_UPLOAD_BYTES + 64 * 1024
PART_SIZE = 5 * 1024 * 1024  # S3 multipart: at most this much of a file in memory at once
CHUNK = 64 * 1024


class UploadRoutes:
    storage: ObjectStore

    @post(
        "/api/v1/uploads",
        body="multipart",
        max_body=MAX_UPLOAD_BODY,
        heavy=True,
        request=schemas.UploadForm,
        answer=schemas.Upload,
    )
    def upload_material(self, ctx: Context):
        """上传申请材料（PDF、JPG、PNG，不超过20MB）

        201: {id, kind, filename, size, content_type, sha256}
        413: too_large
        415: unsupported_media_type
        422: invalid_kind, validation_error
        """
        request = ctx.request
        if request.mimetype != "multipart/form-data":
            raise ApiError("bad_request", "请以 multipart/form-data 上传文件（字段 file 与 kind）")
        if request.content_length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            # eventlet decodes chunked bodies and ends the stream itself; saying so lets
            # Werkzeug count the bytes and stop at max_content_length while streaming.
            request.environ["wsgi.input_terminated"] = True
        try:
            form, files = request.form, request.files
        except RequestEntityTooLarge:
            raise ApiError("too_large", "文件不能超过20MB") from None
        kind = form.get("kind")
        if kind not in uploads.MATERIAL_KINDS:
            raise ApiError("invalid_kind", "材料类型不正确", {"allowed": list(uploads.MATERIAL_KINDS)})
        upload = files.get("file")
        if upload is None:
            raise ApiError("validation_error", "请选择要上传的文件", {"fields": {"file": "必填"}})
        stream = upload.stream
        try:
            stream.seek(0, os.SEEK_END)
            if stream.tell() > uploads.MAX_UPLOAD_BYTES:
                raise ApiError("too_large", "文件不能超过20MB")
            try:
                # Decoding a whole image or PDF is CPU work: a real thread keeps the hub free.
                checked = eventlet.tpool.execute(uploads.check_file, stream)
            except uploads.Refused as exc:
                raise ApiError("unsupported_media_type", exc.reason, exc.details or None) from None
            except uploads.Busy:
                raise ApiError("service_unavailable", "正在处理的文件较多，请稍后重试") from None
            try:
                filename = uploads.display_filename(upload.filename, checked.content_type)
                # a PDF that carried scripts, launch actions or attachments is stored cleaned
                return 201, self._store_material(ctx, checked.body or stream, checked, kind, filename)
            finally:
                if checked.cleaned and checked.body is not None:
                    checked.body.close()
        finally:
            upload.close()

    def _store_material(self, ctx: Context, body, checked: uploads.Sniffed, kind: str, filename: str) -> dict:
        key = staging.staged_key("materials/")  # server-generated: never the user's name
        body.seek(0)
        self.storage.client.put_object(
            self.storage.bucket,
            key,
            body,
            checked.size,
            content_type=checked.content_type,
            part_size=PART_SIZE,
        )
        try:
            registered = ctx.call(
                "applications",
                "register_material",
                actor=ctx.actor,
                key=key,
                kind=kind,
                filename=filename,
                size=checked.size,
                content_type=checked.content_type,
                sha256=checked.sha256,
            )
        except DomainError:
            # Refused: nothing will ever own these bytes. (Unanswered is another matter: the
            # registration may still land, so the object waits for the applications
            # service's sweep of uploads that stayed unregistered.)
            try:
                self.storage.delete(key)
            except Exception:
                log.warning("could not remove a refused upload", exc_info=True)
            raise
        metrics.upload_received(checked.size, kind)
        return registered

    @get("/api/v1/uploads/<material_id>", answer=Media("application/pdf|image/jpeg|image/png", "the file"))
    def download_material(self, ctx: Context, material_id: str):
        """下载申请材料（本人，或可审查该材料的本院审查人）

        200: the file, as an attachment
        404: not_found
        """
        meta = ctx.call("applications", "open_material", actor=ctx.actor, material_id=material_id)
        obj = self.storage.open(meta["key"])

        def body():
            try:
                yield from obj.stream(CHUNK)
            finally:
                obj.close()
                obj.release_conn()

        response = Response(body(), status=200, content_type=meta["content_type"], direct_passthrough=True)
        response.headers["Content-Length"] = str(meta["size"])
        response.headers["Content-Disposition"] = attachment(meta["filename"])
        response.headers["Cache-Control"] = "private, no-store"
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response


def attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
