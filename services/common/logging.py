"""Structured logs: one JSON object per line, with the request id of the worker that wrote
it, and no secrets (tokens, passwords, ID numbers, presigned signatures, reading links).

The request id lives in a context variable: greenlet gives every greenthread its own
context, so each nameko worker sees only its own id. ``deploy/nameko.yaml`` wires the
formatter and filters into every process's ``LOGGING``.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from eventlet import patcher

_threading = patcher.original("threading")  # handlers are used from real threads too (eventlet.tpool)

_request_id: ContextVar[str | None] = ContextVar("court_request_id", default=None)
_process: dict[str, str | None] = {"service": None}

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_request_id() -> str:
    # A run of decimal digits inside the hex would read as a phone or an ID number and be
    # masked in every line of the request (a few in a thousand uuids hold one): draw again.
    while True:
        made = str(uuid.uuid4())
        if redact(made) == made:
            return made


def sane_request_id(value: object) -> str | None:
    """A client's request id if it is short plain text and nothing the redaction would
    touch (an ID number, say); anything else is replaced, so a header cannot smuggle line
    breaks or a secret into every log line."""
    if isinstance(value, str) and _SANE_REQUEST_ID.match(value) and redact(value) == value:
        return value
    return None


def bind_request_id(value: str | None) -> None:
    _request_id.set(value)


def current_request_id() -> str | None:
    return _request_id.get()


def set_service(name: str) -> None:
    """Names the process in every line it writes (one nameko service per process, P5)."""
    _process["service"] = name


# -- redaction ----------------------------------------------------------------------------
_SECRET_KEYS = r"(?:password|passwd|pwd|token|secret|secret_key|access_key|api_key|authorization|cookie|csrf)"
_RULES: list[tuple[re.Pattern[str], str]] = [
    # "Bearer <token>" in a header dump or an error message.
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[REDACTED]"),
    # key=value, key: value, 'key': 'value', "key": "value" (dict reprs, JSON, query strings).
    (
        re.compile(rf"(?i)([\"']?\b\w*{_SECRET_KEYS}\w*[\"']?\s*[:=]\s*)([\"']?)[^\"'\s,;&}}\]]+"),
        r"\1\2[REDACTED]",
    ),
    # Presigned S3 URLs: the signature and credential are bearer secrets until they expire.
    (re.compile(r"(?i)(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"']+"), r"\1[REDACTED]"),
    # Reading links (/r/<token>, 复制链接) open a dossier to whoever holds them.
    (re.compile(r"(/r/)[^\s/?#\"']+"), r"\1[REDACTED]"),
    # user:password@ in broker and database URLs.
    (re.compile(r"(://[^:/@\s]+:)[^@/\s]+(@)"), r"\1[REDACTED]\2"),
    # Resident ID numbers (GB 11643): 17 digits and a digit or X, not inside a longer number.
    (re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)"), r"\1**********\2"),
    # Mobile numbers (the sign-in name, and where texts go): masked as the pages show them.
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
]


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    """Rewrites a record's message with the secrets taken out, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class QuietRefusals(logging.Filter):
    """Drops nameko's traceback for an expected exception (a DomainError: a rule said no,
    the client got a 4xx); the service's access line already records it as ``refused``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "nameko.containers" and str(record.msg).startswith("(expected) error"))


class RequestContextFilter(logging.Filter):
    """Stamps each record with the request id and service of the worker that wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.service = _process["service"]
        return True


class LineHandler(logging.StreamHandler):
    """The console handler of every process. Its lock is a real OS lock, not the green
    one the monkey-patched ``threading`` would give: libraries running in eventlet's
    thread pool log too (fontTools while fpdf2 subsets the 阅卷记录's font), and a green
    lock waited on by a real thread is handed over by a hub that cannot switch to it, so
    that thread waited forever. Nothing yields to the hub while the lock is held (format
    and one write), so greenthreads cannot deadlock on it either."""

    def createLock(self) -> None:
        self.lock = _threading.RLock()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, service, logger, request_id, msg, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": getattr(record, "service", None) or _process["service"],
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
            "msg": redact(record.getMessage()),
        }
        for key in ("duration_ms", "status", "outcome"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = redact(record.exc_text)
        # Fields are redacted again here (not the JSON text, whose escapes a pattern could
        # break), so a handler configured without the filter still leaks nothing.
        return json.dumps(entry, ensure_ascii=False, default=str)
