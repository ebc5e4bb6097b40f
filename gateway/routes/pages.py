"""The three front ends (/m/ mobile, /web/ web center, /staff/ console), their static
assets, and the browser session.

Each front end is one HTML shell and a small client over the JSON API; every sub-path
answers with the same shell so that addresses such as /web/login?next=... and
/web/applications/<id>/dossier can be opened directly. The browser never sees the bearer
token: POST /api/v1/session signs in and keeps it in an HttpOnly cookie, and a readable
CSRF cookie is echoed in X-CSRF-Token on unsafe methods (checked by gateway.http).
"""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from gateway.errors import SECURITY_HEADERS, ApiError, json_response
from gateway.http import (
    CSRF_COOKIE,
    NO_CONTENT,
    SESSION_COOKIE,
    Context,
    Media,
    client_address,
    cookie_name,
    cookies_secure,
    delete,
    get,
    post,
    token_digest,
)
from services.common.court import clock
from services.identity import schemas as identity_schemas

if TYPE_CHECKING:
    from gateway.dependencies import TokenCache

PAGE = Media("text/html", "the page")

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "gateway" / "static"
# weui comes from npm (package.json); it is served from node_modules, never copied here.
VENDOR_FILES = {
    "weui/weui.min.css": ROOT / "node_modules" / "weui" / "dist" / "style" / "weui.min.css",
}
FRONT_ENDS = {"m": "m/index.html", "web": "web/index.html", "staff": "staff/index.html"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


def _with_headers(response: Response, cache: str) -> Response:
    response.headers["Cache-Control"] = cache
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def _asset_table() -> dict[str, Path]:
    """Every servable file by its public name, fixed at start-up: a request can name only
    these, so no path from the client ever reaches the file system."""
    table = {p.relative_to(STATIC_DIR).as_posix(): p for p in STATIC_DIR.rglob("*") if p.is_file()}
    table.update({name: path for name, path in VENDOR_FILES.items() if path.is_file()})
    return table


ASSETS = _asset_table()


def _file_response(request, path: Path, cache: str) -> Response:
    data = path.read_bytes()
    etag = hashlib.sha256(data).hexdigest()[:32]
    content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(data, status=200, content_type=f"{content_type}; charset=utf-8")
    response.set_etag(etag)
    return _with_headers(response, cache)


def _shell(ctx: Context, front_end: str) -> Response:
    # no-cache: a new release's shell (and through it the assets) is picked up at once
    return _file_response(ctx.request, STATIC_DIR / FRONT_ENDS[front_end], "no-cache")


def _redirect(location: str) -> Response:
    response = Response(b"", status=308)
    response.headers["Location"] = location
    return _with_headers(response, "no-store")


def _set_session_cookies(ctx: Context, response: Response, token: str, expires_at: str) -> None:
    secure = cookies_secure(ctx.request)
    try:
        expires = datetime.fromisoformat(expires_at)
        max_age = max(0, int((expires - clock.now()).total_seconds()))
    except (TypeError, ValueError):
        max_age = None
    common: dict[str, Any] = {"max_age": max_age, "path": "/", "secure": secure, "samesite": "Lax"}
    response.set_cookie(cookie_name(SESSION_COOKIE, secure), token, httponly=True, **common)
    # Readable by the pages on purpose: another site can neither read it nor set the header.
    response.set_cookie(cookie_name(CSRF_COOKIE, secure), secrets.token_urlsafe(24), httponly=False, **common)


def _clear_session_cookies(ctx: Context, response: Response) -> None:
    secure = cookies_secure(ctx.request)
    for base in (SESSION_COOKIE, CSRF_COOKIE):
        for name, name_secure in ((base, secure), (f"__Host-{base}", True)):  # either form may be held
            response.delete_cookie(name, path="/", secure=name_secure, samesite="Lax", httponly=base == SESSION_COOKIE)


class PageRoutes:
    tokens: TokenCache  # the gateway service's dependency (gateway.service)

    # -- the browser session ---------------------------------------------------------------
    @post("/api/v1/session", auth=False, request=identity_schemas.Credentials, answer=identity_schemas.PageSession)
    def session_login(self, ctx: Context):
        """网页登录：设置 HttpOnly 会话 Cookie（court_session）与 CSRF Cookie（court_csrf）

        200: {user, expires_at}
        401: invalid_credentials
        403: account_disabled
        429: rate_limited
        """
        body = ctx.body(identity_schemas.Credentials)
        result = ctx.call(
            "identity",
            "login",
            phone=body.phone,
            password=body.password,
            client=client_address(ctx.request),
        )
        response = json_response(200, {"user": result["user"], "expires_at": result["expires_at"]})
        _set_session_cookies(ctx, response, result["token"], result["expires_at"])
        return response

    @delete("/api/v1/session", answer=NO_CONTENT)
    def session_logout(self, ctx: Context):
        """网页退出登录：注销会话并清除 Cookie（需 X-CSRF-Token）

        204: signed out
        """
        self.tokens.drop(token_digest(ctx.session_token))
        ctx.call("identity", "logout", token=ctx.token)
        response = json_response(204, None)
        _clear_session_cookies(ctx, response)
        return response

    # -- the front ends --------------------------------------------------------------------
    # /m/ 手机阅卷 (mobile), /web/ 电子诉讼服务中心 (web center), /staff/ 法院工作台 (court
    # console): one page each, whose own router draws every sub-path.
    @get("/<any(m, web, staff):front>", auth=False, answer=NO_CONTENT)
    def front_bare(self, ctx: Context, front: str):
        """前端入口（转到带斜杠的地址）

        308: the address with a slash
        404: not_found (no such front end)
        """
        return _redirect(f"/{front}/")

    @get("/<any(m, web, staff):front>/", auth=False, answer=PAGE)
    def front(self, ctx: Context, front: str):
        """前端页面

        200: the page
        404: not_found (no such front end)
        """
        return _shell(ctx, front)

    @get("/<any(m, web, staff):front>/<path:rest>", auth=False, answer=PAGE)
    def front_page(self, ctx: Context, front: str, rest: str):
        """前端页面（子路径）

        200: the page
        404: not_found (no such front end)
        """
        return _shell(ctx, front)

    @get("/", auth=False, answer=NO_CONTENT)
    def home(self, ctx: Context):
        """首页：转到电子诉讼服务中心

        303: /web/
        """
        response = Response(b"", status=303)
        response.headers["Location"] = "/web/"
        return _with_headers(response, "no-store")

    @get(
        "/static/<path:asset>",
        auth=False,
        answer=Media("application/javascript|text/css|image/png|image/svg+xml|font/woff2", "the asset"),
    )
    def static_asset(self, ctx: Context, asset: str):
        """页面静态资源（JS、CSS、weui）

        200: the asset
        404: not_found
        """
        path = ASSETS.get(asset)
        if path is None or asset.endswith(".html"):
            raise ApiError("not_found")
        return _file_response(ctx.request, path, "no-cache")
