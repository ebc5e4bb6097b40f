"""The crash matrix: for each of the five services, kill -9 while readers and the court
go through the manual's flows at once (submit, withdraw, decide online and on site,
record attendance, read pages), bring it back as an operator would (``make up``), and
show that nothing was lost, nothing doubled, and check-consistency finds no
disagreement. Then the same while the broker itself restarts.

Every client retries what failed the way the pages do (the same Idempotency-Key, a
bounded time), so a lost answer is retried and must give the first result."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import requests

from tests.e2e.test_admin_cli import admin_tool
from tests.e2e.test_dossier import ingest
from tests.support import Api, court_today, create_staff, make_pdf, new_case_no, new_party, wait_dead, wait_until

FLOWS = ("withdraw", "online", "onsite", "reject", "pending")
EXPECTED = {
    "withdraw": "withdrawn",
    "online": "approved",
    "onsite": "approved",
    "reject": "rejected",
    "pending": "pending",
}
RETRY_SECONDS = 90.0
TRANSIENT = (502, 503, 504)


@dataclass
class Tally:
    operations: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, retries: int) -> None:
        with self.lock:
            self.operations += 1
            self.retries += retries

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def call(tally: Tally, client: Api, method: str, path: str, ok: tuple[int, ...], body=None, wait_for: tuple = ()):
    """One intent, retried with the same key while the answer is lost, the service is
    down (5xx) or, for ``wait_for`` statuses, an event has not landed yet (404 before
    review has heard of a submission)."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + RETRY_SECONDS
    tries = 0
    while True:
        try:
            response = client.request(method, path, json=body, headers={"Idempotency-Key": key}, timeout=20)
            if response.status_code in ok:
                tally.count(tries)
                return response
            transient = response.status_code in TRANSIENT or response.status_code in wait_for
            last = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            transient, last = True, type(exc).__name__
        if not transient or time.monotonic() > deadline:
            tally.fail(f"{method} {path}: {last}")
            return None
        tries += 1
        time.sleep(0.5)


class Court:
    """One court of its own, a case with an electronic dossier, its staff."""

    def __init__(self, stack, admin: Api, readers: int):
        self.stack = stack
        self.name = f"崩溃测试法院{uuid.uuid4().hex[:8]}"
        self.parties = [new_party(stack.base_url, f"读者{i}") for i in range(readers)]
        self.case_no = new_case_no()
        case = {
            "case_no": self.case_no,
            "court": self.name,
            "cause": "合同纠纷",
            "status": "in_trial",
            "has_electronic_dossier": True,
            "parties": [{"name": p.user["name"], "id_number": p.id_number, "side": "原告"} for p in self.parties],
            "lawyers": [],
        }
        assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
        self.document = ingest(admin, self.case_no, make_pdf(2), "正卷", "起诉状").json()["id"]
        self.clerk = create_staff(admin, "clerk", self.name)
        self.archivist = create_staff(admin, "archivist", self.name)
        self.next_party = 0

    def take(self, count: int) -> list[Api]:
        taken = self.parties[self.next_party : self.next_party + count]
        self.next_party += count
        return taken


def run_flow(court: Court, tally: Tally, reader: Api, flow: str) -> int | None:
    body = {"case_no": court.case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    submitted = call(tally, reader, "POST", "/api/v1/applications", (201,), body)
    if submitted is None:
        return None
    app_id = submitted.json()["id"]
    decision = f"/api/v1/staff/applications/{app_id}/decision"
    today = court_today()
    if flow == "withdraw":
        call(tally, reader, "POST", f"/api/v1/applications/{app_id}/withdraw", (200,))
    elif flow == "online":
        if call(tally, court.clerk, "POST", decision, (200,), {"opinion": "approve", "mode": "online"}, (404,)):
            page = f"/api/v1/applications/{app_id}/dossier/documents/{court.document}/pages/1"
            # 403 until dossier hears the grant, 404 until it hears of the application at
            # all (a broker restart can hold its queue back after review's has moved on)
            call(tally, reader, "GET", page, (200,), wait_for=(403, 404))
    elif flow == "onsite":
        onsite = {
            "opinion": "approve",
            "mode": "onsite",
            "start_date": str(today),
            "end_date": str(today + timedelta(1)),
        }
        if call(tally, court.clerk, "POST", decision, (200,), onsite, (404,)):
            attendance = {"attended": True}
            call(tally, court.archivist, "POST", f"/api/v1/staff/applications/{app_id}/attendance", (200,), attendance)
    elif flow == "reject":
        call(tally, court.clerk, "POST", decision, (200,), {"opinion": "reject", "explanation": "材料不全"}, (404,))
    return app_id


def kill(stack, service: str) -> None:
    pid = stack.pid(service)
    os.killpg(pid, signal.SIGKILL)
    wait_dead(pid)


def restart_broker() -> None:
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True, timeout=120)
    subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True, timeout=120)


