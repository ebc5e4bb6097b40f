"""dossier's repository on a real database (SQLite, and PostgreSQL with --postgres): the
chain's appends from many workers at once form one line, print jobs are claimed by one maker
and swept once their grant is over, Idempotency-Keys and the inbox hold, and the use cases
run end to end over it."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from services.common.infra.errors import DomainError
from services.dossier import domain, printing, repository, usecases
from services.dossier.models import AccessLogEntry, Document, Link, Outbox, PrintJob, Reading

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
READER = {"id": 5, "role": "lawyer", "name": "李律师", "verified": True}
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def uow(database, tmp_path, monkeypatch) -> repository.DossierWork:
    now = tmp_path / "now"
    now.write_text(NOW.isoformat())
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(now))
    monkeypatch.setenv("ACCESS_LOG_KEY", "integration")
    uow = repository.unit_of_work(database("dossier"))
    with uow.transaction() as dossiers:
        for doc_id, volume in ((1, "正卷"), (2, "副卷"), (3, "正卷")):
            dossiers.add_document(
                Document(case_no=CASE, court=COURT, volume=volume, title=f"文书{doc_id}", object_key=f"k{doc_id}",
                         page_count=2, size=1, sha256="0" * 64, created_at=NOW)
            )  # fmt: skip
    usecases.on_application_submitted(
        uow, {"event_id": "s-11", "application_id": 11, "case_no": CASE, "court": COURT, "applicant": READER}
    )
    usecases.on_application_decided(
        uow,
        {"event_id": "d-11", "application_id": 11, "applicant_id": READER["id"], "case_no": CASE, "court": COURT,
         "opinion": "approve", "mode": "online", "valid_until": "2026-06-15", "documents": None},
    )  # fmt: skip
    return uow


def count(uow, model) -> int:
    with uow.uow.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def append_from_threads(uow, lanes_of_worker: list[list[str]], appends: int) -> None:
    """Worker ``k`` appends ``appends`` entries, taking the cases of ``lanes_of_worker[k]`` in turn."""
    errors: list[BaseException] = []

    def append(cases: list[str]) -> None:
        try:
            for page in range(1, appends + 1):
                case = cases[page % len(cases)]
                reading = domain.Reading("11", READER["id"], case, COURT, "approve", "online", date(2026, 6, 15))
                with uow.transaction() as dossiers:
                    usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=reading, document_id=1, page=page)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=append, args=(cases,)) for cases in lanes_of_worker]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def one_lane(uow, lane: str) -> tuple[domain.LaneHead, list[dict]]:
    with uow.read() as dossiers:
        return dossiers.heads([lane])[lane], [e for e in dossiers.chain_after((lane, 0), 10_000) if e["lane"] == lane]


def assert_one_line(head: domain.LaneHead, chain: list[dict], entries: int) -> None:
    """A lane's entries in seq order are numbered 1, 2, ... and each links to the one before."""
    assert [e["lane_seq"] for e in chain] == list(range(1, entries + 1))
    assert [e["seq"] for e in chain] == sorted({e["seq"] for e in chain})
    assert [e["prev_hash"] for e in chain[1:]] == [e["hash"] for e in chain[:-1]]
    assert (head.seq, head.lane_seq, head.hash) == (chain[-1]["seq"], entries, chain[-1]["hash"])
    assert head.keyed_from == chain[0]["seq"]


def test_appends_from_many_workers_at_once_to_one_case_form_one_keyed_line(uow):
    append_from_threads(uow, [[CASE]] * 4, 10)
    head, chain = one_lane(uow, CASE)
    assert_one_line(head, chain, 40)
    assert usecases.check_log(uow, batch=7) == []


def test_appends_to_many_cases_at_once_go_side_by_side_and_every_lane_verifies(uow):
    """Eight workers over four cases, each taking two in turn: every case is appended to by
    four workers at once, and the global order interleaves them all."""
    cases = [f"（2021）粤01民初{n}号" for n in range(1, 5)]
    append_from_threads(uow, [[cases[k % 4], cases[(k + 1) % 4]] for k in range(8)], 12)
    with uow.read() as dossiers:
        everything = dossiers.chain_after(None, 10_000)
    assert len(everything) == 96 and len({e["seq"] for e in everything}) == 96
    for case in cases:
        head, chain = one_lane(uow, case)
        assert_one_line(head, chain, 24)
    assert usecases.check_log(uow, batch=10) == []
    # a year's check walks in batches: one lane's entries across several, a batch across lanes
    assert usecases.check_log(uow, batch=5) == []


