"""A Guangzhou year on one PostgreSQL: the reads people make, at 10,000 applications and at
a year's worth, and the access log's chain under 32 concurrent readers.

``python -m benchmarks.bench_year`` makes a database of its own beside
``TEST_POSTGRES_URL``'s, runs the applications, review and dossier migrations into it,
and loads applications with their review and dossier rows and ~20 access-log entries
each, in bulk inside PostgreSQL (``INSERT … SELECT generate_series``, into the services'
own tables as their models name them). It measures the services' own use cases, in this
process, with no broker or HTTP in the way (what grows with the data is the database's
share): the reader's list, the detail, the clerk's queue (待审查 and all), the reader's
access-log page and the staff's access log of a case. Then it grows the data to the full
size and measures again, printing p50/p99 and the ratio of the two p50s, with each
query's plan (``EXPLAIN``). Last, 1 and 32 threads append to the access log through
``dossier.usecases.append_log`` for ``BENCH_SECONDS``, readers spread over
``BENCH_APPEND_CASES`` (1,000) cases each already read once, as a court's are, and 32 on a
single case (the worst: one lane), against as many threads making plain inserts into a copy
of the table in the same run.

``python -m benchmarks.bench_year --append-only``: only that last part, on a database with
nothing loaded but the dossier migrations (the appends do not read what the year loads).

Sizes: ``BENCH_YEAR_APPLICATIONS`` (1,000,000), ``BENCH_YEAR_LOG_PER_APPLICATION`` (20),
``BENCH_YEAR_SMALL`` (10,000). The entries loaded in bulk carry digests of the right shape
that do not verify (the chain check is not what this measures); every entry appended
during the run is chained and keyed as in production. The database is dropped at the end.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APPLICATIONS = int(os.environ.get("BENCH_YEAR_APPLICATIONS", 1_000_000))
SMALL = int(os.environ.get("BENCH_YEAR_SMALL", 10_000))
LOG_PER_APPLICATION = int(os.environ.get("BENCH_YEAR_LOG_PER_APPLICATION", 20))
SAMPLES = int(os.environ.get("BENCH_YEAR_SAMPLES", 300))
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
APPENDERS = 32
APPEND_CASES = int(os.environ.get("BENCH_APPEND_CASES", 1000))
CHUNK = 100_000  # applications per INSERT … SELECT, so progress shows and no statement is huge
# Guangzhou: the intermediate court and its eleven district courts.
COURTS = ["广东省广州市中级人民法院"] + [
    f"广东省广州市{d}区人民法院"
    for d in ("越秀", "海珠", "荔湾", "天河", "白云", "黄埔", "花都", "番禺", "南沙", "从化", "增城")
]
READERS_PER_APPLICATION = 0.6  # a reader applies in 1.7 cases a year on average
PENDING_SHARE = 0.002  # a clerk's 待审查 tab holds a few days' applications, not the year
YEAR_START = "2025-01-01 00:30:00+00"
SECONDS_PER_YEAR = 365 * 86400


# -- bulk load ---------------------------------------------------------------------------------
def _reader(i: str) -> str:
    """The applicant of application ``i`` (a SQL expression of the series value)."""
    return f"(1 + ({i}::bigint * 7919) % {max(1, int(APPLICATIONS * READERS_PER_APPLICATION))})"


def _status(i: str) -> str:
    pending_every = max(1, int(1 / PENDING_SHARE))
    return (
        f"CASE WHEN {i} % {pending_every} = 0 THEN 'pending' WHEN {i} % 10 = 1 THEN 'rejected' "
        f"WHEN {i} % 20 = 2 THEN 'withdrawn' ELSE 'approved' END"
    )


def _applied_at(i: str) -> str:
    # spread over the year in order of id, as they arrive
    return f"(timestamptz '{YEAR_START}' + ({i}::bigint * {SECONDS_PER_YEAR} / {APPLICATIONS}) * interval '1 second')"


def _case_no(i: str) -> str:
    return f"'（2025）粤01' || lpad(({i} % 12)::text, 2, '0') || '民初' || ({i} / 2 + 1)::text || '号'"


def _court(i: str) -> str:
    return f"(ARRAY[{', '.join(repr(c) for c in COURTS)}])[1 + {i} % 12]"


def load(engines: dict, first: int, last: int) -> None:
    """Applications ``first``..``last`` (1-based, inclusive) in every service that holds
    them, and their access-log entries, each table through its model's name and columns."""
    from sqlalchemy import insert, literal_column, select, text

    from services.applications.models import Application
    from services.dossier.models import AccessLogEntry, Document, Reading
    from services.review.models import ReviewedApplication

    def rows(table, columns: dict[str, str], a: int, b: int):
        series = text(f"generate_series({int(a)}, {int(b)}) AS g(i)")
        exprs = [literal_column(sql.replace("{i}", "g.i")).label(name) for name, sql in columns.items()]
        return insert(table).from_select(list(columns), select(*exprs).select_from(series))

    status, at, reviewed = _status("{i}"), _applied_at("{i}"), f"{_applied_at('{i}')} + interval '2 days'"
    decided = f"CASE WHEN {status} IN ('approved', 'rejected') THEN"
    common = {
        "id": "{i}",
        "applicant_id": _reader("{i}"),
        "applicant_name": "'读者' || " + _reader("{i}") + "::text",
        "applicant_role": "CASE WHEN {i} % 3 = 0 THEN 'lawyer' ELSE 'party' END",
        "case_no": _case_no("{i}"),
        "court": _court("{i}"),
        "scope": "'全案卷宗'",
        "reason": "'诉讼需要'",
        "status": status,
        "applied_at": at,
        "opinion": f"{decided} CASE WHEN {status} = 'approved' THEN 'approve' ELSE 'reject' END END",
        "mode": f"{decided} 'online' END",
        "reviewer": f"{decided} '审查员' END",
        "reviewed_at": f"{decided} {reviewed} END",
        "valid_until": f"{decided} ({reviewed})::date + 15 END",
    }
    review = {**common, "id": "{i}::text", "materials": "'[]'", "received_at": at}
    dossier = {
        "application_id": "{i}::text",
        "applicant_id": common["applicant_id"],
        "applicant_name": common["applicant_name"],
        "case_no": common["case_no"],
        "court": common["court"],
        "opinion": common["opinion"],
        "mode": common["mode"],
        "valid_until": common["valid_until"],
        "print_allowed": "true",
        "updated_at": at,
    }
    document = {  # one 正卷 document per application's case, read under it
        "id": "{i}",
        "case_no": common["case_no"],
        "court": common["court"],
        "volume": "'正卷'",
        "title": "'起诉状'",
        "object_key": "'bench/' || {i}::text",
        "page_count": str(LOG_PER_APPLICATION),
        "size": "100000",
        "sha256": "md5({i}::text) || md5({i}::text)",
        "created_at": at,
    }
    per = LOG_PER_APPLICATION
    app_of = f"(({{i}} - 1) / {per} + 1)"
    log = {
        "seq": "{i}",
        "at": f"{_applied_at(app_of)} + interval '3 days' + ({{i}} % {per}) * interval '1 minute'",
        "application_id": f"{app_of}::text",
        "case_no": _case_no(app_of),
        "actor_id": _reader(app_of),
        "actor_name": "'读者' || " + _reader(app_of) + "::text",
        "actor_role": "'party'",
        "action": "'view_page'",
        "document_id": app_of,
        "page": f"1 + {{i}} % {per}",
        "prev_hash": "md5(({i} - 1)::text) || md5(({i} - 1)::text || 'x')",
        "hash": "md5({i}::text) || md5({i}::text || 'x')",
    }
    for a in range(first, last + 1, CHUNK):
        b = min(last, a + CHUNK - 1)
        with engines["applications"].begin() as conn:
            conn.execute(rows(Application.__table__, common, a, b))
        with engines["review"].begin() as conn:
            conn.execute(rows(ReviewedApplication.__table__, review, a, b))
        with engines["dossier"].begin() as conn:
            conn.execute(rows(Reading.__table__, dossier, a, b))
            conn.execute(rows(Document.__table__, document, a, b))
            conn.execute(rows(AccessLogEntry.__table__, log, (a - 1) * per + 1, b * per))
        print(f"  loaded applications up to {b:,}", flush=True)
    top = last * per
    with engines["applications"].begin() as conn:
        conn.exec_driver_sql(f"SELECT setval('applications_id_seq', {last})")
    with engines["dossier"].begin() as conn:
        conn.exec_driver_sql(f"SELECT setval('documents_id_seq', {last})")
    with engines["dossier"].begin() as conn:
        # the bulk entries are the single chain's (lane ""), the sequence goes on after them
        conn.exec_driver_sql(
            "UPDATE access_log_heads SET seq = %(seq)s, lane_seq = %(seq)s,"
            " hash = md5(%(seq)s::text) || md5(%(seq)s::text || 'x') WHERE lane = ''",
            {"seq": top},
        )
        conn.exec_driver_sql(f"SELECT setval('access_log_seq', {top})")
    for engine in engines.values():
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# -- measuring -----------------------------------------------------------------------------------
class Statements:
    """The last statement each engine ran, so a measured call's query can be explained."""

    def __init__(self, engines: dict):
        from sqlalchemy import event

        self.last: list[tuple[object, str, object]] = []
        for engine in engines.values():
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.last.append((conn.engine, statement, parameters))

    @contextmanager
    def recording(self):
        self.last = []
        yield self