def one_round(stack, court: Court, fault, readers: int = 10) -> dict:
    """Flows for ``readers`` new readers at once; ``fault`` strikes shortly after they start."""
    tally = Tally()
    people = court.take(readers)
    flows = [FLOWS[i % len(FLOWS)] for i in range(readers)]
    with ThreadPoolExecutor(max_workers=readers) as pool:
        futures = [pool.submit(run_flow, court, tally, p, f) for p, f in zip(people, flows, strict=True)]
        time.sleep(1.0)
        fault()
        ids = [f.result() for f in futures]
    lost = duplicated = 0
    for person, flow, app_id in zip(people, flows, ids, strict=True):
        expected = EXPECTED[flow]
        mine = lambda person=person: person.get("/api/v1/applications", params={"limit": 100}).json()["items"]  # noqa: E731
        settled = wait_until(lambda mine=mine, expected=expected: [a["status"] for a in mine()] == [expected], 60)
        apps = mine()
        lost += not apps or app_id is None
        duplicated += max(0, len(apps) - 1)
        if not settled:
            tally.fail(f"{flow}: {[(a['id'], a['status']) for a in apps]} instead of one {expected}")
            for app in apps:
                tally.fail(f"logs about application {app['id']}: {log_lines_about(stack, app['id'])}")
    checked = admin_tool(stack, "check-consistency", "--court", court.name, "--settle", "5")
    return {
        "operations": tally.operations,
        "retries": tally.retries,
        "lost": lost,
        "duplicated": duplicated,
        "disagreements": 0 if checked.returncode == 0 else checked.stdout.count("application "),
        "failures": tally.failures,
        "consistency": checked.stdout,
    }


def log_lines_about(stack, application_id: int, most: int = 30) -> list[str]:
    """The warnings and errors any service logged that name ``application_id``, so a round
    that fails says where the fact stopped (the stack's logs are gone after the run)."""
    wanted = (
        f"application {application_id}",
        f"application_id {application_id}",
        f'"application_id": {application_id}',
        f'"application_id": "{application_id}"',  # events carry the string (a number before)
        f"/{application_id}/",
    )
    found = []
    for path in sorted((stack.data_dir / "logs").glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if ('"ERROR"' in line or '"WARNING"' in line) and any(w in line for w in wanted):
                found.append(f"{path.stem}: {line[:400]}")
    return found[-most:]


@pytest.fixture(scope="module")
def court(stack):
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    return Court(stack, admin, readers=60)


@pytest.mark.parametrize("service", ["identity", "case_binding", "applications", "review", "dossier"])
def test_kill_minus_nine_loses_nothing_and_doubles_nothing(stack, court, service):
    def fault() -> None:
        kill(stack, service)
        time.sleep(1.0)
        stack.up()  # as an operator would: starts what is not running

    figures = one_round(stack, court, fault)
    print(f"crash matrix {service}: {figures | {'consistency': None}}")
    assert figures["failures"] == [], figures
    assert (figures["lost"], figures["duplicated"], figures["disagreements"]) == (0, 0, 0), figures


@pytest.mark.serial  # every stack on this machine loses its broker meanwhile
def test_a_broker_restart_loses_nothing_and_doubles_nothing(stack, court):
    def fault() -> None:
        restart_broker()
        # the gateway and the services reconnect by themselves; anyone who did not is restarted
        wait_until(lambda: requests.get(stack.base_url + "/healthz", timeout=10).status_code == 200, 60)
        stack.up()

    figures = one_round(stack, court, fault)
    print(f"crash matrix broker: {figures | {'consistency': None}}")
    assert figures["failures"] == [], figures
    assert (figures["lost"], figures["duplicated"], figures["disagreements"]) == (0, 0, 0), figures