def test_a_page_of_the_log_and_a_case_log_find_entries_by_application_and_by_case(uow):
    reading = domain.Reading("11", READER["id"], CASE, COURT)
    before_cases_were_named = domain.Reading("11", READER["id"], None)
    clerk = {"id": 70, "role": "clerk", "name": "中欣", "court": COURT}
    with uow.transaction() as dossiers:
        for page, under in ((1, before_cases_were_named), (2, reading)):
            usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=under, document_id=1, page=page)
        usecases.append_log(dossiers, clerk, domain.VIEW_PAGE, case_no=CASE, document_id=2, page=1)
        usecases.append_log(dossiers, clerk, domain.VIEW_PAGE, case_no="（2021）粤01民初2号", document_id=2, page=1)
    with uow.read() as dossiers:
        own = dossiers.log_of_application("11", None, 10)
        older = dossiers.log_of_application("11", own[0][0].seq, 10)
        case = dossiers.log_of_case(CASE, dossiers.applications_of_case(CASE), None, 10)
        named_only = dossiers.log_of_case(CASE, [], None, 10)
        record = dossiers.record_of_application("11", 10)
    assert [(e.page, title) for e, title in own] == [(2, "文书1"), (1, "文书1")]
    assert [e.page for e, _ in older] == [1]
    assert [(e.actor_name, e.application_id) for e, _ in case] == [("中欣", None), ("李律师", "11"), ("李律师", "11")]
    assert [(e.actor_name, e.page) for e, _ in named_only] == [("中欣", 1), ("李律师", 2)]  # not the unnamed one
    assert [e.seq for e, _ in record] == sorted(e.seq for e, _ in own)


def test_of_two_makers_one_claims_the_job_and_only_it_may_finish(uow):
    job = printing.create_print(uow, actor=READER, application_id="11")
    now = datetime(2026, 6, 1, 4, tzinfo=UTC)
    lease = now + timedelta(seconds=60)
    with uow.read() as dossiers:
        assert dossiers.claimable_jobs(now, 5) == [job["id"]]
    with uow.transaction() as dossiers:
        assert dossiers.claim_job(job["id"], "first", now, lease)
    with uow.transaction() as dossiers:
        assert not dossiers.claim_job(job["id"], "second", now, lease)  # its lease holds
        assert dossiers.claimable_jobs(now, 5) == []
    later = lease + timedelta(seconds=1)  # the first maker fell silent
    with uow.transaction() as dossiers:
        assert dossiers.claim_job(job["id"], "second", later, later + timedelta(seconds=60))
    with uow.transaction() as dossiers:
        assert not dossiers.renew_job(job["id"], "first", 2, later)
        assert not dossiers.finish_job(job["id"], "first", status=domain.PRINT_DONE, at=later, object_key="x", size=1)
        assert dossiers.finish_job(job["id"], "second", status=domain.PRINT_DONE, at=later, object_key="y", size=9)
    with uow.read() as dossiers:
        done = dossiers.job(job["id"])
        assert (done.status, done.pages_done, done.object_key, done.lease_until) == ("done", 4, "y", None)
        assert dossiers.job_keys(["x", "y"]) == {"y"}


def test_jobs_are_swept_once_their_grant_lapses_or_ends_and_failed_ones_after_a_day(uow):
    first = printing.create_print(uow, actor=READER, application_id="11", body={"documents": [1]})
    with uow.transaction() as dossiers:
        failed = dossiers.job(first["id"])
        failed.status, failed.finished_at = domain.PRINT_FAILED, NOW
    with uow.read() as dossiers:
        assert dossiers.jobs_to_sweep(NOW, NOW - timedelta(days=1), 10) == []
        assert dossiers.jobs_to_sweep(NOW, NOW + timedelta(seconds=1), 10) == [(first["id"], None)]
        lapsed = datetime(2026, 6, 15, 16, tzinfo=UTC)  # 2026-06-16 00:00 in Shanghai
        assert len(dossiers.jobs_to_sweep(lapsed, NOW - timedelta(days=1), 10)) == 1
    second = printing.create_print(uow, actor=READER, application_id="11", body={"documents": [3]})
    usecases.on_application_withdrawn(uow, {"event_id": "w-11", "application_id": 11})
    with uow.read() as dossiers:
        swept = {job_id for job_id, _ in dossiers.jobs_to_sweep(NOW, NOW - timedelta(days=1), 10)}
    assert swept == {first["id"], second["id"]}
    assert printing.sweep(uow, lambda key: None) == 2 and count(uow, PrintJob) == 0


