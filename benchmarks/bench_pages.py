"""Stamped dossier pages: time to a page not opened yet, throughput against the render
floor, print copies, against raw S3.

``python -m benchmarks.bench_pages`` starts a stack of its own (a temporary DATA_DIR, a
free loopback port, its own RabbitMQ vhost, SQLite unless DATABASE_URL is set), ingests a
10-page and a 1,000-page document, grants 16 readers, and measures, each in the same run:

- time to a page the reader has not opened yet (a render-cache miss: PDFium renders that
  page only), alternating between the two documents, in rounds; the ratio 1,000-page /
  10-page per round (target ≤ 1.2). Also the first page read by a process that has no
  local copy of the original (fetched from object storage first);
- the render floor: the same pages rendered and PNG-encoded by bare processes, one per
  core, against stamped pages through the gateway for 16 concurrent readers (renders
  cached, every page stamped afresh for its reader), in alternating rounds (target ≥ 0.8);
- a print copy (打印) of each document, in pages/s against the floor per core;
- the same number of page-sized objects fetched straight from S3, 1 and 16 at a time.

Bounded: fixed request counts and a deadline per phase; traffic only to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from benchmarks.bench_read import cpu_seconds, process_cpu
from services.dossier import print_processes
from tests.support import (
    Api,
    StackHandle,
    court_today,
    make_pdf,
    new_case_no,
    object_store,
    start_private_stack,
    stop_private_stack,
)

ROOT = Path(__file__).resolve().parents[1]
READERS = 16
REQUESTS_SINGLE = 60
REQUESTS_EACH = 20  # per reader when 16 read at once
PHASE_DEADLINE = 120.0  # seconds: a phase stops early rather than run on
ROUNDS = 2  # of the floor against stamped pages, and of pages not opened yet
FLOOR_SECONDS = 8.0
MISSES_EACH = 4  # pages not opened yet, per document and round

FLOOR = r"""
import sys, time
from services.dossier import rendering
path, seconds = sys.argv[1], float(sys.argv[2])
done, ends = 0, time.monotonic() + seconds
while time.monotonic() < ends:
    rendering.encode_png(rendering.render_page(path, done % 10))
    done += 1
