"""One table from error codes to HTTP status; every error body has the contract's shape."""

from __future__ import annotations

import html
import json
from typing import Any

from werkzeug.wrappers import Response

STATUS_BY_CODE: dict[str, int] = {
    "bad_request": 400,
    "unauthenticated": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "verification_required": 403,
    "account_disabled": 403,
    "not_approved": 403,
    "print_not_allowed": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "phone_taken": 409,
    "id_number_taken": 409,
    "license_taken": 409,
    "already_verified": 409,
    "cannot_disable_self": 409,
    "binding_required": 409,
    "duplicate_pending": 409,
    "already_related": 409,
    "invalid_state": 409,
    "no_electronic_dossier": 409,
    "not_ready": 409,
    "slot_full": 409,
    "access_expired": 410,
    "access_revoked": 410,
    "too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal_error": 500,
    "service_unavailable": 503,
}
# Everything else a service raises is a rule about the input: 422.
DEFAULT_STATUS = 422

DEFAULT_MESSAGES = {
    "bad_request": "请求格式不正确",
    "unauthenticated": "请先登录",
    "forbidden": "您无权执行此操作",
    "not_found": "资源不存在",
    "method_not_allowed": "不支持该请求方法",
    "too_large": "内容过大",
    "unsupported_media_type": "不支持的内容类型",
    "rate_limited": "请求过于频繁，请稍后再试",
    "internal_error": "系统繁忙，请稍后再试",
    "service_unavailable": "服务暂时不可用，请稍后再试",
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


class ApiError(Exception):
    """An answer decided in the gateway itself (authentication, parsing, size)."""

    def __init__(self, code: str, message: str | None = None, details: dict | None = None, status: int | None = None):
        super().__init__(code)
        self.code = code
        self.message = message or DEFAULT_MESSAGES.get(code, "请求有误")
        self.details = details
        self.status = status or STATUS_BY_CODE.get(code, DEFAULT_STATUS)


def status_for(code: str) -> int:
    return STATUS_BY_CODE.get(code, DEFAULT_STATUS)


def json_response(status: int, payload: Any, headers: dict | None = None) -> Response:
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    response = Response(body, status=status, mimetype="application/json" if payload is not None else None)
    response.headers["Cache-Control"] = "no-store"
    for key, value in {**SECURITY_HEADERS, **(headers or {})}.items():
        response.headers[key] = value
    return response


def error_page(code: str, message: str | None = None, status: int | None = None) -> Response:
    """The same refusal for a person: a browser tab opened on an API address (打印 opens the
    PDF in a tab of its own, a material opens from its link) shows a sentence, not JSON."""
    text = html.escape(message or DEFAULT_MESSAGES.get(code, "请求有误"))
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>无法打开</title>'
        '<link rel="stylesheet" href="/static/common.css"></head>'
        f'<body><main class="error-page" data-code="{html.escape(code)}"><h1>无法打开</h1>'
        f'<p role="alert">{text}</p><p><a href="/">返回网上阅卷</a></p></main></body></html>'
    )
    response = Response(body.encode(), status=status or status_for(code), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    for key, value in SECURITY_HEADERS.items():
        response.headers[key] = value
    return response


def error_response(
    code: str, message: str | None = None, details: dict | None = None, status: int | None = None
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message or DEFAULT_MESSAGES.get(code, "请求有误")}
    if details:
        error["details"] = details
    return json_response(status or status_for(code), {"error": error})