def reads(uows: dict, size: int) -> dict[str, Callable[[random.Random], object]]:
    """The reads people make, each a function of a random source picking whom and what."""
    from services.applications import repository as applications_repository
    from services.applications import usecases as applications
    from services.dossier import repository as dossier_repository
    from services.dossier import usecases as dossier
    from services.review import repository as review_repository
    from services.review import usecases as review

    # the use cases' units of work, as each service's ``service.py`` makes them
    uows = {
        **uows,
        "applications": applications_repository.unit_of_work(uows["applications"]),
        "review": review_repository.unit_of_work(uows["review"]),
        "dossier": dossier_repository.unit_of_work(uows["dossier"]),
    }

    readers = max(1, int(APPLICATIONS * READERS_PER_APPLICATION))

    def some_application(rnd: random.Random) -> int:
        return rnd.randint(1, size)

    def reader_of(app: int) -> dict:
        user = 1 + (app * 7919) % readers
        return {"id": user, "role": "party", "name": f"读者{user}", "verified": True}

    def clerk(rnd: random.Random) -> dict:
        return {"id": 9_000_000, "role": "clerk", "name": "审查员", "court": rnd.choice(COURTS)}

    def reader_list(rnd):
        app = some_application(rnd)
        return applications.list_own(uows["applications"], reader_of(app), limit=20)

    def detail(rnd):
        app = some_application(rnd)
        return applications.detail(uows["applications"], reader_of(app), app)

    def queue_pending(rnd):
        return review.staff_queue(uows["review"], clerk(rnd), status="pending", limit=20)

    def queue_all(rnd):
        return review.staff_queue(uows["review"], clerk(rnd), limit=20)

    def log_page(rnd):
        app = some_application(rnd)
        return dossier.access_log(uows["dossier"], actor=reader_of(app), application_id=str(app), limit=20)

    def case_log(rnd):
        app = some_application(rnd)
        court = COURTS[app % 12]
        actor = {"id": 9_000_001, "role": "clerk", "name": "审查员", "court": court}
        case_no = f"（2025）粤01{app % 12:02d}民初{app // 2 + 1}号"
        return dossier.case_access_log(uows["dossier"], actor=actor, case_no=case_no, limit=20)

    return {
        "reader's list (我的申请)": reader_list,
        "detail (申请详情)": detail,
        "clerk's queue, 待审查": queue_pending,
        "clerk's queue, all": queue_all,
        "reader's access log page": log_page,
        "staff's access log of a case": case_log,
    }


