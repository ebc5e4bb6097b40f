"""Dossier's use cases without a broker: ingestion announces once and leaves nothing behind a
refusal; grants heard from events, in any order and twice; reading covers the grant and logs
each act in the hash chain; 复制链接 open for their owner only; the court sees the whole
dossier. Each test runs twice: over the in-memory repository and over the SQL one on an
in-memory SQLite database, so the two answer alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import ANY

import pytest
from sqlalchemy import delete

from services.common.infra.errors import DomainError
from services.dossier import domain, usecases
from services.dossier.models import AccessLogEntry, Document
from services.dossier.rendering import PdfRefused
from tests.unit.fakes import dossier as fakes

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
READER = {"id": 5, "role": "lawyer", "name": "李律师", "id_number": "440101199001011234", "verified": True}
CLERK = {"id": 70, "role": "clerk", "name": "中欣", "court": COURT}
ADMIN = {"id": 1, "role": "admin", "name": "管理员"}
AT = datetime(2026, 5, 1, tzinfo=UTC)
HASH = "a" * 64


class Pages:
    """The page machinery: opens any "PDF" as 3 pages (or refuses one called bad)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stamped: list[tuple[int, int, list[str]]] = []

    def local_original(self, key: str) -> Path:
        path = self.folder / key.replace("/", "_")
        path.write_bytes(b"%PDF-1.7 " + key.encode())
        return path

    def inspect(self, path: Path) -> int:
        if "bad" in path.name:
            raise PdfRefused("invalid_pdf", "无法打开")
        return 3

    def stamped_page(self, document_id, key, page, lines) -> dict:
        self.stamped.append((document_id, page, list(lines)))
        return {"key": f"dossier/tmp/{document_id}-{page}.png", "content_type": "image/png", "size": 1}

    def print_copy(self, key, lines) -> dict:
        return {"key": "dossier/tmp/copy.pdf", "content_type": "application/pdf", "size": 1}


class Store:
    def __init__(self, keys=()) -> None:
        self.keys, self.deleted = set(keys), []

    def exists(self, key: str) -> bool:
        return key in self.keys

    def delete(self, key: str) -> None:
        self.deleted.append(key)


@pytest.fixture(params=["memory", "sqlite"])
def uow(request, clock):
    uow = fakes.unit_of_work(request.param)
    with uow.transaction() as dossiers:
        for doc_id, volume in ((1, "正卷"), (2, "副卷"), (3, "正卷（二）")):
            dossiers.add_document(
                Document(id=doc_id, case_no=CASE, court=COURT, volume=volume, title=f"文书{doc_id}",
                         object_key=f"k{doc_id}", page_count=3, size=1, sha256="0" * 64, created_at=AT)
            )  # fmt: skip
    return uow


def submitted(app_id=11, event_id="s-11") -> dict:
    return {"event_id": event_id, "application_id": app_id, "case_no": "(2021)粤01民初1号", "court": COURT,
            "applicant": {"id": READER["id"], "name": READER["name"]}}  # fmt: skip


def decided(app_id=11, event_id="d-11", **changes) -> dict:
    return {"event_id": event_id, "application_id": app_id, "applicant_id": READER["id"], "case_no": CASE,
            "court": COURT, "opinion": "approve", "mode": "online", "valid_until": "2026-06-15", "documents": None,
            "print": True, **changes}  # fmt: skip


def granted(uow, **changes) -> None:
    assert usecases.on_application_submitted(uow, submitted())
    assert usecases.on_application_decided(uow, decided(**changes))


def actions(uow, app_id="11") -> list[str]:
    return [item["action"] for item in usecases.access_log(uow, actor=READER, application_id=app_id)["items"]]


