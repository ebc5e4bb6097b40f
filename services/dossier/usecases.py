"""What the dossier service does. Functions take the unit of work (its repository is
``services.dossier.repository``) and the page machinery explicitly, so tests can call them
without a broker or a database."""

from __future__ import annotations

import io
import itertools
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from services.common.court import case_numbers, clock, events, text
from services.common.infra import config, housekeeping, paging, staging
from services.common.infra.actor import Actor
from services.common.infra.errors import DomainError, not_found, validation_error
from services.common.infra.ids import ApplicationId
from services.common.testing.faults import NO_FAULT, Fault
from services.dossier import domain, schemas
from services.dossier.models import LEGACY_LANE, Document, Link, Reading
from services.dossier.rendering import PdfRefused
from services.dossier.repository import DossierRepository, DossierWork, LogRow, expired_links

log = logging.getLogger(__name__)
STAGED_PREFIX = "dossier/originals/"
_TOKEN_HASH = re.compile(r"^[0-9a-f]{64}$")


class PageSource(Protocol):
    def local_original(self, key: str): ...
    def fetch(self, key: str, path) -> str: ...
    def inspect(self, path) -> int: ...
    def stamped_page(self, document_id: int, key: str, page: int, lines) -> dict: ...
    def print_copy(self, key: str, lines) -> dict: ...


# -- ingestion (电子卷宗入库) -------------------------------------------------------------


def _text(value: Any, field: str, max_len: int) -> str:
    return text.clean_text(value, field, max_len=max_len)


def ingest_document(
    uow: DossierWork,
    pages: Any,
    store: Any,
    *,
    actor: Actor,
    case_no: str,
    volume: Any,
    title: Any,
    key: str,
    court: str | None = None,
    fault: Fault = NO_FAULT,
) -> dict:
    """Register a PDF the gateway staged at ``key``: check it opens, count its pages, and
    announce it. On any refusal the staged object is deleted: nothing half-ingested stays.
    The announcement leaves with the service's next relay; ``ingest_after_commit`` is the
    crash test's point between the two (services.common.testing.faults)."""
    ingested = False
    try:
        if not isinstance(actor, dict) or actor.get("role") != "admin":
            raise DomainError("forbidden", "仅管理员可以添加电子卷宗")
        if not staging.is_staged_key(key, STAGED_PREFIX):
            raise validation_error({"file": "无效的文件"})
        with uow.read() as dossiers:
            known = dossiers.document_at(key)
        if known is not None:  # the same request delivered again: the first answer stands
            ingested = True
            return schemas.document(known)
        canonical = case_numbers.canonical(case_no)
        fields = {}
        try:
            volume = domain.check_volume(_text(volume, "volume", domain.MAX_VOLUME))
        except DomainError as exc:
            fields.update(exc.details["fields"])
        try:
            title = _text(title, "title", domain.MAX_TITLE)
        except DomainError as exc:
            fields.update(exc.details["fields"])
        if fields:
            raise validation_error(fields)
        if not store.exists(key):  # swept after the gateway gave up on it
            raise validation_error({"file": "上传未完成，请重新上传"})
        path = pages.local_original(key)
        try:
            page_count = pages.inspect(path)
        except PdfRefused as exc:
            path.unlink(missing_ok=True)
            raise DomainError(exc.code, exc.message) from None
        size = path.stat().st_size
        digest = _sha256_file(path)
        with uow.transaction() as dossiers:
            doc = Document(
                case_no=canonical,
                court=str(court)[:100] if court else None,
                volume=volume,
                title=title,
                object_key=key,
                page_count=page_count,
                size=size,
                sha256=digest,
                created_at=clock.utcnow(),
            )
            dossiers.add_document(doc)
            dossiers.announce("document_ingested", events.DocumentIngested(case_no=canonical, document_id=doc.id))
            result = schemas.document(doc)
        ingested = True
        fault("ingest_after_commit")  # recorded, not yet announced nor answered
        return result
    finally:
        if not ingested and staging.is_staged_key(key, STAGED_PREFIX):
            try:
                # (unless a twin delivery of this request ingested it meanwhile)
                if not ingested_keys(uow, [key]):
                    store.delete(key)
            except Exception:  # noqa: BLE001 - the refusal matters more than the cleanup
                pass


def ingested_keys(uow: DossierWork, keys: list[str]) -> set[str]:
    """Which of these staged originals became documents (the rest nobody registered)."""
    with uow.read() as dossiers:
        return dossiers.ingested_keys(keys)


