"""Dossier rules: who may read what until when, the access log's hash chain, the stamp's
text. No I/O here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.common import clock
from services.common.errors import DomainError
from services.common.people import mask_id_number

# What the access log records (阅卷记录).
VIEW_PAGE = "view_page"
DOWNLOAD_PDF = "download_pdf"
LINK_CREATED = "link_created"
LINK_OPENED = "link_opened"
LINKS_REVOKED = "link_revoked"  # 作废链接: the reader voided the links of an application
ACTIONS = (VIEW_PAGE, DOWNLOAD_PDF, LINK_CREATED, LINK_OPENED, LINKS_REVOKED)

GENESIS_HASH = "0" * 64
MAX_TITLE = 200
MAX_VOLUME = 50


@dataclass(frozen=True)
class Reading:
    """What dossier knows of one application (阅卷申请): its owner, its case, and the
    review's outcome as far as reading goes."""

    application_id: str
    applicant_id: int | None
    case_no: str | None
    court: str | None = None
    opinion: str | None = None
    mode: str | None = None
    valid_until: date | None = None

    @property
    def is_online_grant(self) -> bool:
        return self.opinion == "approve" and self.mode == "online" and self.valid_until is not None

    @property
    def grant_ends_at(self) -> datetime | None:
        """The first instant reading is no longer allowed: the end of valid_until in Shanghai."""
        return clock.end_of_day(self.valid_until) if self.valid_until else None


def authorize(reading: Reading | None, actor: dict, now: datetime, *, for_log: bool = False) -> Reading:
    """Reading needs the caller's own application, approved online, before its end.

    Someone else's application answers exactly like a missing one. The access log stays
    readable for the owner whatever the state (``for_log``)."""
    if reading is None or reading.applicant_id is None or reading.applicant_id != actor.get("id"):
        raise DomainError("not_found", "阅卷申请不存在")
    if for_log:
        return reading
    if not reading.is_online_grant:
        raise DomainError("not_approved", "该申请尚未获准在线阅卷")
    if now >= reading.grant_ends_at:
        raise DomainError("access_expired", "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷")
    return reading


AUDIT_ROLES = ("clerk", "archivist")  # 审查人, 档案室 of the application's court


def authorize_audit(reading: Reading | None, actor: dict) -> Reading:
    """The court's own staff may see who read an application's dossier (the same log the
    reader sees); another court's application answers exactly like a missing one."""
    court = actor.get("court")
    if reading is None or actor.get("role") not in AUDIT_ROLES or not court or reading.court != court:
        raise DomainError("not_found", "阅卷申请不存在")
    return reading


def parse_valid_until(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def stamp_lines(actor: dict, at: datetime) -> list[str]:
    """The watermark (水印) names the reader: name, masked ID number, Beijing time."""
    name = actor.get("name") or ""
    id_number = actor.get("id_number") or ""
    masked = mask_id_number(id_number) if id_number else ""
    when = at.astimezone(clock.COURT_TZ).strftime("%Y-%m-%d %H:%M")
    return [f"{name} {masked}".strip(), f"{when} 仅供阅卷"]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def canonical_entry(entry: dict[str, Any]) -> str:
    """The bytes an access-log entry is hashed over: every field that means something,
    in one fixed form, so any change to a stored row changes its hash."""
    at = entry["at"]
    if isinstance(at, datetime):
        at = clock.as_aware(at).astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(
        {
            "seq": entry["seq"],
            "at": at,
            "application_id": entry["application_id"],
            "actor_id": entry["actor_id"],
            "actor_name": entry["actor_name"],
            "action": entry["action"],
            "document_id": entry.get("document_id"),
            "page": entry.get("page"),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def chain_hash(previous: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((previous + canonical_entry(entry)).encode()).hexdigest()


class ChainCheck:
    """Walks the log in order and says, in words an operator can act on, every place where
    the chain does not hold. Fed entry by entry so a long log is checked in batches."""

    def __init__(self) -> None:
        self.previous_hash = GENESIS_HASH
        self.last_seq = 0
        self.problems: list[str] = []

    def feed(self, entry: dict[str, Any]) -> None:
        seq = entry["seq"]
        if seq != self.last_seq + 1:
            self.problems.append(f"entry {seq}: expected sequence {self.last_seq + 1} (an entry is missing)")
        if entry["prev_hash"] != self.previous_hash:
            self.problems.append(f"entry {seq}: does not link to the entry before it")
        if chain_hash(entry["prev_hash"], entry) != entry["hash"]:
            self.problems.append(f"entry {seq}: its content does not match its hash (altered)")
        self.previous_hash, self.last_seq = entry["hash"], seq

    def finish(self, head_seq: int, head_hash: str) -> list[str]:
        """The head row remembers the tip: a tail cut off the log shows here."""
        if head_seq != self.last_seq or head_hash != self.previous_hash:
            self.problems.append(f"the chain's head (entry {head_seq}) does not match its last entry ({self.last_seq})")
        return self.problems
