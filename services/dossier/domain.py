"""Dossier rules: who may read what until when, the access log's hash chain, the stamp's
text. No I/O here."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_

from services.common.court import clock
from services.common.court.people import mask_id_number
from services.common.infra.actor import Actor
from services.common.infra.errors import DomainError, validation_error
from services.common.infra.ids import ApplicationId

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

# 正卷 is the record readers may see; 副卷 (审理报告, 合议庭评议笔录, ...) is the court's
# own. A volume's title may number it (正卷（一）): its first two characters say which.
MAIN_VOLUME, INTERNAL_VOLUME = "正卷", "副卷"
VOLUME_KINDS = (MAIN_VOLUME, INTERNAL_VOLUME)


def volume_kind(title: str | None) -> str | None:
    """正卷 or 副卷 for a volume title, None for anything else."""
    kind = (title or "")[:2]
    return kind if kind in VOLUME_KINDS else None


def check_volume(title: str) -> str:
    if volume_kind(title) is None:
        raise validation_error({"volume": "应为 正卷 或 副卷（可编号，如 正卷（一））"}, "卷名应以“正卷”或“副卷”开头")
    return title


def readable_by_readers(volume: str | None) -> bool:
    """Only the 正卷 ever reaches a reader; a title we cannot place stays with the court."""
    return volume_kind(volume) == MAIN_VOLUME


@dataclass(frozen=True)
class Reading:
    """What dossier knows of one application (阅卷申请): its owner, its case, and the
    review's outcome as far as reading goes."""

    application_id: ApplicationId
    applicant_id: int | None
    case_no: str | None
    court: str | None = None
    opinion: str | None = None
    mode: str | None = None
    valid_until: date | None = None
    documents: frozenset[int] | None = None  # None: the whole 正卷, documents ingested later included
    print_allowed: bool = True
    revoked: bool = False  # 已终止: the reader's relation to the case ended
    withdrawn: bool = False  # 已撤回 by the applicant

    def covers(self, document_id: int, volume: str | None) -> bool:
        """What the clerk granted: a 正卷 document, and one of the chosen ones if any were."""
        if not readable_by_readers(volume):
            return False
        return self.documents is None or document_id in self.documents

    @property
    def is_online_grant(self) -> bool:
        return self.opinion == "approve" and self.mode == "online" and self.valid_until is not None

    @property
    def grant_ends_at(self) -> datetime | None:
        """The first instant reading is no longer allowed: the end of valid_until in Shanghai."""
        return clock.end_of_day(self.valid_until) if self.valid_until else None

    @property
    def ended(self) -> bool:
        """已终止 or 已撤回: nothing of it can be read again, whatever a later decision says."""
        return self.revoked or self.withdrawn


def ended_sql(readings: Any) -> Any:
    """:attr:`Reading.ended` as SQL over the readings table (its ``revoked_at`` and
    ``withdrawn_at``)."""
    return or_(readings.revoked_at.is_not(None), readings.withdrawn_at.is_not(None))


def lapsed(ends_at: datetime | None, now: datetime) -> bool:
    """A grant, a link or a print job that ends at ``ends_at`` (its first instant past the
    end) is over from that instant on; one without an end never lapses."""
    return ends_at is not None and now >= clock.as_aware(ends_at)


def lapsed_sql(ends_at: Any, now: datetime) -> Any:
    """:func:`lapsed` as SQL over a column of end instants."""
    return ends_at <= now


def authorize(reading: Reading | None, actor: Actor, now: datetime, *, for_log: bool = False) -> Reading:
    """Reading needs the caller's own application, approved online, before its end.

    Someone else's application answers exactly like a missing one. The access log stays
    readable for the owner whatever the state (``for_log``)."""
    if reading is None or reading.applicant_id is None or reading.applicant_id != actor.get("id"):
        raise DomainError("not_found", "阅卷申请不存在")
    if for_log:
        return reading
    if reading.revoked:
        raise DomainError("access_revoked", "您与本案的关系已终止，阅卷权限随之终止")
    if reading.withdrawn:
        raise DomainError("not_approved", "该申请已撤回，不能查看卷宗")
    if not reading.is_online_grant:
        raise DomainError("not_approved", "该申请尚未获准在线阅卷")
    if lapsed(reading.grant_ends_at, now):
        raise DomainError("access_expired", "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷")
    return reading