def measure(operations: dict, statements: Statements) -> dict[str, dict]:
    figures = {}
    for name, operation in operations.items():
        rnd = random.Random(7)
        for _ in range(10):  # warm the connection pool and the caches a little
            operation(rnd)
        times = []
        for _ in range(SAMPLES):
            started = time.perf_counter()
            operation(rnd)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        with statements.recording():
            operation(random.Random(11))
            queries = list(statements.last)
        plans = [explain(query) for query in queries]
        figures[name] = {
            "p50": statistics.median(times),
            "p99": times[int(len(times) * 0.99) - 1],
            "plans": plans,
            # what the database itself spent (EXPLAIN ANALYZE), unmoved by a busy CPU
            "db_ms": sum(_execution_ms(plan) for plan in plans),
        }
    return figures


def _execution_ms(plan: list[str]) -> float:
    for line in plan:
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return 0.0


def explain(query: tuple) -> list[str]:
    engine, statement, parameters = query
    if not statement.lstrip().upper().startswith("SELECT"):
        return []
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters).all()
    return [row[0] for row in plan]


# -- the chain ---------------------------------------------------------------------------------
def _case(i: int) -> str:
    return f"（2025）粤0101民初{i}号"


def append_rate(uow, seconds: float, writers: int, cases: int) -> tuple[float, int]:
    """Appends through the use case, each to one of ``cases`` cases picked at random."""
    from services.dossier import domain, repository
    from services.dossier.usecases import append_log

    readings = [domain.Reading(str(i), 1, _case(i), COURTS[0], "approve", "online", None) for i in range(cases)]
    dossiers = repository.unit_of_work(uow)
    actor = {"id": 1, "role": "party", "name": "读者1"}

    def one(n: int) -> None:
        with dossiers.transaction() as log:
            append_log(log, actor, "view_page", reading=random.choice(readings), document_id=1, page=n % 100 + 1)

    return _threads(one, seconds, writers)


