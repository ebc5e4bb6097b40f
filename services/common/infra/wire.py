"""Wire shapes as models: one declaration per request or answer body, used to validate what
a client sends and to write the JSON Schema of the OpenAPI document.

A request field is checked by the owning service's own rule (``ruled``): the rule gets the
raw value, as it did before these models, so its refusal (a ``DomainError`` with the
contract's code, Chinese message and ``details.fields``) reaches the client unchanged.
Pydantic lets exceptions that are not ``ValueError`` pass through its validators, so the
first failing field, in the order the model declares them, answers. The field's JSON
Schema is written from the same parameters the rule is called with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema
from pydantic.json_schema import JsonDict

from services.common.infra.errors import validation_error

REQUIRED = "x-court-required"  # a field the contract requires, though its rule sees it missing


def _required_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A ruled field has a default (None) so that its rule, not pydantic, says it is
    missing; the document still marks it required, and drops the marker."""
    required = list(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if prop.get("default", 0) is None:  # "left out", not a value the schema allows
            del prop["default"]
        if prop.pop(REQUIRED, False) and name not in required:
            required.append(name)
    if required:
        schema["required"] = required


class Body(BaseModel):
    """A request body. Unknown fields are ignored (API.md): fields the server owns are
    simply not declared, so they are never read."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_required_fields)
    example: ClassVar[dict[str, Any] | None] = None  # the document's example of this body
    message: ClassVar[str] = "输入有误，请检查后重试"  # a type refusal's message
    field_message: ClassVar[str | None] = None  # one text for every field a type refuses

    @classmethod
    def parse(cls, value: Any, not_object: str = "应为对象") -> Self:
        if not isinstance(value, dict):
            raise validation_error({"body": not_object})
        try:
            return cls.model_validate(value)
        except ValidationError as exc:  # a field without a rule of its own: its type said no
            fields = {
                ".".join(str(p) for p in err["loc"]) or "body": cls.field_message or _message(err)
                for err in exc.errors()
            }
            raise validation_error(fields, cls.message) from None


class Described(Body):
    """A request body the owning service checks itself, in the order the contract fixes
    (the resource's 404 before the input's 422): the model says what the document
    promises, and the service's rules answer as they always have."""


class Answer(BaseModel):
    """An answer body, as the document describes it. A response may carry more fields.

    Answers travel over RPC as plain JSON: the functions that build one return the
    ``TypedDict`` named after its model (``Binding``: ``BindingJson``), so mypy checks what
    each puts in. The two name the same fields, and every field the model requires is
    required in the ``TypedDict`` too (tests/unit/test_openapi.py holds them together)."""

    model_config = ConfigDict(extra="allow")
    example: ClassVar[dict[str, Any] | None] = None


Item = TypeVar("Item")


class Page(Answer, Generic[Item]):
    """A page of a list (``class LogPage(Page[LogEntry])``): its items, and the cursor that
    asks for the next page (null: no more). Each list's page is a model of its own name."""

    items: list[Item]
    next_cursor: str | None


class Empty(Answer):
    """An answer with nothing to say but its status: ``{}``."""

    example: ClassVar = {}


def _message(error: Any) -> str:
    kind = error.get("type", "")
    if kind.startswith("string") or kind == "str_type":
        return "应为文本"
    if kind.startswith(("int", "float")):
        return "应为数字"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind.startswith("list"):
        return "应为列表"
    if kind == "missing":
        return "必填"
    return "格式不正确"


def ruled(rule: Callable[..., Any], schema: dict[str, Any]) -> tuple[PlainValidator, WithJsonSchema]:
    """Annotated metadata: ``rule`` validates (and normalises) the raw value, ``schema`` is
    what the document says of it."""
    return PlainValidator(rule), WithJsonSchema(schema)


def required(description: str = "", **extra: Any) -> Any:
    """A field the contract requires, whose rule decides what "missing" answers."""
    return Field(
        None, validate_default=True, description=description or None, json_schema_extra={REQUIRED: True, **extra}
    )


def optional(description: str = "", *, ruled_when_missing: bool = False, **extra: Any) -> Any:
    """A field a client may leave out; ``ruled_when_missing``: its rule still runs (a field
    another one makes required, as a lawyer's license number)."""
    schema = cast(JsonDict, extra) or None
    if ruled_when_missing:  # (pydantic's overloads take the flag only as a literal)
        return Field(None, validate_default=True, description=description or None, json_schema_extra=schema)
    return Field(None, validate_default=False, description=description or None, json_schema_extra=schema)


def text_schema(max_len: int, *, required: bool = True) -> dict[str, Any]:
    """The JSON Schema of a ``services.common.court.text.clean_text`` field."""
    schema: dict[str, Any] = {"type": "string", "maxLength": max_len}
    if required:
        schema["minLength"] = 1
        schema["pattern"] = r"\S"
    return schema if required else {"anyOf": [schema, {"type": "null"}]}