# -- ingestion ----------------------------------------------------------------------------------
def test_a_document_is_ingested_and_announced_once_however_often_the_request_comes(uow, tmp_path):
    key = "dossier/originals/2026/05/01/abc"
    pages, store = Pages(tmp_path), Store([key])
    ask = dict(actor=ADMIN, case_no="(2021)粤01民初1号", volume="正卷", title="判决书", key=key, court=COURT)
    first = usecases.ingest_document(uow, pages, store, **ask)
    again = usecases.ingest_document(uow, pages, store, **ask)
    assert first == again == {"id": first["id"], "title": "判决书", "volume": "正卷", "page_count": 3}
    assert [(kind, body["case_no"], body["document_id"]) for kind, body in fakes.announced(uow)] == [
        ("document_ingested", CASE, first["id"])
    ]
    assert usecases.ingested_keys(uow, [key, "dossier/originals/other"]) == {key} and store.deleted == []


@pytest.mark.parametrize(
    "changes, code",
    [({"volume": "附卷"}, "validation_error"), ({"key": "dossier/originals/bad"}, "invalid_pdf"),
     ({"actor": READER}, "forbidden")],
)  # fmt: skip
def test_a_refused_document_leaves_nothing_staged_nor_recorded(uow, tmp_path, changes, code):
    ask = dict(actor=ADMIN, case_no=CASE, volume="正卷", title="判决书", key="dossier/originals/x", **{})
    ask.update(changes)
    store = Store([ask["key"]])
    with pytest.raises(DomainError) as refused:
        usecases.ingest_document(uow, Pages(tmp_path), store, **ask)
    assert refused.value.code == code
    assert store.deleted == [ask["key"]] and fakes.announced(uow) == []


def test_a_crash_after_the_commit_leaves_the_document_recorded_and_the_redelivery_answers_it(uow, tmp_path):
    key = "dossier/originals/2026/05/01/crash"
    pages, store = Pages(tmp_path), Store([key])
    ask = dict(actor=ADMIN, case_no=CASE, volume="正卷", title="判决书", key=key)

    def crash(point: str) -> None:
        if point == "ingest_after_commit":
            raise KeyboardInterrupt  # stands in for the process dying

    with pytest.raises(KeyboardInterrupt):
        usecases.ingest_document(uow, pages, store, fault=crash, **ask)
    (announced,) = fakes.announced(uow)  # committed with its announcement, waiting for the relay
    answered = usecases.ingest_document(uow, pages, store, fault=crash, **ask)  # the broker delivers it again
    assert answered["id"] == announced[1]["document_id"] and store.deleted == []
    assert len(fakes.announced(uow)) == 1


# -- grants from events ---------------------------------------------------------------------------
def test_an_online_approval_shows_the_granted_main_volumes_only(uow):
    granted(uow)
    seen = usecases.dossier(uow, actor=READER, application_id="11")
    assert seen["case_no"] == CASE and seen["valid_until"] == "2026-06-15" and seen["print"] is True
    assert [(v["title"], [d["id"] for d in v["documents"]]) for v in seen["volumes"]] == [
        ("正卷", [1]),
        ("正卷（二）", [3]),
    ]
    usecases.on_application_decided(uow, decided(event_id="d-2", documents=[3]))  # a later decision narrows it
    assert [v["title"] for v in usecases.dossier(uow, actor=READER, application_id=11)["volumes"]] == ["正卷（二）"]


def test_a_redelivered_event_changes_nothing(uow):
    granted(uow)
    assert usecases.on_application_decided(uow, decided(opinion="reject")) is False  # d-11 again
    assert usecases.dossier(uow, actor=READER, application_id="11")["volumes"]
    assert usecases.on_application_decided(uow, {"event_id": "x"}) is False  # unreadable: dropped


def test_a_withdrawal_heard_before_the_decision_still_wins(uow):
    usecases.on_application_withdrawn(uow, {"event_id": "w-11", "application_id": 11})
    usecases.on_application_decided(uow, decided())
    with pytest.raises(DomainError) as refused:
        usecases.dossier(uow, actor=READER, application_id="11")
    assert refused.value.code == "not_approved"