def test_an_idempotency_key_makes_one_job_and_refuses_another_body(uow):
    ask = dict(actor=READER, application_id="11", idempotency_key="print-1")
    first = printing.create_print(uow, body={"documents": [1]}, **ask)
    assert printing.create_print(uow, body={"documents": [1]}, **ask) == first
    with pytest.raises(DomainError) as refused:
        printing.create_print(uow, body={"documents": [3]}, **ask)
    assert refused.value.code == "idempotency_key_reused" and count(uow, PrintJob) == 1
    with uow.read() as dossiers:
        assert dossiers.unfinished_jobs_of(READER["id"]) == 1 and dossiers.unfinished_jobs_of(6) == 0


def test_events_are_heard_once_and_announcements_wait_in_the_outbox(uow):
    assert not usecases.on_application_decided(uow, {"event_id": "d-11", "application_id": 11, "opinion": "reject"})
    with uow.read() as dossiers:
        assert dossiers.reading("11").is_online_grant
        assert dossiers.reading_rows(["11", "12"])[0].court == COURT
    with uow.transaction() as dossiers:
        dossiers.announce("document_ingested", {"case_no": CASE, "document_id": 1})
        assert dossiers.ingested_keys(["k1", "k9"]) == {"k1"}
        assert dossiers.titles_of_case(CASE) == {1: "文书1", 2: "文书2", 3: "文书3"}
    assert count(uow, Outbox) == 1 and count(uow, Reading) == 1


def test_links_of_an_application_go_together_or_one_owner_at_a_time(uow):
    for token, user in (("a" * 64, 5), ("b" * 64, 5), ("c" * 64, 6)):
        with uow.transaction() as dossiers:
            dossiers.add_link(Link(token_hash=token, application_id="11", user_id=user, created_at=NOW, expires_at=NOW))
    with uow.transaction() as dossiers:
        assert dossiers.drop_links("11", user_id=6) == 1
    with uow.transaction() as dossiers:
        assert dossiers.drop_links("11") == 2
        assert dossiers.link("a" * 64) is None


def test_a_reader_reads_and_prints_over_the_real_database(uow):
    class Machine:
        def print_job(self, documents, lines, progress):
            progress(2)
            return {"key": "dossier/prints/1.pdf", "size": 10, "pages": 4}

        def discard(self, key):
            raise AssertionError("nothing to discard")

    job = printing.create_print(uow, actor=READER, application_id="11")
    assert printing.make_next(uow, Machine()) == job["id"]
    assert printing.print_pdf(uow, actor=READER, application_id="11", print_id=job["id"])["size"] == 10
    items = usecases.access_log(uow, actor=READER, application_id="11")["items"]
    assert [(i["action"], i["document_id"]) for i in items] == [("download_pdf", 3), ("download_pdf", 1)]
    with uow.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(AccessLogEntry)) == 2
    assert usecases.check_log(uow) == []


def test_a_page_of_the_log_is_found_through_its_index(uow):
    """The year benchmark's reads stay index scans: a reader's page by (application_id, seq),
    the court's page of a case by (case_no, seq), whatever the database."""
    reading = domain.Reading("11", READER["id"], CASE, COURT)
    with uow.transaction() as dossiers:
        usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=reading, document_id=1, page=1)
    with uow.uow.read() as session:
        engine = session.get_bind()
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "access_log" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with uow.read() as dossiers:
            dossiers.log_of_application("11", 99, 21)
            dossiers.log_of_case(CASE, [], 99, 21)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    plans = []
    with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            conn.exec_driver_sql("SET enable_seqscan = off")  # a few rows: make the planner show its way
        for statement, parameters in statements:
            explain = "EXPLAIN (COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans.append(" ".join(str(part) for row in rows for part in row))
    assert len(plans) == 2
    assert "ix_access_log_application_seq" in plans[0], plans[0]
    assert "ix_access_log_case_seq" in plans[1], plans[1]


