"""Human text as people type it into forms and feeds: one rule for every service."""

from __future__ import annotations

import unicodedata
from typing import Any, Literal, overload

from services.common.infra.errors import validation_error

# Control, format (bidi overrides, zero-width), surrogate, private-use, unassigned.
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")


@overload
def clean_text(
    value: Any,
    field: str,
    *,
    max_len: int,
    required: Literal[True] = True,
    label: str | None = None,
    multiline: bool = False,
) -> str: ...
@overload
def clean_text(
    value: Any, field: str, *, max_len: int, required: bool, label: str | None = None, multiline: bool = False
) -> str | None: ...
def clean_text(
    value: Any, field: str, *, max_len: int, required: bool = True, label: str | None = None, multiline: bool = False
) -> str | None:
    """A string, stripped and NFC-normalised, bounded, with no invisible or control
    characters (newlines and tabs allowed in a ``multiline`` text such as a reason).
    Refusals are ``validation_error`` naming ``field``; ``label`` makes the message say
    which field in words. An empty optional text is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise validation_error({field: "必填"}, *([f"请填写{label}"] if label else []))
        return None
    if not isinstance(value, str):
        raise validation_error({field: "应为文本"})
    text = unicodedata.normalize("NFC", value.strip())
    if len(text) > max_len:
        raise validation_error(
            {field: f"不能超过{max_len}个字符"}, *([f"{label}不能超过{max_len}个字符"] if label else [])
        )
    allowed = "\n\t" if multiline else ""
    # isprintable() is a fast C check that already rules out every "C*" category; only
    # texts it doubts (an ideographic space, a newline) need the per-character look.
    if not text.isprintable() and any(unicodedata.category(ch) in _INVISIBLE and ch not in allowed for ch in text):
        raise validation_error({field: "含有不可见或无效字符"})
    return text


def clip(value: Any, max_len: int) -> str | None:
    """A value another service vouched for, kept as text of at most ``max_len``; empty is None."""
    return str(value)[:max_len] if value else None
