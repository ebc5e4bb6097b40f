"""Stamped dossier pages: throughput and time to first page, against raw S3.

``python -m benchmarks.bench_pages`` starts a stack of its own (a temporary DATA_DIR, a
free loopback port, its own RabbitMQ vhost, SQLite unless DATABASE_URL is set), ingests a
10-page and a 1,000-page document, grants 16 readers, and measures:

- time to first page (a render-cache miss) of the 10-page and the 1,000-page document:
  they should be close, since only the asked-for page is rendered;
- stamped pages per second through the gateway for 1 reader and 16 concurrent readers
  (renders cached, every page stamped afresh for its reader);
- the same number of page-sized objects fetched straight from S3, 1 and 16 at a time.

Bounded: fixed request counts and a deadline per phase; traffic only to 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

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
REQUESTS_EACH = 10  # per reader when 16 read at once
PHASE_DEADLINE = 120.0  # seconds: a phase stops early rather than run on


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
        first = {}
        for pages in (10, 1000):  # a render-cache miss: PDFium opens the file and renders one page
            first[pages] = [timed_get(first_reader, page_path(first_app, docs[pages], p))[0] for p in (1, pages)]
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
        wall, lat = run_concurrently(many_jobs, READERS)
        lines.append(describe(f"stamped page, {READERS} readers", wall, lat))

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
        print("| time to a page (render-cache miss) | first page | last page |")
        print("|---|---|---|")
        for pages in (10, 1000):
            print(f"| {pages}-page document | {first[pages][0] * 1000:.0f} ms | {first[pages][1] * 1000:.0f} ms |")
        print()
        print("| print copy (打印) | time | size | pages/s |")
        print("|---|---|---|---|")
        for pages, (seconds, size) in prints.items():
            print(f"| {pages}-page document | {seconds:.1f} s | {size // 1024} KiB | {pages / seconds:.0f} |")
        print()
        print("\n".join(lines))
    finally:
        stop_private_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
