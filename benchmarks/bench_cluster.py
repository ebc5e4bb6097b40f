"""Does scale-out pay? The cluster shape with two replicas of everything, then with one.

``python -m benchmarks.bench_cluster`` starts the cluster shape (``deploy/cluster.py``: three
broker nodes, two processes of the gateway and of every service, HAProxy in front) on a
fresh PostgreSQL database beside TEST_POSTGRES_URL's (or DATABASE_URL's, when set), grants
16 readers a 10-page document, and measures through HAProxy, 16 readers at once:

- the authenticated read: a signed-in reader asks for the dossier's structure (one RPC);
- the stamped page: a cached render stamped afresh for its reader.

Then it stops the second process of the gateway and of every service, waits until HAProxy
and the broker see one of each, measures the same again, and prints the ratios.
Bounded: fixed request counts and a deadline per phase; traffic only to 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deploy.cluster import BACKEND_SERVICES, SERVICES
from tests.support import (
    Api,
    ClusterHandle,
    create_staff,
    make_pdf,
    new_case_no,
    new_party,
    new_postgres_database,
    start_private_cluster,
    stop_private_cluster,
    wait_until,
)

READERS = 16
READS_EACH = {"authenticated read (dossier structure, one RPC)": 40, "stamped page": 12}
PHASE_DEADLINE = 90.0  # seconds: a phase stops early rather than run on
COURT = "基准测试法院"


def grant_readers(cluster: ClusterHandle) -> tuple[list[tuple[Api, dict[str, list[str]]]], int]:
    """16 parties of one case, each with an approved online application: the paths each
    reads in each measure."""
    admin = cluster.admin_api()
    with ThreadPoolExecutor(4) as pool:
        readers = list(pool.map(lambda n: new_party(cluster.base_url, f"阅卷人{n}"), range(READERS)))
    case_no = new_case_no()
    parties = [{"name": r.user["name"], "id_number": r.id_number, "side": "原告"} for r in readers]
    case = {"case_no": case_no, "court": COURT, "cause": "合同纠纷", "status": "in_trial",
            "has_electronic_dossier": True, "lawyers": [], "parties": parties}  # fmt: skip
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    document = admin.post(
        f"/api/v1/admin/cases/{case_no}/documents",
        files={"file": ("d.pdf", make_pdf(10), "application/pdf")},
        data={"volume": "正卷", "title": "10 页"},
    ).json()["id"]
    clerk = create_staff(admin, "clerk", COURT)
    granted = []
    for reader in readers:
        body = {"case_no": case_no, "scope": "全案卷宗", "reason": "阅卷", "material_ids": []}
        app_id = reader.post("/api/v1/applications", json=body).json()["id"]
        decide = f"/api/v1/staff/applications/{app_id}/decision"
        if not wait_until(lambda d=decide: clerk.post(d, json={"opinion": "approve", "mode": "online"}).ok, 30):
            raise SystemExit(f"application {app_id} could not be decided")
        dossier = f"/api/v1/applications/{app_id}/dossier"
        pages = [f"{dossier}/documents/{document}/pages/{p}" for p in range(1, 11)]
        if not wait_until(lambda p=pages[0], r=reader: r.get(p).status_code == 200, 30):
            raise SystemExit(f"the grant of application {app_id} did not arrive")
        granted.append((reader, dict(zip(READS_EACH, ([dossier], pages), strict=True))))
    return granted, document


def timed_get(reader: Api, path: str) -> float:
    started = time.perf_counter()
    response = reader.get(path, timeout=60)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
    return time.perf_counter() - started


def measure(granted: list, name: str) -> dict:
    """Every reader reads its paths READS_EACH[name] times, all readers at once."""
    deadline = time.monotonic() + PHASE_DEADLINE
    jobs = [(r, paths[name][n % len(paths[name])]) for n in range(READS_EACH[name]) for r, paths in granted]

    def guarded(job):
        return timed_get(*job) if time.monotonic() < deadline else None

    started = time.perf_counter()
    with ThreadPoolExecutor(READERS) as pool:
        latencies = sorted(lat for lat in pool.map(guarded, jobs) if lat is not None)
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "rate": len(latencies) / wall,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
    }


def warm(granted: list) -> None:
    """Every page rendered once, and every reader's sign-in known to every gateway."""
    for reader, paths in granted:
        for path in paths["stamped page"] + paths["authenticated read (dossier structure, one RPC)"] * 4:
            timed_get(reader, path)


def to_one_replica(cluster: ClusterHandle) -> None:
    """Stop the second process of the gateway and of every service, as an operator would
    scale down, and wait until HAProxy and the broker see only the first."""
    shape = cluster.cluster()
    shape.stop([f"{name}-2" for name in reversed(list(SERVICES))])
    if not wait_until(lambda: cluster.haproxy_servers().get("gateway-2") == "DOWN", 15):
        raise SystemExit(f"HAProxy still sends to gateway-2: {cluster.haproxy_servers()}")
    if not wait_until(lambda: all(shape.consumers(s) == 1 for s in BACKEND_SERVICES), 30):
        raise SystemExit("a second replica still consumes")


def main() -> int:
    own_database = not os.environ.get("DATABASE_URL", "").startswith("postgresql")
    if own_database:
        database_url, drop = new_postgres_database("court_bench")
    else:
        database_url, drop = os.environ["DATABASE_URL"], lambda: None
    print("[bench] starting the cluster shape…", flush=True)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        cluster = start_private_cluster(data_dir, database_url)
    except RuntimeError as exc:
        drop()
        raise SystemExit(str(exc)) from exc
    try:
        granted, _ = grant_readers(cluster)
        warm(granted)
        two = {name: measure(granted, name) for name in READS_EACH}
        to_one_replica(cluster)
        warm(granted)
        one = {name: measure(granted, name) for name in READS_EACH}
    finally:
        stop_private_cluster(cluster)
        drop()
        shutil.rmtree(data_dir, ignore_errors=True)
    print()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, PostgreSQL, {READERS} readers at once")
    print()
    print("| measure | replicas | requests | rate | median | p95 |")
    print("|---|---|---|---|---|---|")
    for name in READS_EACH:
        for replicas, figures in ((1, one[name]), (2, two[name])):
            print(
                f"| {name} | {replicas} | {figures['requests']} | {figures['rate']:.1f}/s | "
                f"{figures['median_ms']:.0f} ms | {figures['p95_ms']:.0f} ms |"
            )
    print()
    for name in READS_EACH:
        print(f"[bench] {name}: two replicas / one = {two[name]['rate'] / one[name]['rate']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