def authorize_print(reading: Reading) -> Reading:
    """允许打印 is the clerk's choice; without it the stamped copy is not made at all."""
    if not reading.print_allowed:
        raise DomainError("print_not_allowed", "审查人未允许打印本申请的卷宗，仅限在线查看")
    return reading


def parse_granted_documents(value: Any) -> frozenset[int] | None:
    """The ``documents`` of a decision as the event carries it: null, or a list of ids."""
    if value is None:
        return None
    return frozenset(int(v) for v in value if isinstance(v, int) and not isinstance(v, bool))


AUDIT_ROLES = ("clerk", "archivist")  # 审查人, 档案室 of the application's court


def authorize_staff_case(actor: Actor, case_court: str | None) -> str:
    """The clerks and archivists of the case's court preview its whole dossier (副卷
    included) and see every read of it; another court's case is as missing as none."""
    court = actor.get("court")
    if actor.get("role") not in AUDIT_ROLES or not court or case_court != court:
        raise DomainError("not_found", "案件不存在或没有电子卷宗")
    return court


def authorize_audit(reading: Reading | None, actor: Actor) -> Reading:
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


def stamp_lines(actor: Actor, at: datetime) -> list[str]:
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
    fields = {
        "seq": entry["seq"],
        "at": at,
        "application_id": entry["application_id"],
        "actor_id": entry["actor_id"],
        "actor_name": entry["actor_name"],
        "action": entry["action"],
        "document_id": entry.get("document_id"),
        "page": entry.get("page"),
    }
    # Fields the log gained later are hashed only when present, so older entries keep
    # the hashes they were written with (the single chain's lane is "": absent).
    for late in ("case_no", "actor_role", "lane_seq"):
        if entry.get(late) is not None:
            fields[late] = entry[late]
    if entry.get("lane"):
        fields["lane"] = entry["lane"]
    return json.dumps(
        fields,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def chain_hash(previous: str, entry: dict[str, Any], key: bytes | None = None) -> str:
    """Each entry's hash covers the previous one's. Keyed (HMAC-SHA256 with a secret the
    database does not hold), someone who can write the tables still cannot recompute a
    chain that checks; entries from before the log was keyed keep their plain SHA-256."""
    data = (previous + canonical_entry(entry)).encode()
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LaneHead:
    """A lane's head row as the check sees it: the seq, hash and number in the lane of its
    last entry (``lane_seq`` None: as ``seq``, the single chain's way), and its first keyed
    entry."""

    lane: str
    seq: int
    hash: str
    lane_seq: int | None = None
    keyed_from: int | None = None


def lane_name(lane: str) -> str:
    return f"lane {lane}" if lane else "the chain"


class ChainCheck:
    """Walks the log lane by lane, each lane in order, and says, in words an operator can
    act on, every place where a chain does not hold. Fed entry by entry so a long log is
    checked in batches; only the lane being walked is held."""

    def __init__(self, key: bytes | None = None, keyed_from: int | None = None) -> None:
        self.problems: list[str] = []
        self.key = key
        self._start("", LaneHead("", 0, GENESIS_HASH, keyed_from=keyed_from), walked=False)

    def _start(self, lane: str, head: LaneHead | None, walked: bool = True) -> None:
        self.lane, self.head, self.walked = lane, head, walked
        self.previous_hash, self.last_seq, self.number = GENESIS_HASH, 0, 0

    def begin_lane(self, lane: str, head: LaneHead | None) -> None:
        """The entries fed next are ``lane``'s, whose head row is ``head`` (None: missing)."""
        self._close()
        self._start(lane, head)

    def feed(self, entry: dict[str, Any]) -> None:
        seq = entry["seq"]
        number = entry.get("lane_seq") or seq  # the single chain numbers its entries by seq
        if number != self.number + 1:
            self.problems.append(
                f"entry {seq}: expected number {self.number + 1} of {lane_name(self.lane)} (an entry is missing)"
            )
        if entry["prev_hash"] != self.previous_hash:
            self.problems.append(f"entry {seq}: does not link to the entry before it")
        keyed_from = self.head.keyed_from if self.head else None
        keyed = keyed_from is not None and seq >= keyed_from
        # with the lane's head row missing, whether its entries are keyed went with it
        keys = {self.key if keyed else None} if self.head else {self.key, None}
        if keyed and not self.key:
            self.problems.append(f"entry {seq}: keyed, and ACCESS_LOG_KEY is not set here: cannot be checked")
        elif all(chain_hash(entry["prev_hash"], entry, key) != entry["hash"] for key in keys):
            self.problems.append(f"entry {seq}: its content does not match its hash (altered)")
        self.previous_hash, self.last_seq, self.number, self.walked = entry["hash"], seq, number, True

    def _close(self) -> None:
        """The head row remembers the lane's tip: a tail cut off it shows here."""
        if not self.walked:
            return
        head, its_head = self.head, f"lane {self.lane}: its head" if self.lane else "the chain's head"
        if head is None:
            self.problems.append(f"{its_head} row is missing")
            return
        number = head.seq if head.lane_seq is None else head.lane_seq
        if (head.seq, head.hash, number) != (self.last_seq, self.previous_hash, self.number):
            self.problems.append(f"{its_head} (entry {head.seq}) does not match its last entry ({self.last_seq})")

    def finish(self, head_seq: int | None = None, head_hash: str | None = None) -> list[str]:
        """Every problem found. ``head_seq`` and ``head_hash``: the last lane's head, when
        ``begin_lane`` did not say it."""
        if head_seq is not None and head_hash is not None:
            keyed_from = self.head.keyed_from if self.head else None
            self.head, self.walked = LaneHead(self.lane, head_seq, head_hash, keyed_from=keyed_from), True
        self._close()
        self.walked = False
        return self.problems


def exported_problems(exported: Iterable[tuple[str, int, str]], held: Mapping[int, tuple[str, str]]) -> list[str]:
    """Heads exported earlier to a place the database cannot rewrite, as (lane, seq, hash),
    against the (lane, hash) of the entries the log ``held`` at those seqs. They catch what
    the head rows cannot: a tail cut with the head row put back, a wiped log, a chain
    recomputed from scratch."""
    problems = []
    for lane, seq, digest in exported:
        entry = held.get(seq)
        if entry is None:
            problems.append(f"entry {seq} was exported as a head and is no longer in the log (cut or wiped)")
        elif entry != (lane, digest):
            problems.append(f"entry {seq} no longer has the hash exported for it (the chain was rewritten)")
    return problems


# -- print jobs (打印 of several documents at once) ------------------------------------------

PRINT_QUEUED, PRINT_RUNNING, PRINT_DONE, PRINT_FAILED = "queued", "running", "done", "failed"
MAX_PRINT_DOCUMENTS = 1000


def print_selection(requested: Any, readable: list[tuple[int, int]], max_pages: int) -> tuple[list[int], int]:
    """The documents of a print job and their page total. ``readable``: (id, page_count) of
    every document the grant covers, in the dossier's order. None asks for all of them; a
    list is taken in the dossier's order whatever order it came in, and an id the reader
    may not read is as missing as none (404)."""
    if requested is None:
        chosen = [doc_id for doc_id, _ in readable]
    else:
        if not isinstance(requested, list) or not requested or len(requested) > MAX_PRINT_DOCUMENTS:
            raise validation_error({"documents": f"应为 1 至 {MAX_PRINT_DOCUMENTS} 个文件编号"}, "请选择要打印的文件")
        if any(not isinstance(d, int) or isinstance(d, bool) for d in requested):
            raise validation_error({"documents": "文件编号应为整数"}, "请选择要打印的文件")
        wanted = set(requested)
        known = {doc_id for doc_id, _ in readable}
        if not wanted <= known:
            raise DomainError("not_found", "文件不存在")
        chosen = [doc_id for doc_id, _ in readable if doc_id in wanted]
    if not chosen:
        raise DomainError("not_found", "该案暂无可打印的电子卷宗")
    pages = dict(readable)
    total = sum(pages[d] for d in chosen)
    if total > max_pages:
        message = f"一次最多打印 {max_pages} 页（所选共 {total} 页），请分几次选择文件打印"
        raise validation_error({"documents": message}, message)
    return chosen, total


def print_job_view(job: Any) -> dict[str, Any]:
    """A print job as its reader sees it: how far it got (pages done of total)."""
    view = {
        "id": job.id,
        "status": job.status,
        "pages_done": job.pages_done,
        "pages_total": job.pages_total,
        "documents": json.loads(job.documents),
        "created_at": clock.isoformat(job.created_at),
        "finished_at": clock.isoformat(job.finished_at),
    }
    if job.status == PRINT_DONE:
        view["size"] = job.size
    return view
