"""The gateway's HTTP machinery: one entrypoint class whose every answer, error or not,
has the contract's shape, and the ``route`` decorator that does authentication, roles,
body limits, metrics and error mapping once for every route."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from prometheus_client import Counter, Histogram
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from gateway import door
from gateway.errors import ApiError, error_page, error_response, json_response
from services.common.court import clock
from services.common.infra import config
from services.common.infra import logging as court_logging
from services.common.infra.actor import Actor
from services.common.infra.errors import DomainError

log = logging.getLogger("gateway")

JSON_MAX_BYTES = 4 * 1024 * 1024  # a case import of thousands fits; anything bigger is refused unread
SESSION_COOKIE = "court_session"
CSRF_COOKIE = "court_csrf"
_LOOPBACK_HOST = re.compile(r"(127\.0\.0\.1|localhost)(:\d{1,5})?")
_CURSOR = re.compile(r"[A-Za-z0-9_=:-]{1,200}")
_ADDRESS = re.compile(r"[0-9A-Fa-f:.]{2,45}")  # an IPv4 or IPv6 address, nothing else
PAGE_ARGS = ("limit", "cursor")


def is_loopback_host(host: str | None) -> bool:
    return bool(_LOOPBACK_HOST.fullmatch(host or ""))


def public_base_url() -> str | None:
    """``PUBLIC_BASE_URL``: the address readers use, when TLS or a proxy stands in front."""
    value = str(config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")
    return value or None


def cookies_secure(request: Request) -> bool:
    """Whether session cookies carry the Secure flag. ``PUBLIC_BASE_URL`` decides when it is
    set, whatever ``Host`` says: behind a proxy (``proxy_pass http://127.0.0.1:8000``) the
    gateway sees plain http and a loopback host. Without it, the request's own scheme."""
    public = public_base_url()
    if public:
        return public.lower().startswith("https://")
    return request.scheme == "https"


def cookie_name(base: str, secure: bool) -> str:
    """``__Host-`` cookies (Secure, Path=/, no Domain) where the scheme allows: a sibling
    site or an http page cannot plant or overwrite them."""
    return f"__Host-{base}" if secure else base


def request_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(f"__Host-{base}") or request.cookies.get(base)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or, behind ``TRUSTED_PROXY_HOPS`` proxies that each
    append to ``X-Forwarded-For``, the entry the outermost trusted proxy added. Entries
    further left are whatever the client sent and are never believed."""
    hops = int(config.get("TRUSTED_PROXY_HOPS", 0) or 0)
    peer = request.remote_addr or ""
    if hops <= 0:
        return peer
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return peer
    candidate = forwarded[-hops]
    return candidate if _ADDRESS.fullmatch(candidate) else peer


CSRF_HEADER = "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
REQUEST_ID_KEY = "court.request_id"
REQUEST_ID_ENVIRON_HEADER = "HTTP_X_REQUEST_ID"
QUIET_ROUTES = {"/healthz", "/metrics"}  # probes and scrapes every few seconds: not worth a line

HTTP_REQUESTS = Counter("gateway_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("gateway_http_request_duration_seconds", "HTTP latency", ["method", "route"])


@dataclass(frozen=True)
class Media:
    """An answer that is not JSON: its content type and what it is; ``json``: the model of
    its ``application/json`` form, when it has one."""

    content_type: str
    description: str = ""
    json: Any = None


NO_CONTENT = Media("", "no body")  # a 204, or a 303 whose Location is the answer

# Who may call a route, for the groups of the court's roles that many routes share.
APPLICANTS = ("party", "lawyer")  # those who apply to read a dossier
STAFF = ("clerk", "archivist")  # the court's own people: 审查人 and 档案室
ADMIN = ("admin",)


@dataclass
class RouteSpec:
    """What the OpenAPI document says of a route (gateway/openapi.py). ``request`` is the
    body's model (services/*/schemas.py, or a multipart form's), ``answer`` the success
    answer's model, ``Media`` or ``NO_CONTENT``; ``query`` a model whose fields are the
    query parameters; ``idempotent``: the route honours ``Idempotency-Key``."""

    method: str
    path: str
    summary: str
    roles: tuple[str, ...] | None
    auth: bool
    body: str | None = None  # "json" or "multipart"
    responses: dict[int, str] = field(default_factory=dict)
    request: Any = None
    answer: Any = None
    query: Any = None
    idempotent: bool = False
    body_optional: bool = False
    same_site_only: bool = False
    operation_id: str = ""
    tag: str = ""


ROUTES: list[RouteSpec] = []


class CourtWsgiApp(WsgiApp):
    """nameko's WSGI app, but an unknown route or method answers in the contract's shape."""

    def __call__(self, environ, start_response):
        # The request id (a sane X-Request-Id, or a new one) goes back in the response and
        # on to every RPC and event as nameko context data, so every service logs it.
        request_id = court_logging.sane_request_id(environ.get(REQUEST_ID_ENVIRON_HEADER))
        environ[REQUEST_ID_KEY] = request_id or court_logging.new_request_id()
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values  # type: ignore[attr-defined]  # nameko's HttpRequestHandler reads it
            # The body is read whole here, in the connection's own thread and within its
            # deadline (gateway/door.py), so a slow client never holds a worker.
            response = self.server.body_reader.read(environ, provider.max_body)
            if response is None:
                response = provider.handle_request(request)
        except NotFound:
            _unread_body(environ)
            response = refusal(request, "not_found")
        except MethodNotAllowed:
            _unread_body(environ)
            response = error_response("method_not_allowed")
        except HTTPException as exc:
            _unread_body(environ)
            response = error_response("bad_request", status=exc.code if exc.code and exc.code < 500 else 400)
        response.headers[court_logging.REQUEST_ID_HEADER] = environ[REQUEST_ID_KEY]
        return response(environ, start_response)


def navigated(request: Request) -> bool:
    """A browser opening the address in a tab (not a page's fetch): Sec-Fetch-Mode says
    so, or, from a browser too old to send it, an Accept that prefers HTML."""
    if request.method != "GET":
        return False
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode is not None:
        return mode == "navigate"
    return request.accept_mimetypes.best == "text/html"


def refusal(
    request: Request, code: str, message: str | None = None, details: dict | None = None, status: int | None = None
) -> Response:
    """API.md's error shape for programs; the same refusal as a page for a person."""
    if navigated(request):
        return error_page(code, message, status)
    return error_response(code, message, details, status)


def _unread_body(environ) -> None:
    """A body nobody will read: the connection closes after the answer, unread."""
    if environ.get("CONTENT_LENGTH") not in (None, "", "0") or environ.get("HTTP_TRANSFER_ENCODING"):
        door.close_after_answer(environ)


class CourtWebServer(WebServer):
    """nameko's web server with the door's deadlines and body reading (gateway/door.py)."""

    def get_wsgi_app(self):
        return CourtWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=None, debug=False):
        settings = door.DoorSettings.from_config()
        self.body_reader = door.BodyReader(settings)
        protocol = type("ConfiguredCourtProtocol", (door.CourtProtocol,), {"settings": settings})
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.socket_timeout = settings.socket_timeout  # every read and write on a client socket
        server.keepalive = settings.keepalive  # an idle kept-alive connection closes after this
        return server

    def context_data_from_headers(self, request):
        return {"request_id": request.environ.get(REQUEST_ID_KEY)}