print(done)
"""


CPU_TAKERS = ("gateway", "dossier", "broker", "load generator")


def stack_cpu(stack: StackHandle) -> dict[str, float]:
    """CPU seconds used so far by what serves a page: the gateway, the dossier service, the
    broker (RabbitMQ's one Erlang process), and this process, which asks for the pages."""
    used = cpu_seconds(stack, ("gateway", "dossier"))
    beam = subprocess.run(["pgrep", "-o", "beam.smp"], capture_output=True, text=True).stdout.split()
    used["broker"] = process_cpu(int(beam[0])) if beam else 0.0
    mine = os.times()
    used["load generator"] = mine.user + mine.system
    return used


def render_floor(pdf: bytes, folder: Path) -> float:
    """Pages/s of bare processes, one per core, rendering and PNG-encoding the 10-page
    document's pages as the service does, with nothing else."""
    path = folder / "floor.pdf"
    path.write_bytes(pdf)
    workers = [
        subprocess.Popen([sys.executable, "-c", FLOOR, str(path), str(FLOOR_SECONDS)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
        for _ in range(os.cpu_count() or 1)
    ]  # fmt: skip
    done = sum(int(w.communicate(timeout=FLOOR_SECONDS + 60)[0]) for w in workers)
    return done / FLOOR_SECONDS


@contextlib.contextmanager
def second_dossier_process(stack: StackHandle):
    """A second dossier process on the same stack for the block, as the cluster shape runs
    two (one eventlet hub per process: the dossier's hub is what limits stamped pages)."""
    from deploy.stack import Stack, rpc_consumers

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(stack.env)
    try:
        local = Stack()
        env = local.environment()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    local.start_process("dossier-2", env, service="dossier")
    try:
        deadline = time.monotonic() + 60
        while rpc_consumers(env["AMQP_URI"], "dossier") < 2:
            if time.monotonic() > deadline:
                raise SystemExit("the second dossier process did not start")
            time.sleep(0.5)
        yield
    finally:
        local.stop(["dossier-2"])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} (from {min(values):.2f} to {max(values):.2f}, {len(values)} rounds)"


def grant(stack: StackHandle, reader: Api, case_no: str) -> str:
    application_id = str(random.randint(10**9, 2 * 10**9))
    applicant = {"id": reader.user["id"], "name": reader.user["name"], "role": "party"}
    stack.dispatch_event(
        "applications",
        "application_submitted",
        {"event_id": str(uuid.uuid4()), "application_id": int(application_id), "applicant": applicant,
         "case_no": case_no, "court": "广州中院", "scope": "全案卷宗", "reason": "阅卷", "materials": [],
         "applied_at": "2026-05-01T09:00:00+08:00"},
    )  # fmt: skip
    stack.dispatch_event(
        "review",
        "application_decided",
        {"event_id": str(uuid.uuid4()), "application_id": int(application_id), "applicant_id": reader.user["id"],
         "case_no": case_no, "court": "广州中院", "opinion": "approve", "mode": "online", "explanation": "",
         "reviewer": "审查员", "reviewed_at": "2026-05-02T09:00:00+08:00",
         "valid_until": (court_today() + timedelta(days=15)).isoformat()},
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while reader.get(f"/api/v1/applications/{application_id}/dossier").status_code != 200:
        if time.monotonic() > deadline:
            raise SystemExit("the grant did not arrive")
        time.sleep(0.1)
    return application_id


def page_path(app: str, doc: int, page: int) -> str:
    return f"/api/v1/applications/{app}/dossier/documents/{doc}/pages/{page}"


def timed_get(reader: Api, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = reader.get(path, timeout=330)  # a print copy may take minutes
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
    return time.perf_counter() - started, len(response.content)


def run_concurrently(jobs: list, workers: int) -> tuple[float, list[float]]:
    """Run callables returning latencies; returns (wall seconds, latencies), stopping at the deadline."""
    deadline = time.monotonic() + PHASE_DEADLINE
    latencies: list[float] = []

    def guarded(job):
        return job() if time.monotonic() < deadline else None

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for result in pool.map(guarded, jobs):
            if result is not None:
                latencies.append(result)
    return time.perf_counter() - started, latencies


def describe(name: str, wall: float, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    return (
        f"| {name} | {len(latencies)} | {len(latencies) / wall:.1f}/s | "
        f"{statistics.median(ordered) * 1000:.0f} ms | {p95 * 1000:.0f} ms |"
    )


def main() -> int:
    print("[bench] starting a stack of its own…", flush=True)
    stack = start_private_stack("bench-pages-")
    try:
        admin = Api(stack.base_url)
        admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
        case_no = new_case_no()
        case = {"case_no": case_no, "court": "广州中院", "cause": "合同纠纷", "status": "in_trial",
                "has_electronic_dossier": False, "parties": [], "lawyers": []}  # fmt: skip
        assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
        docs = {}
        for pages in (10, 1000):
            pdf = make_pdf(pages)
            started = time.perf_counter()
            response = admin.post(
                f"/api/v1/admin/cases/{case_no}/documents",
                files={"file": ("d.pdf", pdf, "application/pdf")},
                data={"volume": "正卷", "title": f"{pages} 页"},
            )
            assert response.status_code == 201, response.text
            docs[pages] = response.json()["id"]
            print(f"[bench] ingested {pages} pages ({len(pdf) // 1024} KiB) in {time.perf_counter() - started:.2f} s")

        readers = []
        for n in range(READERS):
            reader = Api(stack.base_url)
            reader.register(name=f"阅卷人{n + 1}")
            readers.append((reader, grant(stack, reader, case_no)))
        first_reader, first_app = readers[0]

        lines = ["| measure | requests | rate | median | p95 |", "|---|---|---|---|---|"]
        pdfs = {pages: make_pdf(pages) for pages in (10, 1000)}
        first = {pages: timed_get(first_reader, page_path(first_app, docs[pages], 1))[0] for pages in (10, 1000)}
        # a process with no local copy of the original: it is fetched from object storage first
        for copy in (stack.data_dir / "dossier-work" / "originals").glob("*.pdf"):
            copy.unlink()
        uncopied = {pages: timed_get(first_reader, page_path(first_app, docs[pages], pages))[0] for pages in (10, 1000)}
        # pages not opened yet (render-cache misses), the two documents in turn
        unseen = {10: list(range(2, 10)), 1000: list(range(100, 1000, 900 // (ROUNDS * MISSES_EACH)))}
        misses: dict[int, list[list[float]]] = {10: [], 1000: []}
        for round_no in range(ROUNDS):
            for pages in misses:
                misses[pages].append([])
            for n in range(MISSES_EACH):
                for pages in (10, 1000):
                    page = unseen[pages][round_no * MISSES_EACH + n]
                    misses[pages][-1].append(timed_get(first_reader, page_path(first_app, docs[pages], page))[0])
        miss_ratios = [
            statistics.median(b) / statistics.median(a) for a, b in zip(misses[10], misses[1000], strict=True)
        ]

        prints = {  # 打印: the whole document, every page stamped for this reader
            pages: timed_get(first_reader, f"/api/v1/applications/{first_app}/dossier/documents/{docs[pages]}/pdf")
            for pages in (10, 1000)
        }
        # warm the render cache for the pages read below
        for page in range(1, 11):
            timed_get(first_reader, page_path(first_app, docs[10], page))

        single_jobs = [
            (lambda p=p: timed_get(first_reader, page_path(first_app, docs[10], p % 10 + 1))[0])
            for p in range(REQUESTS_SINGLE)
        ]
        structure = f"/api/v1/applications/{first_app}/dossier"
        wall, lat = run_concurrently([lambda: timed_get(first_reader, structure)[0]] * REQUESTS_SINGLE, 1)
        lines.append(describe("for scale: the dossier's structure (one RPC, no page), 1 reader", wall, lat))
        wall, lat = run_concurrently(single_jobs, 1)
        lines.append(describe("stamped page, 1 reader", wall, lat))
        many_jobs = [
            (lambda r=r, a=a, p=p: timed_get(r, page_path(a, docs[10], p % 10 + 1))[0])
            for p in range(REQUESTS_EACH)
            for r, a in readers
        ]
        floors, stamped, floor_ratios = [], [], []
        spent = {name: 0.0 for name in CPU_TAKERS}
        for _ in range(ROUNDS):  # the floor and the stamped pages in turn, on the same cores
            floors.append(render_floor(pdfs[10], stack.data_dir))
            before = stack_cpu(stack)
            wall, lat = run_concurrently(many_jobs, READERS)
            after = stack_cpu(stack)
            for name in CPU_TAKERS:
                spent[name] += (after[name] - before[name]) / len(lat) / ROUNDS * 1000
            stamped.append(len(lat) / wall)
            floor_ratios.append(stamped[-1] / floors[-1])
            lines.append(describe(f"stamped page, {READERS} readers", wall, lat))
        floor = statistics.median(floors)
        with second_dossier_process(stack):  # for comparison: what a second process adds
            wall, lat = run_concurrently(many_jobs, READERS)
            two_processes = len(lat) / wall
            lines.append(describe(f"stamped page, {READERS} readers, two dossier processes", wall, lat))
            two_floor = render_floor(pdfs[10], stack.data_dir)

        store = object_store(stack)
        keys = [o.object_name for o in store.client.list_objects("court", f"dossier/renders/{docs[10]}/", True)]
        size = len(store.get(keys[0]))

        def s3_get(key: str) -> float:
            started = time.perf_counter()
            store.get(key)
            return time.perf_counter() - started

        wall, lat = run_concurrently([(lambda k=keys[i % len(keys)]: s3_get(k)) for i in range(REQUESTS_SINGLE)], 1)
        lines.append(describe("same bytes straight from S3, 1 at a time", wall, lat))
        jobs = [(lambda k=keys[i % len(keys)]: s3_get(k)) for i in range(REQUESTS_EACH * READERS)]
        wall, lat = run_concurrently(jobs, READERS)
        lines.append(describe(f"same bytes straight from S3, {READERS} at a time", wall, lat))

        print()
        load = os.getloadavg()[0]
        print(f"Pages {size // 1024} KiB (PNG, 1240 px wide), {os.cpu_count()} CPUs (load average {load:.1f}), "
              f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}")  # fmt: skip
        print()
        print("| time to a page | 10-page document | 1,000-page document |")
        print("|---|---|---|")
        print(
            f"| first page (original copied at ingestion) | {first[10] * 1000:.0f} ms | {first[1000] * 1000:.0f} ms |"
        )
        print(f"| first page read by a process without the local copy | {uncopied[10] * 1000:.0f} ms | "
              f"{uncopied[1000] * 1000:.0f} ms |")  # fmt: skip
        for round_no in range(ROUNDS):
            print(f"| not opened yet (render-cache miss), round {round_no + 1}, median of {MISSES_EACH} | "
                  f"{statistics.median(misses[10][round_no]) * 1000:.0f} ms | "
                  f"{statistics.median(misses[1000][round_no]) * 1000:.0f} ms |")  # fmt: skip
        print()
        print(f"page not opened yet, 1,000-page / 10-page document: {spread(miss_ratios)}  (target ≤ 1.2)")
        print()
        print("| pages/s | " + " | ".join(f"round {n + 1}" for n in range(ROUNDS)) + " |")
        print("|---|" + "---|" * ROUNDS)
        print(f"| render floor: bare processes, one per core ({os.cpu_count()}) | "
              + " | ".join(f"{f:.1f}" for f in floors) + " |")  # fmt: skip
        print(
            f"| stamped pages through the gateway, {READERS} readers | "
            + " | ".join(f"{r:.1f}" for r in stamped)
            + " |"
        )
        print()
        print(f"stamped pages / render floor: {spread(floor_ratios)}  (target ≥ 0.8)")
        print("CPU per stamped page, 16 readers (ms): " + ", ".join(f"{n} {v:.1f}" for n, v in spent.items())
              + f"; the floor's, per page and core: {1000 * (os.cpu_count() or 1) / floor:.1f}")  # fmt: skip
        print(f"with a second dossier process (as the cluster runs): {two_processes:.1f} pages/s, "
              f"{two_processes / two_floor:.2f} of a floor of {two_floor:.1f} measured right after")  # fmt: skip
        print()
        per_core = floor / (os.cpu_count() or 1)
        print(f"| print copy (打印) | time | size | pages/s | processes | / floor per core ({per_core:.1f} pages/s) "
              "| / floor of the cores used |")  # fmt: skip
        print("|---|---|---|---|---|---|---|")
        for pages, (seconds, size) in prints.items():
            used = print_processes.print_processes() if pages >= print_processes.MIN_PAGES else 1
            print(f"| {pages}-page document | {seconds:.1f} s | {size // 1024} KiB | {pages / seconds:.0f} | {used} | "
                  f"{pages / seconds / per_core:.2f} | {pages / seconds / per_core / used:.2f} |")  # fmt: skip
        print()
        print("\n".join(lines))
    finally:
        stop_private_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