def read_once(uow, cases: int) -> None:
    """Every case read once already, so the appends measured find their lane's head row."""
    from services.dossier import domain, repository
    from services.dossier.usecases import append_log

    dossiers = repository.unit_of_work(uow)
    for i in range(cases):
        with dossiers.transaction() as log:
            reading = domain.Reading(str(i), 1, _case(i), COURTS[0], "approve", "online", None)
            append_log(log, {"id": 1, "role": "party", "name": "读者1"}, "view_page", reading=reading, page=1)


def plain_insert_rate(engine, seconds: float, writers: int) -> tuple[float, int]:
    """Inserts of the same row into a copy of the table with the same indexes, no chain."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS plain_log")
        conn.exec_driver_sql("DROP SEQUENCE IF EXISTS plain_log_seq")
        conn.exec_driver_sql("CREATE TABLE plain_log (LIKE access_log INCLUDING DEFAULTS INCLUDING INDEXES)")
        conn.exec_driver_sql("CREATE SEQUENCE plain_log_seq")
        conn.exec_driver_sql("ALTER TABLE plain_log ALTER seq SET DEFAULT nextval('plain_log_seq')")

    def one(n: int) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO plain_log (at, application_id, case_no, actor_id, actor_name, actor_role, action,"
                " document_id, page, lane, lane_seq, prev_hash, hash) VALUES (now(), '1', '（2025）粤0100民初0号', 1,"
                " '读者1', 'party', 'view_page', 1, %s, '（2025）粤0100民初0号', %s, repeat('0', 64), repeat('1', 64))",
                (n, n),
            )

    return _threads(one, seconds, writers)


def append_table(uow, engine) -> None:
    """Appends against plain inserts, 1 and 32 writers over many cases, and 32 on one case."""
    read_once(uow, APPEND_CASES)
    plain = {writers: plain_insert_rate(engine, SECONDS, writers)[0] for writers in (1, APPENDERS)}
    print()
    print(f"| writers, {SECONDS:.0f} s each | cases | appended to the log | plain inserts (baseline) | log / plain |")
    print("|---|---|---|---|---|")
    for writers, cases in ((1, APPEND_CASES), (APPENDERS, APPEND_CASES), (APPENDERS, 1)):
        chained, _ = append_rate(uow, SECONDS, writers, cases)
        print(f"| {writers} | {cases:,} | {chained:.0f}/s | {plain[writers]:.0f}/s | {chained / plain[writers]:.2f} |")


def _threads(one: Callable[[int], None], seconds: float, writers: int) -> tuple[float, int]:
    done = [0] * writers
    stop = time.monotonic() + seconds
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            while time.monotonic() < stop:
                one(done[k])
                done[k] += 1
        except BaseException as exc:  # reported below, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(writers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return sum(done) / (time.monotonic() - started), sum(done)


# -- the run -------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    from tests.support import new_postgres_database

    append_only = "--append-only" in argv
    url, drop = new_postgres_database("court_year")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ACCESS_LOG_KEY", uuid.uuid4().hex)
    try:
        from sqlalchemy.orm import sessionmaker

        from services.common.infra import migrate
        from services.common.infra.db import UnitOfWork, make_engine

        services = ("dossier",) if append_only else ("applications", "review", "dossier")
        for service in services:
            migrate.upgrade(service)
        engines = {s: make_engine(s, pool_size=APPENDERS + 2) for s in services}
        uows = {s: UnitOfWork(sessionmaker(e, expire_on_commit=False)) for s, e in engines.items()}
        if not append_only:
            year(engines, uows)
        append_table(uows["dossier"], engines["dossier"])
        for engine in engines.values():
            engine.dispose()
        return 0
    finally:
        drop()


def year(engines: dict, uows: dict) -> None:
    """The reads, at the small size and at the year's."""
    statements = Statements(engines)

    print(f"loading {SMALL:,} applications, {SMALL * LOG_PER_APPLICATION:,} access-log entries", flush=True)
    started = time.monotonic()
    load(engines, 1, SMALL)
    small = measure(reads(uows, SMALL), statements)
    print(f"  ({time.monotonic() - started:.0f} s)")

    print(f"loading up to {APPLICATIONS:,} applications, {APPLICATIONS * LOG_PER_APPLICATION:,} entries")
    started = time.monotonic()
    load(engines, SMALL + 1, APPLICATIONS)
    loaded = time.monotonic() - started
    print(f"  loaded in {loaded:.0f} s")
    full = measure(reads(uows, APPLICATIONS), statements)

    print()
    print(
        f"| read | p50 at {SMALL:,} | p50 at {APPLICATIONS:,} | ratio | p99 at {APPLICATIONS:,} "
        f"| database's own time at {SMALL:,} / at {APPLICATIONS:,} |"
    )
    print("|---|---|---|---|---|---|")
    for name in small:
        a, b = small[name]["p50"], full[name]["p50"]
        print(
            f"| {name} | {a:.1f} ms | {b:.1f} ms | {b / a:.2f} | {full[name]['p99']:.1f} ms "
            f"| {small[name]['db_ms']:.2f} / {full[name]['db_ms']:.2f} ms |"
        )
    print()
    for name, figures in full.items():
        print(f"-- plans of {name} at {APPLICATIONS:,}")
        for plan in figures["plans"]:
            for line in plan:
                print("   " + line)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