class CourtHttp(HttpRequestHandler):
    server = CourtWebServer()

    def __init__(self, method, url, max_body: int = JSON_MAX_BYTES, **kwargs):
        self.max_body = max_body  # the door reads no body larger than its route takes
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        court_logging.set_service("gateway")

    def response_from_exception(self, exc):
        # Only reached if a route escaped its wrapper: never show nameko's "Error: Type: msg".
        log.error("unhandled %s in %s", type(exc).__name__, self.method_name)
        return error_response("internal_error")


class AddressLimiter:
    """Requests a minute per client address (``RATE_LIMIT_PER_ADDRESS``; 0 turns it off),
    counted in fixed one-minute windows in each gateway process. Health checks and
    metrics are never limited: an orchestrator must always be able to ask."""

    def __init__(self, per_minute: int, now: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._now = now
        self._window = -1
        self._counts: dict[str, int] = {}

    def allow(self, address: str) -> bool:
        if self.per_minute <= 0:
            return True
        window = int(self._now() // 60)
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(address, 0) + 1
        self._counts[address] = count
        return count <= self.per_minute


UNLIMITED_ROUTES = {"/healthz", "/metrics"}
_limiter: AddressLimiter | None = None


def address_limiter() -> AddressLimiter:
    global _limiter
    if _limiter is None:
        _limiter = AddressLimiter(int(config.get("RATE_LIMIT_PER_ADDRESS", 0) or 0))
    return _limiter


class Context:
    """What a route sees of one request."""

    def __init__(self, service, request: Request, max_body: int, spec: RouteSpec | None = None):
        self.service = service
        self.request = request
        self.max_body = max_body
        self.spec = spec
        self.user: dict | None = None
        self.token: str | None = None

    @property
    def rpc(self):
        return self.service.rpc

    def call(self, service: str, method: str, **kwargs: Any) -> Any:
        return self.service.rpc.call(service, method, **kwargs)

    def command(self, service: str, method: str, **kwargs: Any) -> Any:
        """``service.method`` for the signed-in user, with what the route declares: the JSON
        object body (``body="json"``; an empty one too with ``body_optional``), unless the
        route passes ``body`` itself, and the ``Idempotency-Key`` (``idempotent``). The path's
        values come in ``kwargs``, checked before the body is read."""
        spec = self.spec
        assert spec is not None, "a command is sent from a route"
        if spec.body == "json" and "body" not in kwargs:
            kwargs["body"] = self.optional_json_object() if spec.body_optional else self.json_object()
        if spec.idempotent:
            kwargs["idempotency_key"] = self.idempotency_key()
        return self.call(service, method, actor=self.actor, **kwargs)

    def json(self) -> Any:
        """The JSON body. 400 when it cannot be parsed or is not JSON at all."""
        mimetype = self.request.mimetype
        if mimetype != "application/json":
            raise ApiError("bad_request", "请求体应为 JSON（Content-Type: application/json）")
        try:
            raw = self.request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise ApiError("too_large", "请求内容过大") from None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[… nested too deep
            raise ApiError("bad_request", "请求体不是有效的 JSON") from None

    def json_object(self) -> dict:
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError("validation_error", "请求体应为 JSON 对象", {"fields": {"body": "应为对象"}})
        return body

    def body(self, model: Any, *, optional: bool = False) -> Any:
        """The JSON body checked by its model (services.common.infra.wire.Body): the owning
        service's rules answer exactly as the service itself would."""
        return model.parse(self.optional_json_object() if optional else self.json_object())

    def optional_json_object(self) -> dict:
        """A JSON object body where the body may also be left out (an empty POST)."""
        if not self.request.content_length and not self.request.headers.get("Transfer-Encoding"):
            return {}
        return self.json_object()

    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` of an unsafe request, as sent (the owning service checks it)."""
        return self.request.headers.get("Idempotency-Key") or None

    def query(self) -> dict[str, Any]:
        """The query parameters the route declares (its ``query`` model's fields) by their
        names in the query string, as the services' RPCs take them: each as sent, or the
        field's default when left out or empty; ``?limit=&cursor=`` of a list (a
        ``PageQuery``) checked here (400 bad_request), every other value by the service
        that owns it (422)."""
        assert self.spec is not None and self.spec.query is not None, "the route declares query="
        fields = self.spec.query.model_fields
        args: dict[str, Any] = {}
        for name, declared in fields.items():
            sent_as = declared.alias or name  # from_ is ?from=
            if name not in PAGE_ARGS:
                args[sent_as] = self.request.args.get(sent_as) or (None if declared.is_required() else declared.default)
        if "limit" in fields:
            args.update(self._page_args())
        return args

    def _query_int(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.request.args.get(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"\d{1,9}", raw):
            raise ApiError("bad_request", f"参数 {name} 应为整数")
        return max(low, min(high, int(raw)))

    def _page_args(self) -> dict:
        """``?limit=&cursor=`` of every list route: 1 to 100 items (20 unless asked), and
        the cursor the previous page handed out, as the services' list RPCs take them."""
        cursor = self.request.args.get("cursor") or None
        if cursor is not None and not _CURSOR.fullmatch(cursor):  # every service's cursor is URL-safe ASCII
            raise ApiError("bad_request", "参数 cursor 无效")
        return {"limit": self._query_int("limit", 20, 1, 100), "cursor": cursor}

    @property
    def actor(self) -> Actor:
        """The verified end user, passed explicitly to every service call."""
        assert self.user is not None
        return cast(Actor, {k: v for k, v in self.user.items() if k != "session_expires_at"})

    @property
    def session_token(self) -> str:
        """The sign-in's token, on a route that requires one."""
        assert self.token is not None
        return self.token


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        return token or None
    return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(ctx: Context) -> dict:
    """Resolve the caller once per request: a bearer header, or the page session cookie
    (which on unsafe methods also needs the CSRF header to match its cookie)."""
    request = ctx.request
    token = bearer_token(request)
    if token is None:
        token = request_cookie(request, SESSION_COOKIE)
        if token and request.method in UNSAFE:
            sent = request.headers.get(CSRF_HEADER, "")
            expected = request_cookie(request, CSRF_COOKIE) or ""
            # compared as bytes: compare_digest refuses str that is not ASCII
            if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
                raise ApiError("forbidden", "页面已过期，请刷新后重试")
    if not token:
        raise ApiError("unauthenticated")
    service = ctx.service
    digest = token_digest(token)
    user = service.tokens.get(digest)
    if user is not None and user.get("session_expires_at", "") <= clock.isoformat(clock.now()):
        service.tokens.drop(digest)  # a cached sign-in never outlives its session
        user = None
    if user is None:
        user = service.rpc.call("identity", "resolve_token", token=token)
        if user is None:
            raise ApiError("unauthenticated", "登录已失效，请重新登录")
        service.tokens.put(digest, user)
    ctx.token = token
    return user


def _to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        status, payload = result
        return json_response(status, payload)
    return json_response(200, result)


_ANSWER_LINE = re.compile(r"(\d{3}):(?: (.*))?")


def _unwrap(lines: list[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if text and text[-1].isascii() and line[:1].isascii():
            text += " "
        text += line
    return text


def documentation(fn: Callable) -> tuple[str, dict[int, str]]:
    """A route's summary and documented answers (RouteSpec), from its handler's docstring:
    the first paragraph is the summary; each line after it is a status and what its answer
    holds (``200: {items, next_cursor}``) or the error codes it may carry (``404: not_found
    (another court's case)``), continued on lines indented further. Wrapped text is read
    back whole: a line break stands for a space between two Latin characters, for nothing
    beside a Chinese one."""
    if not fn.__doc__:
        if sys.flags.optimize >= 2:
            raise RuntimeError("the gateway's routes are documented by their docstrings: run it without -OO")
        raise ValueError(f"route {fn.__qualname__} has no docstring to document it")
    summary, _, rest = inspect.cleandoc(fn.__doc__).partition("\n\n")
    answers: dict[int, list[str]] = {}
    lines: list[str] | None = None
    for line in rest.splitlines():
        match = _ANSWER_LINE.fullmatch(line)
        if match:
            lines = answers[int(match[1])] = [match[2] or ""]
        elif lines is not None and line.startswith(" "):
            lines.append(line)
        else:
            raise ValueError(f"route {fn.__qualname__}: {line!r} is not a status line such as 404: not_found")
    return _unwrap(summary.splitlines()), {status: _unwrap(text) for status, text in answers.items()}


def route(
    method: str,
    path: str,
    *,
    auth: bool = True,
    roles: tuple[str, ...] | None = None,
    body: str | None = None,
    max_body: int = JSON_MAX_BYTES,
    same_site_only: bool = False,
    heavy: bool = False,
    request: Any = None,
    answer: Any = None,
    query: Any = None,
    idempotent: bool = False,
    body_optional: bool = False,
) -> Callable:
    """Declare a gateway route. The function gets ``(self, ctx, **path_values)`` and returns a
    payload, ``(status, payload)`` or a Response; its docstring documents the route
    (:func:`documentation`). ``same_site_only``: a GET that reads the dossier and is logged
    refuses requests another site's page started (Sec-Fetch-Site).
    ``heavy``: work that holds its worker long (uploads, print copies) takes one of the
    door's heavy places first (503 when none frees in time), so it never holds every worker.
    ``request``, ``answer``, ``query``, ``idempotent``, ``body_optional``: what the OpenAPI
    document says of the route (RouteSpec)."""
    if request is not None and body is None:
        body = "json"

    def decorator(fn: Callable) -> Callable:
        summary, responses = documentation(fn)
        spec = RouteSpec(
            method,
            path,
            summary,
            roles,
            auth,
            body,
            responses,
            request,
            answer,
            query,
            idempotent,
            body_optional,
            same_site_only,
            operation_id=fn.__name__,
            tag=fn.__module__.rsplit(".", 1)[-1],
        )
        ROUTES.append(spec)

        @functools.wraps(fn)
        def handler(self, request: Request, **values: Any) -> Response:
            started = time.perf_counter()
            court_logging.bind_request_id(request.environ.get(REQUEST_ID_KEY))
            request.max_content_length = max_body
            ctx = Context(self, request, max_body, spec)
            try:
                if path not in UNLIMITED_ROUTES and not address_limiter().allow(client_address(request)):
                    raise ApiError("rate_limited")
                if same_site_only and request.headers.get("Sec-Fetch-Site") == "cross-site":
                    # another site's page made the reader's browser ask: refused, nothing logged
                    raise ApiError("forbidden", "不接受从其他网站发起的卷宗请求，请在本网站页面中打开")
                if auth:
                    ctx.user = authenticate(ctx)
                    if roles and ctx.user["role"] not in roles:
                        raise ApiError("forbidden")
                if request.content_length is not None and request.content_length > max_body:
                    raise ApiError("too_large", "请求内容过大")
                if heavy:
                    with door.heavy_work():
                        response = _to_response(fn(self, ctx, **values))
                else:
                    response = _to_response(fn(self, ctx, **values))
            except ApiError as exc:
                response = refusal(request, exc.code, exc.message, exc.details, exc.status)
            except DomainError as exc:
                response = refusal(request, exc.code, exc.message or None, exc.details or None)
            except Exception:
                log.exception("internal error on %s %s", method, path)
                response = refusal(request, "internal_error")
            if cookies_secure(request) and public_base_url():
                # the site is https (PUBLIC_BASE_URL): browsers keep to it from now on
                response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(method, path, str(response.status_code)).inc()
            HTTP_LATENCY.labels(method, path).observe(elapsed)
            # The access line names the route pattern, not the path: a path may hold a link token.
            log.log(
                logging.DEBUG if path in QUIET_ROUTES else logging.INFO,
                "%s %s %s",
                method,
                path,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
            )
            court_logging.bind_request_id(None)
            return response

        return CourtHttp.decorator(method, path, max_body=max_body)(handler)

    return decorator


# The routes are declared by their method: ``@get(path, ...)`` is ``@route("GET", path, ...)``.
get = functools.partial(route, "GET")
post = functools.partial(route, "POST")
put = functools.partial(route, "PUT")
delete = functools.partial(route, "DELETE")
