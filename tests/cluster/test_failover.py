"""The cluster shape under failure: while parties submit applications and readers read
stamped pages through HAProxy, one broker node is killed, then one replica of every
service and one gateway; every submission lands exactly once, reads go on through the
survivors (the failed requests and the time to recover are counted and printed), and
``make cluster-up`` heals the cluster.

Bounded: a fixed number of submissions, reads for a fixed time, traffic to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests

from deploy.cluster import BACKEND_SERVICES, NODES, REPLICAS
from tests.e2e.test_admin_cli import admin_tool
from tests.e2e.test_dossier import ingest
from tests.support import Api, create_staff, make_pdf, new_case_no, new_party, wait_dead, wait_until

pytestmark = pytest.mark.cluster

COURT = "集群测试法院"
SUBMITTERS = 30  # one application each, spread over the whole run
READERS = 2
PHASE_SECONDS = 12.0  # traffic before the first fault, after it, and after the second
RETRY_SECONDS = 60.0


@dataclass
class Log:
    """Every request the clients made: when it ended and whether it succeeded."""

    reads: list[tuple[float, bool]] = field(default_factory=list)
    submission_attempts: int = 0
    failed_submission_attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, ok: bool) -> None:
        with self.lock:
            self.reads.append((time.monotonic(), ok))

    def attempt(self, ok: bool) -> None:
        with self.lock:
            self.submission_attempts += 1
            self.failed_submission_attempts += not ok

    def phase(self, start: float, end: float) -> dict:
        """Reads between two moments: how many, how many failed, and how long from ``start``
        until the first success after the last failure (0 when none failed)."""
        reads = [(at, ok) for at, ok in self.reads if start <= at < end]
        failures = [at for at, ok in reads if not ok]
        recovered = 0.0
        if failures:
            after = [at for at, ok in reads if ok and at > failures[-1]]
            recovered = (after[0] if after else end) - start
        return {"reads": len(reads), "failed": len(failures), "recovered_s": round(recovered, 1)}


def submit(log: Log, party: Api, case_no: str) -> int | None:
    """One application, retried with the same Idempotency-Key while the answer is lost or
    the cluster is short of something (5xx), as the pages retry it."""
    key = str(uuid.uuid4())
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    deadline = time.monotonic() + RETRY_SECONDS
    while time.monotonic() < deadline:
        try:
            response = party.post("/api/v1/applications", json=body, headers={"Idempotency-Key": key}, timeout=15)
        except requests.RequestException:
            response = None
        log.attempt(response is not None and response.status_code == 201)
        if response is not None and response.status_code == 201:
            return response.json()["id"]
        if response is not None and response.status_code < 500:
            raise AssertionError(f"submission refused: {response.status_code} {response.text[:200]}")
        time.sleep(0.5)
    return None


def read_pages(log: Log, reader: Api, page_paths: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        try:
            ok = reader.get(page_paths[n % len(page_paths)], timeout=15).status_code == 200
        except requests.RequestException:
            ok = False
        log.read(ok)
        n += 1
        time.sleep(0.05)


def kill(cluster, name: str) -> None:
    pid = cluster.pid(name)
    assert pid, f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)
    wait_dead(pid)


def rpc_consumers(cluster, service: str) -> int:
    return cluster.cluster().consumers(service)


class Court:
    """A case with an electronic dossier, its submitters and approved readers."""

    def __init__(self, cluster) -> None:
        admin = cluster.admin_api()
        with ThreadPoolExecutor(4) as pool:
            people = list(pool.map(lambda n: new_party(cluster.base_url, f"当事人{n}"), range(SUBMITTERS + READERS)))
        self.submitters, readers = people[:SUBMITTERS], people[SUBMITTERS:]
        self.case_no = new_case_no()
        case = {
            "case_no": self.case_no,
            "court": COURT,
            "cause": "合同纠纷",
            "status": "in_trial",
            "has_electronic_dossier": True,
            "parties": [{"name": p.user["name"], "id_number": p.id_number, "side": "原告"} for p in people],
            "lawyers": [],
        }
        assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
        document = ingest(admin, self.case_no, make_pdf(2), "正卷", "起诉状").json()["id"]
        clerk = create_staff(admin, "clerk", COURT)
        self.readers = [(reader, self.approve(clerk, reader, document)) for reader in readers]

    def approve(self, clerk: Api, reader: Api, document: int) -> list[str]:
        body = {"case_no": self.case_no, "scope": "全案卷宗", "reason": "阅卷", "material_ids": []}
        submitted = reader.post("/api/v1/applications", json=body)
        assert submitted.status_code == 201, submitted.text
        app_id = submitted.json()["id"]
        decide = f"/api/v1/staff/applications/{app_id}/decision"
        decision = {"opinion": "approve", "mode": "online"}
        assert wait_until(lambda: clerk.post(decide, json=decision).status_code == 200, 30)
        pages = [f"/api/v1/applications/{app_id}/dossier/documents/{document}/pages/{p}" for p in (1, 2)]
        assert wait_until(lambda: reader.get(pages[0]).status_code == 200, 30), reader.get(pages[0]).text
        return pages


def test_the_cluster_loses_nothing_and_reads_on_when_a_node_and_a_replica_of_each_die(cluster):
    court = Court(cluster)
    log, stop = Log(), threading.Event()
    pace = 3 * PHASE_SECONDS / SUBMITTERS
    with ThreadPoolExecutor(READERS + SUBMITTERS) as pool:
        for reader, pages in court.readers:
            pool.submit(read_pages, log, reader, pages, stop)
        submissions = []
        for n, party in enumerate(court.submitters):
            submissions.append((party, pool.submit(submit, log, party, court.case_no)))
            time.sleep(pace)
            if n == SUBMITTERS // 3:
                node_killed = time.monotonic()
                kill(cluster, "rabbit-2")
            if n == 2 * SUBMITTERS // 3:
                replicas_killed = time.monotonic()
                for service in (*BACKEND_SERVICES, "gateway"):
                    kill(cluster, f"{service}-1")
                down = wait_until(lambda: cluster.haproxy_servers().get("gateway-1") == "DOWN", 10)
                assert down, cluster.haproxy_servers()
        ids = {party.user["id"]: future.result() for party, future in submissions}
        time.sleep(2)
        stop.set()
    ended = time.monotonic()

    before = log.phase(0, node_killed)
    after_node = log.phase(node_killed, replicas_killed)
    after_replicas = log.phase(replicas_killed, ended)
    print(
        f"\ncluster failover: reads before {before}, after a broker node died {after_node}, "
        f"after a replica of each service and a gateway died {after_replicas}; submissions "
        f"{log.submission_attempts} attempts, {log.failed_submission_attempts} failed and retried"
    )
    # every submission answered, and each party holds exactly that one application
    assert None not in ids.values(), ids
    for party in court.submitters:
        mine = party.get("/api/v1/applications", params={"limit": 100}).json()["items"]
        assert [a["id"] for a in mine] == [ids[party.user["id"]]], mine
    # review heard of each exactly once: the services agree on every application
    checked = admin_tool(cluster, "check-consistency", "--court", COURT, "--settle", "5")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # reads went on through the survivors: HAProxy retries a read whose gateway died under
    # it, so at most a call caught in a dying service replica may fail, and not for long
    for phase in (after_node, after_replicas):
        assert phase["reads"] > 20 and phase["failed"] <= max(2, phase["reads"] // 20), phase
        assert phase["recovered_s"] < PHASE_SECONDS, phase

    healed = cluster.run("up", check=False)
    assert healed.returncode == 0, healed.stdout[-3000:] + healed.stderr[-3000:]
    assert all(cluster.pid(f"{s}-{n}") for s in ("gateway", *BACKEND_SERVICES) for n in range(1, REPLICAS + 1))
    shape = cluster.cluster()
    status = json.loads(shape.ctl(1, "cluster_status", "--formatter", "json").stdout)
    assert len(status["running_nodes"]) == NODES, status["running_nodes"]
    assert {s: rpc_consumers(cluster, s) for s in BACKEND_SERVICES} == dict.fromkeys(BACKEND_SERVICES, REPLICAS)
    # every replica says it is consuming again, the ones moved to another node included
    for name in (f"{s}-{n}" for s in BACKEND_SERVICES for n in range(1, REPLICAS + 1)):
        port = (cluster.data_dir / "run" / f"{name}.metrics-port").read_text()
        ready = wait_until(lambda p=port: requests.get(f"http://127.0.0.1:{p}/readyz", timeout=5).ok, 15)
        assert ready, (name, requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).text)
    assert wait_until(lambda: set(cluster.haproxy_servers().values()) == {"UP"}, 15), cluster.haproxy_servers()
    # each gateway, asked directly, serves a reader again
    reader, pages = court.readers[0]
    for port in shape.layout()["gateway_ports"]:
        direct = requests.get(
            f"http://127.0.0.1:{port}{pages[0]}", headers={"Authorization": f"Bearer {reader.token}"}, timeout=15
        )
        assert direct.status_code == 200, direct.text
