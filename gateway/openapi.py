"""The OpenAPI 3 document, built from the routes the gateway actually has."""

from __future__ import annotations

import re

from gateway.http import ROUTES

_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        }
    },
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _PARAM.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule), params


def openapi_document() -> dict:
    paths: dict[str, dict] = {}
    for spec in ROUTES:
        if spec.path.startswith("/<path"):
            continue
        path, params = _path(spec.path)
        op: dict = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
            "responses": {str(code): {"description": text} for code, text in (spec.responses or {200: "OK"}).items()},
        }
        op["responses"]["default"] = {
            "description": "error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if params:
            op["parameters"] = params
        if spec.auth:
            op["security"] = [{"bearer": []}, {"cookie": []}]
        if spec.roles:
            op["x-roles"] = list(spec.roles)
        if spec.body == "json":
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
        elif spec.body == "multipart":
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object"}}}}
        paths.setdefault(path, {})[spec.method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "网上阅卷 API", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": {"Error": _ERROR},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "court_session"},
            },
        },
    }