def test_entries_written_before_lanes_stay_one_verifiable_chain(database, monkeypatch, tmp_path):
    """dossier_0011 on a log of the single chain (plain, then keyed): its entries keep their
    hashes in lane "", its head the old head row; new entries go into their cases' lanes,
    an entry naming no case after the old ones, and the global order goes on past them."""
    from sqlalchemy import text

    from services.common.infra import migrate
    from services.common.infra.db import make_engine

    monkeypatch.setenv("ACCESS_LOG_KEY", "integration")
    migrate.upgrade("dossier", "dossier_0010")
    engine = make_engine("dossier", pool_size=1)
    previous, key = domain.GENESIS_HASH, b"integration"
    with engine.begin() as conn:
        for seq in range(1, 6):  # keyed from entry 3 on, as a log that was keyed later
            entry = {"seq": seq, "at": NOW + timedelta(minutes=seq), "application_id": "11",
                     "case_no": CASE if seq > 1 else None, "actor_id": 5, "actor_name": "李律师",
                     "actor_role": "lawyer" if seq > 1 else None, "action": domain.VIEW_PAGE, "document_id": 1,
                     "page": seq}  # fmt: skip
            digest = domain.chain_hash(previous, entry, key if seq >= 3 else None)
            row = {**entry, "prev_hash": previous, "hash": digest}  # the table as dossier_0010 left it
            conn.execute(
                text(f"INSERT INTO access_log ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"), row
            )
            previous = digest
        conn.execute(text("UPDATE access_log_head SET seq = 5, hash = :h, keyed_from = 3"), {"h": previous})
    engine.dispose()
    uow = repository.unit_of_work(database("dossier"))  # on to the newest revision
    assert usecases.check_log(uow, batch=2) == []
    with uow.read() as dossiers:
        legacy = dossiers.head("")
        assert (legacy.seq, legacy.lane_seq, legacy.hash, legacy.keyed_from) == (5, 5, previous, 3)

    reading = domain.Reading("11", READER["id"], CASE, COURT)
    with uow.transaction() as dossiers:
        usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=reading, document_id=1, page=6)
        usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=domain.Reading("11", 5, None), page=7)
    with uow.read() as dossiers:
        single = [e for e in dossiers.chain_after(None, 100) if e["lane"] == ""]
        case = dossiers.chain_after((CASE, 0), 100)
        page = dossiers.log_of_application("11", None, 3)
    assert [(e["seq"], e["lane_seq"]) for e in single] == [(1, None), (2, None), (3, None), (4, None), (5, None),
                                                          (7, 6)]  # fmt: skip
    assert [(e["seq"], e["lane"], e["lane_seq"], e["prev_hash"]) for e in case] == [(6, CASE, 1, domain.GENESIS_HASH)]
    assert [e.page for e, _ in page] == [7, 6, 5]  # the reader's page spans the old chain and the lanes
    assert usecases.check_log(uow, batch=2) == []

    with uow.transaction() as dossiers:
        (entry, _), *_ = dossiers.record_of_application("11", 4)[3:]
        entry.actor_name = "王五"  # an entry of the old chain, altered
    assert usecases.check_log(uow) == ["entry 4: its content does not match its hash (altered)"]


def test_a_check_while_readers_append_sees_the_log_at_one_moment(uow):
    """The hourly check runs beside the appends: it walks one moment of the log, so an
    append committed during the walk is neither half seen nor taken for a cut tail."""
    cases = [f"（2021）粤01民初{n}号" for n in range(1, 4)]
    done = threading.Event()
    found: list[list[str]] = []

    def check() -> None:
        while not done.is_set():
            found.append(usecases.check_log(uow, batch=3))

    checker = threading.Thread(target=check)
    checker.start()
    try:
        append_from_threads(uow, [[cases[k % 3], cases[(k + 1) % 3]] for k in range(4)], 15)
    finally:
        done.set()
        checker.join()
    assert len(found) > 1 and all(problems == [] for problems in found), [p for p in found if p][:1]


def test_back_to_the_single_chain_only_while_no_entry_was_written_in_lanes(database, monkeypatch):
    """dossier_0011's downgrade gives the single chain its head row back; once an entry was
    written in lanes (hashed with its number in its lane), the single chain could not
    check it, and the downgrade refuses."""
    from alembic import command
    from sqlalchemy import text

    from services.common.infra import migrate

    monkeypatch.setenv("ACCESS_LOG_KEY", "integration")
    session_uow = database("dossier")
    with session_uow.transaction() as session:  # as the single chain left it
        session.execute(text("UPDATE access_log_heads SET seq = 0, hash = :h, keyed_from = 4"), {"h": "c" * 64})
    command.downgrade(migrate.alembic_config("dossier"), "dossier_0010")
    with session_uow.read() as session:
        assert session.execute(text("SELECT id, seq, hash, keyed_from FROM access_log_head")).all() == [
            (1, 0, "c" * 64, 4)
        ]
    with session_uow.transaction() as session:
        session.execute(text("UPDATE access_log_head SET hash = :h, keyed_from = NULL"), {"h": domain.GENESIS_HASH})
    migrate.upgrade("dossier")
    uow = repository.unit_of_work(session_uow)
    for case in (None, CASE):  # the single chain's entry, and a lane's
        with uow.transaction() as dossiers:
            usecases.append_log(dossiers, READER, domain.VIEW_PAGE, reading=domain.Reading("11", 5, case), page=1)
        with pytest.raises(RuntimeError, match="written in lanes"):
            command.downgrade(migrate.alembic_config("dossier"), "dossier_0010")
    assert usecases.check_log(uow) == []
