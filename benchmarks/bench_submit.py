"""Reading applications submitted by 200 applicants at once, through the gateway.

``python -m benchmarks.bench_submit`` starts a stack of its own (a temporary DATA_DIR, a
free loopback port, its own RabbitMQ vhost; SQLite unless DATABASE_URL is set), registers
200 parties, each a party of two cases, and lets all 200 submit their two applications at
the same moment (each request with an Idempotency-Key; a 503 or a dropped connection is
retried with the same key, as a client would). It prints submissions per second, p50 and
p99 latency, and counts:

- lost: a submission answered 201 (or retried to the end) that is not in the applicant's
  list, or an application whose ``application_submitted`` event never reached a consumer;
- duplicated: more than one application for one applicant and case, or one application
  announced under two event ids.

Both must be 0. Bounded: 400 submissions, a deadline per phase, traffic only to 127.0.0.1.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support import Api, EventTap, StackHandle, new_case_no, start_private_stack, stop_private_stack

APPLICANTS = 200
CASES_EACH = 2
RETRIES = 3
PHASE_DEADLINE = 180.0  # seconds; a phase stops early rather than run on
COURT = "广东省广州市中级人民法院"


def prepare(stack: StackHandle) -> tuple[list[Api], dict[int, list[str]]]:
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])

    def new_applicant(_: int) -> Api:
        client = Api(stack.base_url)
        client.id_number = client.register("party", name="测试当事人")["id_number"]
        return client

    with ThreadPoolExecutor(16) as pool:
        applicants = list(pool.map(new_applicant, range(APPLICANTS)))
    cases: dict[int, list[str]] = {}
    feed = []
    for index, applicant in enumerate(applicants):
        cases[index] = [new_case_no() for _ in range(CASES_EACH)]
        for case_no in cases[index]:
            party = {"name": applicant.user["name"], "id_number": applicant.id_number, "side": "原告"}
            feed.append(
                {
                    "case_no": case_no,
                    "court": COURT,
                    "cause": "买卖合同纠纷",
                    "status": "in_trial",
                    "has_electronic_dossier": True,
                    "parties": [party],
                    "lawyers": [],
                }
            )
    response = admin.post("/api/v1/admin/cases", json={"cases": feed}, timeout=120)
    assert response.status_code == 200, response.text
    return applicants, cases


def submit(applicant: Api, case_no: str, start: threading.Event, deadline: float) -> tuple[float, int, dict | None]:
    """One submission as a careful client makes it: one key, retried on 503 or a dropped line."""
    start.wait()
    key = str(uuid.uuid4())
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    began = time.perf_counter()
    status, result = 0, None
    for _ in range(RETRIES + 1):
        if time.monotonic() > deadline:
            break
        try:
            response = applicant.post("/api/v1/applications", json=body, headers={"Idempotency-Key": key}, timeout=30)
        except requests.RequestException:
            continue
        status = response.status_code
        if status == 201:
            result = response.json()
            break
        if status != 503:
            break
    return time.perf_counter() - began, status, result


def main() -> int:
    stack = start_private_stack("bench-submit-")
    try:
        print(f"[bench] stack up at {stack.base_url}; preparing {APPLICANTS} applicants", flush=True)
        applicants, cases = prepare(stack)
        with EventTap(stack.amqp_uri, "applications", "application_submitted") as tap:
            events = tap.seen

            start = threading.Event()
            deadline = time.monotonic() + PHASE_DEADLINE
            jobs = [(i, case_no) for i in range(APPLICANTS) for case_no in cases[i]]
            with ThreadPoolExecutor(APPLICANTS) as pool:
                futures = [pool.submit(submit, applicants[i], case_no, start, deadline) for i, case_no in jobs]
                time.sleep(0.5)  # every thread waiting at the gate
                began = time.perf_counter()
                start.set()
                outcomes = [f.result() for f in futures]
                wall = time.perf_counter() - began

            # Every accepted submission must be announced: wait for the events, bounded.
            accepted = {o[2]["id"] for o in outcomes if o[2]}
            wait_until = time.monotonic() + 60
            while time.monotonic() < wait_until and not accepted <= {e["application_id"] for e in events}:
                tap.drain(0.5)
            tap.drain(3)  # longer than the relay timer: duplicates would show

        statuses = Counter(o[1] for o in outcomes)
        latencies = sorted(o[0] for o in outcomes if o[1] == 201)
        stored: dict[tuple[int, str], list[int]] = defaultdict(list)
        for index, applicant in enumerate(applicants):
            listing = applicant.get("/api/v1/applications", params={"limit": 100}).json()["items"]
            for app in listing:
                stored[(index, app["case_no"])].append(app["id"])
        lost = sum(1 for i, case_no in jobs if not stored.get((i, case_no)))
        duplicated = sum(len(ids) - 1 for ids in stored.values() if len(ids) > 1)
        event_ids = defaultdict(set)
        for event in events:
            event_ids[event["application_id"]].add(event["event_id"])
        stored_ids = {app_id for ids in stored.values() for app_id in ids}
        events_lost = len(stored_ids - set(event_ids))
        events_duplicated = sum(1 for ids in event_ids.values() if len(ids) > 1)

        p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan")
        print(f"[bench] database: {'PostgreSQL' if stack.env.get('DATABASE_URL') else 'SQLite'}")
        print(f"[bench] {len(jobs)} submissions by {APPLICANTS} concurrent applicants in {wall:.2f} s")
        print(f"[bench] statuses: {dict(statuses)}")
        print(f"[bench] submissions/s: {statuses.get(201, 0) / wall:.1f}")
        print(f"[bench] latency p50: {p50:.0f} ms  p99: {p99:.0f} ms")
        print(f"[bench] lost: {lost}  duplicated: {duplicated}")
        print(f"[bench] events lost: {events_lost}  events duplicated: {events_duplicated}")
        ok = statuses.get(201, 0) == len(jobs) and not (lost or duplicated or events_lost or events_duplicated)
        return 0 if ok else 1
    finally:
        stop_private_stack(stack)


if __name__ == "__main__":
    raise SystemExit(main())
