"""The OpenAPI 3.1 document, built from the routes the gateway actually has (ROUTES) and the
wire-shape models they declare (services/*/schemas.py): the document cannot say what the
code does not do."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gateway.errors import STATUS_BY_CODE
from gateway.http import NO_CONTENT, ROUTES, Media, RouteSpec

_PARAM = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
_CODE = re.compile(r"[a-z][a-z0-9_]*")
REF = "#/components/schemas/{model}"

ROLE_NAMES = {"party": "当事人", "lawyer": "律师", "clerk": "审查人", "archivist": "档案室", "admin": "管理员"}

PATH_PARAMETERS = {
    "application_id": "阅卷申请编号",
    "id": "编号",
    "document_id": "卷宗文件编号",
    "doc": "卷宗文件编号",
    "page": "页码（从 1 起）",
    "print_id": "打印任务编号",
    "case_no": "案号，如 （2021）粤01民初1号（URL 编码）",
    "binding_id": "案件绑定申请编号",
    "verification_id": "实名认证申请编号",
    "user_id": "账号编号",
    "material_id": "材料编号",
    "token": "复制链接中的令牌",
    "year": "年份，如 2026",
    "kind": "导出类型：queue（审查队列）、decisions（审查决定）、statistics（按月统计）",
    "front": "前端：m（手机阅卷）、web（电子诉讼服务中心）、staff（法院工作台）",
    "rest": "前端页面的子路径",
    "asset": "静态资源路径",
}

# The document's order, whatever order the route modules were imported in: a reader's
# flow first, then the court's console, then operations.
TAGS = {
    "identity": "注册、登录、账号、实名认证与账号管理",
    "cases": "案件查询、案件绑定与案件导入",
    "uploads": "申请材料",
    "applications": "阅卷申请",
    "dossier": "查看案卷、复制链接、打印与阅卷记录",
    "review": "审查、现场阅卷、阅卷室、站内信与工作日历",
    "exports": "导出",
    "pages": "网页登录与前端页面",
    "ops": "健康检查、指标与本文档",
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "同一用户以相同的键和相同的请求体重试时，返回第一次的结果（状态码与内容相同），不再改变任何数据；"
    "相同的键配不同的请求体为 422 idempotency_key_reused。键至少保留 24 小时。",
    "schema": {"type": "string", "pattern": "^[!-~]{1,128}$", "maxLength": 128},
    "example": "5f0c8d4e-2b7a-4d1c-9e10-3f2c0a0e9a51",
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "稳定的错误代码（snake_case），客户端据此分支"},
                "message": {"type": "string", "description": "可直接展示给用户的中文说明"},
                "details": {
                    "type": "object",
                    "description": "validation_error：fields 为 {字段: 原因}；"
                    "materials_missing：missing 为缺少的材料种类",
                    "properties": {
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "missing": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        }
    },
    "example": {
        "error": {"code": "validation_error", "message": "请填写申请内容", "details": {"fields": {"scope": "必填"}}}
    },
}

STATUS_TEXT = {
    200: "成功",
    201: "已创建",
    202: "已受理",
    204: "成功（无内容）",
    303: "转到 Location",
    308: "转到 Location（永久）",
    400: "请求无法解析",
    401: "未登录或登录已失效",
    403: "无权执行",
    404: "不存在（或不属于调用者）",
    405: "不支持该方法",
    408: "请求超时",
    409: "与当前状态冲突",
    410: "已失效",
    413: "内容过大",
    415: "不支持的内容类型",
    422: "输入有误",
    429: "请求过于频繁",
    503: "服务暂时不可用，请稍后重试",
}


def _codes(text: str) -> list[str]:
    """The error codes a route's ``responses`` names for a status: "not_found (no such
    case, or a party not in it), invalid_state" → [not_found, invalid_state]."""
    bare = re.sub(r"\([^)]*\)", "", text)
    return [part.strip() for part in bare.split(",") if _CODE.fullmatch(part.strip())]


def error_codes(spec: RouteSpec) -> dict[int, list[str]]:
    """Every error code the route may answer, by status: what the route names, and what
    the gateway itself answers for every route of its kind."""
    codes: dict[int, list[str]] = {}

    def add(status: int, *names: str) -> None:
        for name in names:
            if name not in codes.setdefault(status, []):
                codes[status].append(name)

    for status, text in sorted(spec.responses.items()):
        if status >= 400:
            for code in _codes(text):
                add(STATUS_BY_CODE.get(code, 422) if status == 422 or code in STATUS_BY_CODE else status, code)
    if spec.body or spec.query is not None:  # a body, or ?limit=/?cursor= that cannot be read
        add(400, "bad_request")
        add(413, "too_large")
    if spec.body == "json":
        add(422, "validation_error")
    if spec.auth:
        add(401, "unauthenticated")
        add(403, "forbidden")
    if spec.same_site_only:
        add(403, "forbidden")
    if spec.idempotent:
        add(422, "validation_error", "idempotency_key_reused")
    add(429, "rate_limited")
    add(503, "service_unavailable")
    return dict(sorted(codes.items()))


def success_status(spec: RouteSpec) -> int:
    return min((s for s in spec.responses if s < 400), default=200)


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, args, name in _PARAM.findall(rule):
        schema: dict[str, Any] = {"type": "string"}
        if converter == "int":
            schema = {"type": "integer", "minimum": 0}
        elif converter == "any":
            schema = {"type": "string", "enum": [a.strip() for a in args.split(",")]}
        param = {"name": name, "in": "path", "required": True, "schema": schema}
        if name in PATH_PARAMETERS:
            param["description"] = PATH_PARAMETERS[name]
        params.append(param)
    return _PARAM.sub(lambda m: "{" + m.group(3) + "}", rule), params


