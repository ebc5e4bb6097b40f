"""Errors that cross the wire.

A service raises ``DomainError`` with a stable snake_case ``code`` and a Chinese message a
person can read; nameko carries it to the caller, where the gateway maps the code to an
HTTP status in one table. Registered with nameko so callers get this class back, not a
``RemoteError``.
"""

from __future__ import annotations

from typing import Any

from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
class DomainError(Exception):
    """A rule said no. ``code`` is part of the HTTP contract (API.md)."""

    def __init__(self, code: str, message: str = "", details: dict[str, Any] | None = None):
        super().__init__(code, message, details or {})
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:  # never a traceback or class name on the wire, just the code
        return self.code


def not_found(message: str = "资源不存在") -> DomainError:
    return DomainError("not_found", message)


def validation_error(fields: dict[str, str], message: str = "输入有误，请检查后重试") -> DomainError:
    return DomainError("validation_error", message, {"fields": fields})