def _sha256_file(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- the applications replica and reading grants (from events) ----------------------------


def on_application_submitted(uow: DossierWork, payload: dict) -> bool:
    applicant = payload.get("applicant") or {}
    return _upsert_reading(
        uow,
        payload,
        applicant_id=applicant.get("id"),
        applicant_name=applicant.get("name"),
        **_as_sent(payload, "case_no", "court"),
    )


def on_application_decided(uow: DossierWork, payload: dict) -> bool:
    """An online approval grants reading until the end of valid_until (Asia/Shanghai); any
    other decision (reject, return, on-site) leaves nothing to read online."""
    return _upsert_reading(
        uow,
        payload,
        **_as_sent(payload, "applicant_id", "case_no", "court", "opinion", "mode"),
        valid_until=domain.parse_valid_until(payload.get("valid_until")),
        documents=_documents_column(payload.get("documents")),
        print_allowed=payload.get("print") is not False,
        decided=True,
    )


def _as_sent(payload: dict, *fields: str) -> dict[str, Any]:
    """The event's fields the reading keeps as they came (under the same names)."""
    return {field: payload.get(field) for field in fields}


def _documents_column(value: Any) -> str | None:
    granted = domain.parse_granted_documents(value) if isinstance(value, list) else None
    return json.dumps(sorted(granted)) if granted is not None else None


def on_application_revoked(uow: DossierWork, payload: dict) -> bool:
    """已终止: reading ends at once and every 复制链接 of the application dies; heard before
    the decision, it still wins (the decision's fields are kept, the end stays)."""
    return _end_reading(uow, payload, applicant_id=payload.get("applicant_id"), revoked_at=clock.utcnow())


def on_application_withdrawn(uow: DossierWork, payload: dict) -> bool:
    """已撤回: the applicant withdrew while it was pending at the source, so any decision,
    heard before or after, grants nothing."""
    return _end_reading(uow, payload, withdrawn_at=clock.utcnow())


def _end_reading(uow: DossierWork, payload: dict, **values: Any) -> bool:
    if not _upsert_reading(uow, payload, **values):
        return False
    with uow.transaction() as dossiers:
        dossiers.drop_links(str(payload["application_id"]))
    return True


def _upsert_reading(uow: DossierWork, payload: dict, *, decided: bool = False, **values: Any) -> bool:
    application_id = payload.get("application_id")
    event_id = payload.get("event_id")
    if application_id is None or not event_id:
        return False
    with uow.transaction() as dossiers:
        dossiers.take_turns("application", application_id)  # the first two facts heard at once
        if not dossiers.first_delivery(str(event_id)):
            return False
        row = dossiers.reading_row(str(application_id))
        if row is None:
            row = Reading(application_id=str(application_id), updated_at=clock.utcnow())
            dossiers.add_reading(row)
        for field, value in values.items():
            if field == "case_no" and value:
                value = _canonical_or_raw(value)
            if value is not None or (decided and field in ("opinion", "mode", "valid_until", "documents")):
                setattr(row, field, value)
        row.updated_at = clock.utcnow()
    return True


def _canonical_or_raw(value: str) -> str:
    try:
        return case_numbers.canonical(value)
    except DomainError:
        return value


def authorized(
    dossiers: DossierRepository, actor: Actor, application_id: Any, *, for_log: bool = False
) -> domain.Reading:
    return domain.authorize(dossiers.reading(application_id), actor, clock.now(), for_log=for_log)


def _document_of(dossiers: DossierRepository, reading: domain.Reading, document_id: Any) -> Document:
    """A document the grant covers; anything else (another case's, 副卷, one the clerk left
    out) is as missing as none."""
    doc = dossiers.document(document_id) if isinstance(document_id, int) else None
    if doc is None or doc.case_no != reading.case_no or not reading.covers(doc.id, doc.volume):
        raise not_found("文件不存在")
    return doc


def readable_documents(dossiers: DossierRepository, reading: domain.Reading) -> list[Document]:
    """What the grant lets this reader see, in the dossier's order."""
    if reading.case_no is None:
        return []
    return [d for d in dossiers.case_documents(reading.case_no) if reading.covers(d.id, d.volume)]


def _volumes(docs: list[Document]) -> list[dict]:
    """Volumes in the order their first document came, each with its documents."""
    volumes: dict[str, list[dict]] = {}
    for doc in docs:
        volumes.setdefault(doc.volume, []).append({"id": doc.id, "title": doc.title, "page_count": doc.page_count})
    return [{"title": title, "documents": items} for title, items in volumes.items()]


# -- reading (查看案卷, 打印) -------------------------------------------------------------


def dossier(uow: DossierWork, *, actor: Actor, application_id: Any) -> dict:
    """The structure a reader sees: the granted 正卷 documents only."""
    with uow.read() as dossiers:
        reading = authorized(dossiers, actor, application_id)
        docs = readable_documents(dossiers, reading)
    return {
        "case_no": reading.case_no,
        "valid_until": reading.valid_until.isoformat() if reading.valid_until else None,
        "print": reading.print_allowed,
        "volumes": _volumes(docs),
    }


def read_page(uow: DossierWork, pages: PageSource, *, actor: Actor, application_id: Any, document_id: Any, page: Any):
    """Authorize, stamp one page for this reader, log the view. The result names a
    short-lived object the gateway streams and deletes."""
    with uow.read() as dossiers:
        reading = authorized(dossiers, actor, application_id)
        doc = _document_of(dossiers, reading, document_id)
    if not isinstance(page, int) or not 1 <= page <= doc.page_count:
        raise not_found("页码超出范围")
    result = pages.stamped_page(doc.id, doc.object_key, page, domain.stamp_lines(actor, clock.now()))
    _log(uow, reading, actor, domain.VIEW_PAGE, doc.id, page)
    return result


def print_document(uow: DossierWork, pages: PageSource, *, actor: Actor, application_id: Any, document_id: Any):
    with uow.read() as dossiers:
        reading = domain.authorize_print(authorized(dossiers, actor, application_id))
        doc = _document_of(dossiers, reading, document_id)
    result = pages.print_copy(doc.object_key, domain.stamp_lines(actor, clock.now()))
    _log(uow, reading, actor, domain.DOWNLOAD_PDF, doc.id, None)
    return dict(result, filename=f"{doc.title}.pdf")


# -- 复制链接 ---------------------------------------------------------------------------


def create_link(uow: DossierWork, *, actor: Actor, application_id: Any, token_hash: str) -> dict:
    """The gateway made the token and sends only its hash: the token itself never crosses
    the broker nor lands in a table."""
    if not isinstance(token_hash, str) or not _TOKEN_HASH.match(token_hash):
        raise validation_error({"token": "无效"})
    with uow.transaction() as dossiers:
        reading = authorized(dossiers, actor, application_id)
        expires_at = reading.grant_ends_at
        dossiers.add_link(
            Link(
                token_hash=token_hash,
                application_id=reading.application_id,
                user_id=actor["id"],
                created_at=clock.utcnow(),
                expires_at=expires_at,
            )
        )
    _log(uow, reading, actor, domain.LINK_CREATED)
    return {"application_id": reading.application_id, "expires_at": clock.isoformat(expires_at)}


def open_link(uow: DossierWork, *, actor: Actor, token_hash: Any) -> dict:
    """The owner, signed in, before the end: the application to open. Anything else is
    404, whatever the reason, so a link says nothing to anyone but its owner."""
    if not isinstance(token_hash, str) or not _TOKEN_HASH.match(token_hash):
        raise not_found()
    with uow.read() as dossiers:
        link = dossiers.link(token_hash)
        if link is None or link.user_id != actor.get("id") or domain.lapsed(link.expires_at, clock.now()):
            raise not_found()
        try:
            reading = authorized(dossiers, actor, link.application_id)
        except DomainError:
            raise not_found() from None
    _log(uow, reading, actor, domain.LINK_OPENED)
    return {"application_id": reading.application_id}


def revoke_links(uow: DossierWork, *, actor: Actor, application_id: Any) -> dict:
    """作废链接: every link of the reader's application stops opening at once (say one was
    left on a shared PC). The owner may do it in any state; the log keeps the act."""
    with uow.transaction() as dossiers:
        reading = authorized(dossiers, actor, application_id, for_log=True)
        revoked = dossiers.drop_links(reading.application_id, user_id=actor["id"])
        append_log(dossiers, actor, domain.LINKS_REVOKED, reading=reading)
    return {"revoked": revoked}


def purge_expired_links(uow: Any) -> int:
    """Links expired for longer than LINK_RETENTION_DAYS (1): they open nothing already
    (``open_link`` says 404 to an unknown link as to an expired one); the access log keeps
    that they were made and opened. Housekeeping deletes in batches of its own, on the
    session-level unit of work (``uow.uow``)."""
    age = housekeeping.retention("LINK_RETENTION_DAYS", 1)
    return housekeeping.purge(uow.uow, Link, expired_links(housekeeping.cutoff(age)))


# -- the court's own view (审查人、档案室预览) ---------------------------------------------


def _staff_case(dossiers: DossierRepository, actor: Actor, case_no: Any) -> tuple[str, list[Document]]:
    """The case's documents for the staff of its court (404 for anyone else)."""
    try:
        canonical = case_numbers.canonical(case_no)
    except DomainError:
        raise not_found("案件不存在或没有电子卷宗") from None
    docs = dossiers.case_documents(canonical)
    court = next((d.court for d in docs if d.court), None)
    domain.authorize_staff_case(actor, court)
    return canonical, docs


def staff_dossier(uow: DossierWork, *, actor: Actor, case_no: Any) -> dict:
    """The whole dossier, 副卷 included, each volume saying whether readers may be granted it."""
    with uow.read() as dossiers:
        canonical, docs = _staff_case(dossiers, actor, case_no)
    volumes = _volumes(docs)
    for volume in volumes:
        volume["kind"] = domain.volume_kind(volume["title"])
        volume["grantable"] = domain.readable_by_readers(volume["title"])
    return {"case_no": canonical, "volumes": volumes}


def grantable_documents(uow: DossierWork, *, actor: Actor, case_no: Any) -> list[dict]:
    """The 正卷 documents a clerk of the case's court may grant (an empty list for a case
    without an electronic dossier, or one this court does not hold)."""
    with uow.read() as dossiers:
        try:
            _, docs = _staff_case(dossiers, actor, case_no)
        except DomainError:
            return []
    return [schemas.document(d) for d in docs if domain.readable_by_readers(d.volume)]


def staff_read_page(uow: DossierWork, pages: PageSource, *, actor: Actor, case_no: Any, document_id: Any, page: Any):
    """A page of any volume for the court's own staff, stamped with their name and logged
    like every read."""
    with uow.read() as dossiers:
        canonical, docs = _staff_case(dossiers, actor, case_no)
    doc = next((d for d in docs if d.id == document_id), None) if isinstance(document_id, int) else None
    if doc is None:
        raise not_found("文件不存在")
    if not isinstance(page, int) or not 1 <= page <= doc.page_count:
        raise not_found("页码超出范围")
    result = pages.stamped_page(doc.id, doc.object_key, page, domain.stamp_lines(actor, clock.now()))
    with uow.transaction() as dossiers:
        append_log(dossiers, actor, domain.VIEW_PAGE, case_no=canonical, document_id=doc.id, page=page)
    return result


# -- the access log (阅卷记录) ------------------------------------------------------------


def _log(uow: DossierWork, reading: domain.Reading, actor: Actor, action: str, document_id=None, page=None) -> None:
    with uow.transaction() as dossiers:
        append_log(dossiers, actor, action, reading=reading, document_id=document_id, page=page)


def append_log(
    dossiers: DossierRepository,
    actor: Actor,
    action: str,
    *,
    reading: domain.Reading | None = None,
    case_no: str | None = None,
    document_id=None,
    page=None,
    at: datetime | None = None,
) -> None:
    """Append one entry to the log: a reader's under their application, a staff member's
    under the case; entries of one act (a print of several documents) share ``at``. The
    entry goes into its case's lane (an entry naming no case into the single chain's):
    bumping the lane's head row takes its write lock (a row lock on PostgreSQL, the
    database lock on SQLite), so one case's appends form a single line while other cases'
    go side by side. An append waits only for the one before it in its lane, and holds the
    lock for as few round trips as the chain allows: the bump answers with the tip it
    replaced, and everything that does not need the tip is ready before it."""
    key = access_log_key()
    entry = {
        "at": at or clock.utcnow(),
        "application_id": reading.application_id if reading else None,
        "case_no": reading.case_no if reading else case_no,
        "actor_id": int(actor["id"]),
        "actor_name": (actor.get("name") or "")[:50],
        "actor_role": str(actor.get("role") or "")[:16] or None,
        "action": action,
        "document_id": document_id,
        "page": page,
    }
    lane = entry["case_no"] or LEGACY_LANE
    head = dossiers.advance_head(lane)
    entry = {"seq": head.seq, **entry, "lane": lane, "lane_seq": head.lane_seq}
    digest = domain.chain_hash(head.hash, entry, key)
    dossiers.add_entry(entry, prev_hash=head.hash, digest=digest)
    first_keyed = key and head.keyed_from is None  # from here on every hash of the lane is keyed
    dossiers.set_head(lane, digest, keyed_from=head.seq if first_keyed else None)


def access_log_key() -> bytes | None:
    """``ACCESS_LOG_KEY``: the secret the chain is keyed with, kept out of the database (the
    local stack makes one per DATA_DIR; production takes it from its secrets)."""
    value = config.get("ACCESS_LOG_KEY")
    return str(value).encode() if value else None


# -- the chain's heads, exported where the database cannot rewrite them -------------------
HEADS_PREFIX = "access-log/heads/"


def heads_store(store: Any) -> Any:
    """Where the heads go: ``S3_HEADS_BUCKET`` when set, a bucket under object lock that
    the setup step makes (``python -m services.common.infra.storage``: versioned, a compliance
    retention on every object, so no key can delete or replace a head once written),
    else the store's own bucket."""
    from services.common.infra.storage import ObjectStore

    bucket = config.get("S3_HEADS_BUCKET")
    return store if not bucket or bucket == store.bucket else ObjectStore(store.client, bucket)


EXPORT_BATCH = 10_000  # heads per object


def export_head(uow: DossierWork, store: Any) -> dict | None:
    """Write the heads of the lanes that moved since the last export to object storage (one
    object per export, named by the newest entry it names, listing each lane's seq and
    hash) and the log. Nothing new since the last export writes nothing new. Answers the
    last object written."""
    record = None
    while True:
        with uow.read() as dossiers:
            moved = dossiers.heads_to_export(EXPORT_BATCH)
        if not moved:
            return record
        newest = max(head.seq for head in moved)
        key = f"{HEADS_PREFIX}{newest:012d}.json"
        heads = heads_store(store)
        if heads.exists(key):  # another dossier process exported this moment already
            record = json.loads(heads.get(key))
        else:
            record = {
                "seq": newest,
                "at": clock.isoformat(clock.now()),
                "heads": [{"lane": head.lane, "seq": head.seq, "hash": head.hash} for head in moved],
            }
            body = json.dumps(record, ensure_ascii=False).encode()
            heads.put(key, io.BytesIO(body), len(body), "application/json")
            log.info("access log heads exported: %d lane(s), up to entry %d, in %s", len(moved), newest, key)
        with uow.transaction() as dossiers:
            dossiers.mark_exported([(lane, seq) for lane, seq, _ in _named_heads(record)])


def _named_heads(record: dict) -> list[tuple[str, int, str]]:
    """The (lane, seq, hash) an exported object names: a list of lanes' heads, or (written
    before lanes) the single chain's head."""
    if "heads" in record:
        return [(str(head["lane"]), int(head["seq"]), str(head["hash"])) for head in record["heads"]]
    return [(LEGACY_LANE, int(record["seq"]), str(record["hash"]))]


def exported_objects(store: Any) -> tuple[Any, list[tuple[str, str | None]]]:
    """Where the heads are, and every object exported there as (name, version). In the
    locked heads bucket, every version of every object: one written over (a recomputed
    chain's heads) or hidden behind a delete marker is still there under retention, and
    still checked against the log."""
    heads = heads_store(store)
    if heads is store:
        listing = store.client.list_objects(store.bucket, prefix=HEADS_PREFIX, recursive=True)
        return heads, [(obj.object_name, None) for obj in listing]
    listing = heads.client.list_objects(heads.bucket, prefix=HEADS_PREFIX, recursive=True, include_version=True)
    return heads, [
        (obj.object_name, obj.version_id if obj.version_id not in (None, "", "null") else None)
        for obj in listing
        if not obj.is_delete_marker
    ]


def _read_exported(heads: Any, objects: list[tuple[str, str | None]]) -> Iterator[tuple[str, int, str]]:
    """The (lane, seq, hash) the objects name, one object read at a time."""
    for name, version in objects:
        if version is None:
            body = heads.get(name)
        else:
            response = heads.client.get_object(heads.bucket, name, version_id=version)
            try:
                body = response.read()
            finally:
                response.close()
                response.release_conn()
        yield from _named_heads(json.loads(body))


def exported_heads(store: Any) -> list[tuple[str, int, str]]:
    """Every head exported, as (lane, seq, hash), oldest first."""
    named = set(_read_exported(*exported_objects(store)))
    return sorted(named, key=lambda head: (head[1], head[0], head[2]))


def access_log(uow: DossierWork, *, actor: Actor, application_id: Any, limit: int = 20, cursor: Any = None) -> dict:
    """The reader's own application's log (阅卷记录), in any state."""
    size, before = paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as dossiers:
        reading = authorized(dossiers, actor, application_id, for_log=True)
        rows = dossiers.log_of_application(reading.application_id, before, size + 1)
    return _log_page(rows, size)


def audit_log(uow: DossierWork, *, actor: Actor, application_id: Any, limit: int = 20, cursor: Any = None) -> dict:
    """The same log for the clerks and archivists of the application's court."""
    size, before = paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as dossiers:
        reading = domain.authorize_audit(dossiers.reading(application_id), actor)
        rows = dossiers.log_of_application(reading.application_id, before, size + 1)
    return _log_page(rows, size)


def case_access_log(uow: DossierWork, *, actor: Actor, case_no: Any, limit: int = 20, cursor: Any = None) -> dict:
    """Every read of a case's dossier, by readers and by the court's staff, newest first.
    Entries written before the log named cases are found through their application."""
    size, before = paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as dossiers:
        canonical, _ = _staff_case(dossiers, actor, case_no)
        rows = dossiers.log_of_case(canonical, dossiers.applications_of_case(canonical), before, size + 1)
    return _log_page(rows, size, staff_view=True)


def _log_page(rows: list[LogRow], limit: int, staff_view: bool = False) -> dict:
    more = len(rows) > limit
    rows = rows[:limit]
    shape = schemas.staff_log_entry if staff_view else schemas.log_entry
    return {
        "items": [shape(entry, title) for entry, title in rows],
        "next_cursor": str(rows[-1][0].seq) if more else None,
    }


def check_log(uow: DossierWork, batch: int = 5000, store: Any = None) -> list[str]:
    """Every break in the log's lanes, lane by lane and oldest first; an empty list means
    the log is intact. With ``store``, also against every head exported there (listed
    first, so every entry they name is in the moment of the log walked). The walk holds a
    batch of entries and one lane's state at a time, and the exported heads are compared a
    batch at a time, whatever the log's size."""
    exported = exported_objects(store) if store is not None else None
    check = domain.ChainCheck(access_log_key())
    with uow.read() as dossiers:
        dossiers.hold_still()
        after: tuple[str, int] | None = None
        single_chain_walked = False
        while entries := dossiers.chain_after(after, batch):
            lane = after[0] if after else None
            heads = dossiers.heads({e["lane"] for e in entries} - {lane})
            for entry in entries:
                if entry["lane"] != lane:
                    lane = entry["lane"]
                    check.begin_lane(lane, heads.get(lane))
                    single_chain_walked = single_chain_walked or lane == LEGACY_LANE
                check.feed(entry)
            after = (entries[-1]["lane"], entries[-1]["seq"])
        if not single_chain_walked and dossiers.head(LEGACY_LANE) is None:
            check.begin_lane(LEGACY_LANE, None)  # the single chain's head row, gone
        # lanes whose head row says entries were written and none is there: wiped
        last_lane = None
        while empty := dossiers.heads_without_entries(last_lane, batch):
            for head in empty:
                check.begin_lane(head.lane, head)
            last_lane = empty[-1].lane
        problems = check.finish()
        named = _read_exported(*exported) if exported else iter(())
        while chunk := list(dict.fromkeys(itertools.islice(named, batch))):
            problems += domain.exported_problems(chunk, dossiers.entries_at([seq for _, seq, _ in chunk]))
    return problems


# -- what the services must agree on (services.common.court.consistency) --------------------------


def consistency_facts(uow: DossierWork, ids: list[ApplicationId]) -> dict[ApplicationId, dict]:
    """Dossier's grants for these applications."""
    keys = [str(i) for i in ids][:2000]  # an earlier caller's numbers read alike
    with uow.read() as dossiers:
        rows = dossiers.reading_rows(keys)
    facts = {}
    for row in rows:
        online = row.opinion == "approve" and row.mode == "online"
        facts[row.application_id] = {
            "id": row.application_id,
            "opinion": row.opinion,
            "mode": row.mode,
            "valid_until": row.valid_until.isoformat() if online and row.valid_until else None,
            "documents": json.loads(row.documents) if online and row.documents else None,
            "print": (row.print_allowed is not False) if online else None,
            "withdrawn": row.withdrawn_at is not None,
            "revoked": row.revoked_at is not None,
        }
    return facts