def test_reading_ends_at_the_end_of_valid_until_in_shanghai(uow, clock):
    granted(uow)
    clock(days=14, hours=3, minutes=59)  # 2026-06-15 23:59 in Shanghai
    usecases.dossier(uow, actor=READER, application_id="11")
    clock(days=14, hours=4)  # 2026-06-16 00:00
    with pytest.raises(DomainError) as refused:
        usecases.dossier(uow, actor=READER, application_id="11")
    assert refused.value.code == "access_expired"


# -- reading and the access log --------------------------------------------------------------------
def test_a_page_is_stamped_for_the_reader_and_logged_in_the_chain(uow, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESS_LOG_KEY", "secret")
    granted(uow)
    pages = Pages(tmp_path)
    result = usecases.read_page(uow, pages, actor=READER, application_id="11", document_id=3, page=2)
    assert result["key"] == "dossier/tmp/3-2.png"
    assert pages.stamped[0][:2] == (3, 2) and "李律师" in pages.stamped[0][2][0]
    for document_id, page in ((2, 1), (1, 4), ("1", 1)):  # 副卷, past the end, not an id
        with pytest.raises(DomainError) as refused:
            usecases.read_page(uow, pages, actor=READER, application_id="11", document_id=document_id, page=page)
        assert refused.value.code == "not_found"
    printed = usecases.print_document(uow, pages, actor=READER, application_id="11", document_id=1)
    assert printed["filename"] == "文书1.pdf"
    log = usecases.access_log(uow, actor=READER, application_id="11")["items"]
    assert [(i["action"], i.get("document_title"), i.get("page")) for i in log] == [
        ("download_pdf", "文书1", None),
        ("view_page", "文书3", 2),
    ]
    assert usecases.check_log(uow) == []
    with uow.read() as dossiers:
        assert dossiers.head(CASE).keyed_from == 1  # the case's lane, keyed from its first entry


def test_the_log_pages_newest_first_and_a_tampered_entry_breaks_the_chain(uow, tmp_path):
    granted(uow)
    pages = Pages(tmp_path)
    for page in (1, 2, 3):
        usecases.read_page(uow, pages, actor=READER, application_id="11", document_id=1, page=page)
    first = usecases.access_log(uow, actor=READER, application_id="11", limit=2)
    rest = usecases.access_log(uow, actor=READER, application_id="11", limit=2, cursor=first["next_cursor"])
    assert [i["page"] for i in first["items"] + rest["items"]] == [3, 2, 1] and rest["next_cursor"] is None
    assert usecases.check_log(uow, batch=2) == []
    with uow.transaction() as dossiers:
        (entry, _), *_ = dossiers.record_of_application("11", 1)
        entry.page = 9  # someone with write access to the table
    assert usecases.check_log(uow, batch=2) != []


OTHER_CASE = "（2021）粤01民初2号"


def two_cases_read(uow, tmp_path, pages_of_case=(1, 2, 3), pages_of_other=(1, 2)) -> Pages:
    """Application 11 reads CASE, application 12 (another reader's) OTHER_CASE, in turns."""
    granted(uow)
    other = {"id": 6, "role": "party", "name": "王五", "verified": True}
    usecases.on_application_submitted(uow, dict(submitted(12, "s-12"), case_no=OTHER_CASE, applicant=other))
    usecases.on_application_decided(uow, decided(12, "d-12", applicant_id=6, case_no=OTHER_CASE))
    with uow.transaction() as dossiers:
        dossiers.add_document(
            Document(id=4, case_no=OTHER_CASE, court=COURT, volume="正卷", title="文书4", object_key="k4",
                     page_count=3, size=1, sha256="0" * 64, created_at=AT)
        )  # fmt: skip
    pages = Pages(tmp_path)
    for n in range(max(len(pages_of_case), len(pages_of_other))):
        for actor, app, doc, wanted in ((READER, "11", 1, pages_of_case), (other, "12", 4, pages_of_other)):
            if n < len(wanted):
                usecases.read_page(uow, pages, actor=actor, application_id=app, document_id=doc, page=wanted[n])
    return pages


def lane_entries(uow, lane: str) -> list[dict]:
    with uow.read() as dossiers:
        return [e for e in dossiers.chain_after(None, 100) if e["lane"] == lane]


def test_each_case_has_a_lane_of_its_own_and_a_tampered_entry_breaks_only_its_lane(uow, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESS_LOG_KEY", "secret")
    two_cases_read(uow, tmp_path)
    case, other = lane_entries(uow, CASE), lane_entries(uow, OTHER_CASE)
    # the global order interleaves the two cases; each lane links its own entries only
    assert sorted(e["seq"] for e in case + other) == [1, 2, 3, 4, 5] and [e["seq"] for e in other] == [2, 4]
    assert [e["lane_seq"] for e in case] == [1, 2, 3] and [e["lane_seq"] for e in other] == [1, 2]
    assert other[1]["prev_hash"] == other[0]["hash"] and other[0]["prev_hash"] == domain.GENESIS_HASH
    with uow.read() as dossiers:
        tips = {lane: dossiers.head(lane) for lane in (CASE, OTHER_CASE, "")}
    assert [(t.seq, t.lane_seq, t.hash) for t in (tips[CASE], tips[OTHER_CASE])] == [
        (5, 3, case[-1]["hash"]),
        (4, 2, other[-1]["hash"]),
    ]
    assert (tips[""].seq, tips[OTHER_CASE].keyed_from) == (0, 2)  # nothing without a case; keyed throughout
    assert usecases.check_log(uow, batch=2) == []
    # pages of the log and their cursors go by the global order, as before
    first = usecases.access_log(uow, actor=READER, application_id="11", limit=2)
    rest = usecases.access_log(uow, actor=READER, application_id="11", limit=2, cursor=first["next_cursor"])
    assert [i["page"] for i in first["items"] + rest["items"]] == [3, 2, 1]

    with uow.transaction() as dossiers:
        (entry, _), *_ = dossiers.record_of_application("12", 1)
        entry.page = 3  # someone with write access to the table, in one case
    altered = f"entry {other[0]['seq']}: its content does not match its hash (altered)"
    assert usecases.check_log(uow, batch=2) == [altered]


class HeadsStore:
    """Object storage as the heads' export uses it, without a heads bucket of its own."""

    bucket = "court"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.client = self

    def exists(self, key: str) -> bool:
        return key in self.objects

    def put(self, key, stream, size, content_type) -> None:
        self.objects[key] = stream.read(size)

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def list_objects(self, bucket, prefix, recursive):
        return [SimpleNamespace(object_name=key) for key in sorted(self.objects) if key.startswith(prefix)]


def cut_tail(uow, lane: str) -> None:
    """Someone with write access deletes a lane's last entry and puts its head row back to
    the entry before it, so the head rows alone see nothing wrong."""
    last, before = lane_entries(uow, lane)[-1], lane_entries(uow, lane)[-2]
    with uow.transaction() as dossiers:
        if hasattr(dossiers, "session"):
            dossiers.session.execute(delete(AccessLogEntry).where(AccessLogEntry.seq == last["seq"]))
        else:
            dossiers.entries = [e for e in dossiers.entries if e.seq != last["seq"]]
        tip = dossiers.head(lane)
        tip.seq, tip.lane_seq, tip.hash = before["seq"], before["lane_seq"], before["hash"]


def test_each_export_names_the_lanes_that_moved_and_finds_a_cut_tail_of_one_lane(uow, tmp_path):
    pages = two_cases_read(uow, tmp_path, pages_of_case=(1,), pages_of_other=(1,))
    store = HeadsStore()
    first = usecases.export_head(uow, store)
    case, other = lane_entries(uow, CASE), lane_entries(uow, OTHER_CASE)
    assert sorted((h["lane"], h["seq"], h["hash"]) for h in first["heads"]) == [
        (CASE, 1, case[-1]["hash"]),
        (OTHER_CASE, 2, other[-1]["hash"]),
    ]
    assert list(store.objects) == ["access-log/heads/000000000002.json"]
    assert usecases.export_head(uow, store) is None and len(store.objects) == 1  # nothing moved since

    for page in (2, 3):
        usecases.read_page(uow, pages, actor=READER, application_id="11", document_id=1, page=page)
    second = usecases.export_head(uow, store)
    assert [(h["lane"], h["seq"]) for h in second["heads"]] == [(CASE, 4)]  # the other case did not move
    assert usecases.exported_heads(store) == [(CASE, 1, case[0]["hash"]), (OTHER_CASE, 2, other[0]["hash"]),
                                             (CASE, 4, lane_entries(uow, CASE)[-1]["hash"])]  # fmt: skip
    assert usecases.check_log(uow, store=store) == []

    cut_tail(uow, CASE)
    assert usecases.check_log(uow) == []  # the head rows alone cannot tell
    for batch in (1, 5000):  # the exported heads are compared a batch at a time
        assert usecases.check_log(uow, batch=batch, store=store) == [
            "entry 4 was exported as a head and is no longer in the log (cut or wiped)"
        ]


def test_a_wiped_lane_and_a_lane_without_its_head_row_are_named(uow, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESS_LOG_KEY", "secret")
    two_cases_read(uow, tmp_path)
    with uow.transaction() as dossiers:  # every entry of the other case gone, its head row left
        if hasattr(dossiers, "session"):
            dossiers.session.execute(delete(AccessLogEntry).where(AccessLogEntry.lane == OTHER_CASE))
        else:
            dossiers.entries = [e for e in dossiers.entries if e.lane != OTHER_CASE]
    wiped = f"lane {OTHER_CASE}: its head (entry 4) does not match its last entry (0)"
    assert usecases.check_log(uow, batch=1) == [wiped]
    with uow.transaction() as dossiers:  # and the case's head row deleted
        if hasattr(dossiers, "session"):
            dossiers.session.delete(dossiers.head(CASE))
        else:
            del dossiers.tips[CASE]
    # its entries, keyed as the missing row said, still check: only the row is named
    assert usecases.check_log(uow, batch=2) == [f"lane {CASE}: its head row is missing", wiped]
    with uow.transaction() as dossiers:
        (entry, _), *_ = dossiers.record_of_application("11", 1)
        entry.page = 2
    assert usecases.check_log(uow, batch=2)[0] == f"entry {entry.seq}: its content does not match its hash (altered)"


def test_an_export_another_process_wrote_first_is_kept_and_the_rest_exported_after_it(uow, tmp_path):
    two_cases_read(uow, tmp_path, pages_of_case=(1,), pages_of_other=(1,))
    case, other = lane_entries(uow, CASE), lane_entries(uow, OTHER_CASE)
    store = HeadsStore()
    # the other process saw only the newest head when it exported, under the same name
    theirs = {"seq": 2, "heads": [{"lane": OTHER_CASE, "seq": 2, "hash": other[0]["hash"]}]}
    store.objects["access-log/heads/000000000002.json"] = json.dumps(theirs).encode()
    assert usecases.export_head(uow, store) == {"seq": 1, "at": ANY, "heads": [{"lane": CASE, "seq": 1,
                                                                             "hash": case[0]["hash"]}]}  # fmt: skip
    assert json.loads(store.objects["access-log/heads/000000000002.json"]) == theirs  # not written over
    assert sorted(store.objects) == ["access-log/heads/000000000001.json", "access-log/heads/000000000002.json"]
    assert usecases.export_head(uow, store) is None and usecases.check_log(uow, store=store) == []


def test_a_head_exported_before_lanes_is_the_single_chains(uow):
    store = HeadsStore()
    store.objects["access-log/heads/000000000007.json"] = b'{"seq": 7, "hash": "' + b"b" * 64 + b'", "at": "x"}'
    assert usecases.exported_heads(store) == [("", 7, "b" * 64)]
    assert usecases.check_log(uow, store=store) == [
        "entry 7 was exported as a head and is no longer in the log (cut or wiped)"
    ]


def test_the_court_sees_the_whole_dossier_and_every_read_of_the_case(uow, tmp_path):
    granted(uow)
    pages = Pages(tmp_path)
    usecases.read_page(uow, pages, actor=READER, application_id="11", document_id=1, page=1)
    whole = usecases.staff_dossier(uow, actor=CLERK, case_no="(2021)粤01民初1号")
    assert [(v["title"], v["kind"], v["grantable"]) for v in whole["volumes"]] == [
        ("正卷", "正卷", True), ("副卷", "副卷", False), ("正卷（二）", "正卷", True)
    ]  # fmt: skip
    assert [d["id"] for d in usecases.grantable_documents(uow, actor=CLERK, case_no=CASE)] == [1, 3]
    usecases.staff_read_page(uow, pages, actor=CLERK, case_no=CASE, document_id=2, page=1)
    log = usecases.case_access_log(uow, actor=CLERK, case_no=CASE)["items"]
    assert [(i["actor"], i["role"], i.get("application_id")) for i in log] == [
        ("中欣", "clerk", None),
        ("李律师", "lawyer", 11),
    ]
    assert [i["actor"] for i in usecases.audit_log(uow, actor=CLERK, application_id="11")["items"]] == ["李律师"]
    elsewhere = dict(CLERK, court="另一法院")
    assert usecases.grantable_documents(uow, actor=elsewhere, case_no=CASE) == []
    with pytest.raises(DomainError):
        usecases.audit_log(uow, actor=elsewhere, application_id="11")


# -- 复制链接 -----------------------------------------------------------------------------------
def test_a_link_opens_for_its_owner_until_revoked(uow):
    granted(uow)
    made = usecases.create_link(uow, actor=READER, application_id="11", token_hash=HASH)
    assert made == {"application_id": "11", "expires_at": "2026-06-16T00:00:00+08:00"}
    assert usecases.open_link(uow, actor=READER, token_hash=HASH) == {"application_id": "11"}
    with pytest.raises(DomainError):
        usecases.open_link(uow, actor=dict(READER, id=6), token_hash=HASH)
    assert usecases.revoke_links(uow, actor=READER, application_id="11") == {"revoked": 1}
    with pytest.raises(DomainError):
        usecases.open_link(uow, actor=READER, token_hash=HASH)
    assert actions(uow) == [domain.LINKS_REVOKED, domain.LINK_OPENED, domain.LINK_CREATED]


def test_a_revocation_kills_every_link_and_reading(uow):
    granted(uow)
    usecases.create_link(uow, actor=READER, application_id="11", token_hash=HASH)
    usecases.on_application_revoked(uow, {"event_id": "r-11", "application_id": 11, "applicant_id": READER["id"]})
    with pytest.raises(DomainError) as refused:
        usecases.dossier(uow, actor=READER, application_id="11")
    assert refused.value.code == "access_revoked"
    with uow.read() as dossiers:
        assert dossiers.link(HASH) is None


def test_the_consistency_check_sees_the_grant(uow):
    granted(uow, documents=[3], print=False)
    assert usecases.consistency_facts(uow, [11, 12]) == {
        "11": {"id": "11", "opinion": "approve", "mode": "online", "valid_until": "2026-06-15", "documents": [3],
             "print": False, "withdrawn": False, "revoked": False}
    }  # fmt: skip