def _models() -> list[type[BaseModel]]:
    seen: dict[type[BaseModel], None] = {}
    for spec in ROUTES:
        for model in (spec.request, spec.answer, spec.query):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[model] = None
    return list(seen)


def _query_parameters(schema: dict) -> list[dict]:
    params = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        prop.pop("title", None)
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if options:  # a query parameter is absent or text, never null
            prop.update(options[0])
        description = prop.pop("description", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _content(model: Any, refs: dict, *, kind: str = "application/json") -> dict | None:
    if model is None or model is NO_CONTENT:
        return None
    if isinstance(model, Media):
        return {kind: {"schema": {"type": "string", "format": "binary"}} for kind in model.content_type.split("|")}
    media: dict[str, Any] = {"schema": refs[model]}
    if getattr(model, "example", None) is not None:
        media["example"] = model.example
    return {kind: media}


def _operation(spec: RouteSpec, refs: dict) -> tuple[str, dict]:
    path, params = _path(spec.path)
    description = [spec.summary] if spec.summary else []
    if spec.roles:
        description.append("角色：" + "、".join(f"{ROLE_NAMES.get(r, r)}（{r}）" for r in spec.roles))
    elif spec.auth:
        description.append("角色：已登录的任何用户")
    else:
        description.append("无需登录")
    op: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary.split("：")[0][:80] if spec.summary else spec.operation_id,
        "description": "\n\n".join(description),
        "tags": [spec.tag or "other"],
    }
    if spec.query is not None:
        params += _query_parameters(refs["query", spec.query])
    if spec.idempotent:
        params.append(IDEMPOTENCY_KEY)
    if params:
        op["parameters"] = params
    if spec.auth:
        op["security"] = [{"bearer": []}, {"cookie": []}]
    else:
        op["security"] = []
    if spec.roles:
        op["x-roles"] = list(spec.roles)
    if spec.body == "json":
        content = _content(spec.request, refs) or {"application/json": {"schema": {"type": "object"}}}
        op["requestBody"] = {"required": not spec.body_optional, "content": content}
    elif spec.body == "multipart":
        content = _content(spec.request, refs, kind="multipart/form-data") or {
            "multipart/form-data": {"schema": {"type": "object"}}
        }
        op["requestBody"] = {"required": True, "content": content}
    status = success_status(spec)
    answer: dict[str, Any] = {"description": spec.responses.get(status) or STATUS_TEXT.get(status, "成功")}
    answer_content = _content(spec.answer, refs)
    if answer_content:
        answer["content"] = answer_content
    if status in (303, 308):
        answer["headers"] = {"Location": {"schema": {"type": "string"}, "description": "转到的地址"}}
    responses: dict[str, Any] = {str(status): answer}
    for other, text in sorted(spec.responses.items()):
        if other != status and other < 400:
            responses[str(other)] = {"description": text}
    for err, codes in error_codes(spec).items():
        responses[str(err)] = {
            "description": f"{STATUS_TEXT.get(err, '错误')}：" + "、".join(f"`{c}`" for c in codes),
            "content": {"application/json": {"schema": _error_schema(codes)}},
        }
    for err, text in spec.responses.items():
        if err >= 400 and str(err) not in responses:  # a documented answer that is not an error object
            responses[str(err)] = {"description": text}
    op["responses"] = responses
    return path, op


def _error_schema(codes: list[str]) -> dict:
    return {
        "allOf": [{"$ref": "#/components/schemas/Error"}],
        "properties": {"error": {"properties": {"code": {"enum": codes}}}},
    }


@functools.cache
def openapi_document() -> dict:
    models = _models()
    queries = {spec.query for spec in ROUTES if spec.query is not None}
    keys: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in models]
    key_map, top = models_json_schema(keys, ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    refs: dict[Any, Any] = {m: key_map[(m, "validation")] for m in models}
    for query in queries:  # query models become parameters, not components
        ref = key_map[(query, "validation")]["$ref"].rsplit("/", 1)[-1]
        refs["query", query] = schemas.pop(ref)
    for schema in schemas.values():
        if schema.get("additionalProperties") is True:  # an answer may carry more fields: the default
            del schema["additionalProperties"]
    paths: dict[str, dict] = {}
    order = list(TAGS)
    routes = sorted(
        enumerate(ROUTES), key=lambda item: (order.index(item[1].tag) if item[1].tag in order else len(order), item[0])
    )
    for _, spec in routes:
        path, op = _operation(spec, refs)
        paths.setdefault(path, {})[spec.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "网上阅卷 API",
            "version": "1.0.0",
            "description": "法院网上阅卷的 HTTP 接口：当事人、律师申请阅卷，审查人审查，阅卷人在线查看、打印卷宗。"
            "客户端指南见 docs/api.md。",
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": tag, "description": TAGS.get(tag, "")}
            for tag in dict.fromkeys(spec.tag or "other" for _, spec in routes)
        ],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR, **schemas},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/login 得到的 token"},
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "court_session",
                    "description": "页面登录（POST /api/v1/session）的会话 Cookie；不安全的方法还需 X-CSRF-Token 头",
                },
            },
        },
    }
