"""Observability end to end: metrics on every process, the request id in every service a
request touched, JSON log lines, and no secret in any log line of the whole run."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from services.common.infra import metrics
from tests.support import (
    Api,
    StackHandle,
    assert_error,
    create_staff,
    free_port,
    make_pdf,
    new_case_no,
    new_id_number,
    new_party,
    new_phone,
    wait_until,
)

SERVICES = ("identity", "case_binding", "applications", "review", "dossier")
NAMEKO_PROCESSES = (*SERVICES, "gateway")
SERVICE_METRICS = [
    m._name + ("_total" if m._type == "counter" else "")  # noqa: SLF001
    for m in vars(metrics).values()
    if hasattr(m, "_type") and hasattr(m, "_labelnames")
]
GATEWAY_METRICS = (
    "gateway_http_requests_total",
    "gateway_http_request_duration_seconds",
    "gateway_rpc_calls_total",
    "gateway_rpc_duration_seconds",
)
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
UNREDACTED = re.compile(
    r"(?i)X-Amz-Signature=(?!\[REDACTED\])|/r/(?!\[REDACTED\])[A-Za-z0-9_-]{8,}|bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{16,}"
)


def metrics_port(stack: StackHandle, service: str) -> int:
    return int((stack.data_dir / "run" / f"{service}.metrics-port").read_text())


def scrape(url: str) -> dict[str, float]:
    """Prometheus text → {sample line without value: value}."""
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return {"_text": response.text, **samples}  # type: ignore[dict-item]


def families(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def sample(samples: dict, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for key, value in samples.items():
        if key.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in key for k, v in labels.items()):
            total += value
    return total


def loopback_only(port: int) -> bool:
    """Whether every listening socket on ``port`` is bound to 127.0.0.1."""
    hexport = f":{port:04X}"
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if local.endswith(hexport) and state == "0A":  # LISTEN
                found.append(local.split(":")[0])
    return bool(found) and all(addr == "0100007F" for addr in found)


def json_lines(text: str) -> list[dict]:
    entries = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                pass
    return entries


def find_secrets(logs: dict[str, str], known: list[str]) -> list[str]:
    found = []
    for name, text in logs.items():
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{name}.log:{number}"
            if ID_NUMBER.search(line):  # the number itself masked, so the report leaks nothing
                found.append(f"{where}: an ID number: {ID_NUMBER.sub('<ID>', line)[:400]}")
            if UNREDACTED.search(line):
                found.append(f"{where}: a signature, link token or bearer token")
            found.extend(f"{where}: a password or token used by the tests" for secret in known if secret in line)
    return found


@pytest.fixture(scope="session")
def secrets_used(stack):
    """Secrets this run handed to the stack; at the end of the session every log line of
    every process is searched for them and for anything shaped like one."""
    state = stack.state()
    known = [stack.env["BOOTSTRAP_ADMIN_PASSWORD"], "Reader-2024", "Staff-2024x"]
    known += [state[key] for key in ("s3_secret_key",) if state.get(key)]
    yield known
    leaks = find_secrets(stack.logs(), known)
    assert not leaks, "secrets in the logs of the run:\n" + "\n".join(leaks[:20])


def test_metrics_request_id_and_clean_logs(stack, secrets_used):
    request_id = "obs-" + secrets.token_hex(8)
    traced = {"X-Request-Id": request_id}
    client = Api(stack.base_url)
    data = {
        "phone": new_phone(),
        "password": "Obs-" + secrets.token_hex(6),
        "name": "观测用户",
        "id_number": new_id_number("19491231"),
        "role": "party",
    }
    secrets_used.extend([data["password"], data["id_number"], data["phone"]])  # a phone is masked too
    data["sms_code"] = client.sms_code(data["phone"], "register")

    # One pass through the flows that every stack has: sign up, sign in (wrong, then right), me.
    response = client.post("/api/v1/auth/register", json=data, headers=traced)
    assert response.status_code == 201, response.text
    assert response.headers["X-Request-Id"] == request_id
    assert_error(
        client.post("/api/v1/auth/login", json={"phone": data["phone"], "password": "Wrong-pass1"}, headers=traced),
        401,
        "invalid_credentials",
    )
    response = client.post("/api/v1/auth/login", json={"phone": data["phone"], "password": data["password"]})
    assert response.status_code == 200
    token = response.json()["token"]
    secrets_used.append(token)
    client.token = token
    me = client.get("/api/v1/me", headers=traced)
    assert me.status_code == 200 and me.headers["X-Request-Id"] == request_id
    assert client.post("/api/v1/auth/logout", headers=traced).status_code == 204

    # A request id that is not plain and short is replaced, not echoed; every answer has one.
    for bad in ("x" * 65, "a b", "<script>"):
        got = requests.get(stack.base_url + "/healthz", headers={"X-Request-Id": bad}, timeout=10)
        assert got.headers["X-Request-Id"] != bad and re.fullmatch(r"[0-9a-f-]{36}", got.headers["X-Request-Id"])
    missing = requests.get(stack.base_url + "/no/such/page", timeout=10)
    assert missing.status_code == 404 and missing.headers["X-Request-Id"]

    # The gateway: HTTP requests and latency per route, RPC calls per service and method.
    gateway = scrape(stack.base_url + "/metrics")
    assert set(GATEWAY_METRICS) <= families(gateway["_text"])
    assert sample(gateway, "gateway_http_requests_total", route="/api/v1/auth/register", status="201") >= 1
    assert sample(gateway, "gateway_http_request_duration_seconds_count", route="/api/v1/me") >= 1
    assert sample(gateway, "gateway_rpc_calls_total", service="identity", method="login", outcome="domain_error") >= 1

    # Every service: its own port on loopback, every metric defined in services.common.infra.metrics.
    for service in SERVICES:
        port = metrics_port(stack, service)
        assert loopback_only(port), f"{service} metrics port {port} is not on loopback only"
        alive = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert alive.status_code == 200 and alive.json()["status"] == "ok", alive.text
        # ready: every consumer of the process (RPC queue, event handlers) is consuming
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
        assert ready["status"] == "ok" and ready["consumers"] >= 1 and ready["not_consuming"] == [], ready
        scraped = scrape(f"http://127.0.0.1:{port}/metrics")
        missing_names = set(SERVICE_METRICS) - families(scraped["_text"])
        assert not missing_names, f"{service} lacks {missing_names}"
        # /healthz pinged every service while the stack came up.
        assert sample(scraped, "court_rpc_calls_total", service=service, method="ping") >= 1
    identity = scrape(f"http://127.0.0.1:{metrics_port(stack, 'identity')}/metrics")
    for method in ("register", "login", "me", "logout"):
        assert sample(identity, "court_rpc_calls_total", service="identity", method=method) >= 1, method
        assert sample(identity, "court_rpc_duration_seconds_count", service="identity", method=method) >= 1
    assert sample(identity, "court_rpc_errors_total", service="identity", method="login", kind="refused") >= 1
    # Logout announces session_revoked to every gateway: counted without a line in identity.
    assert sample(identity, "court_events_published_total", service="identity", event_type="session_revoked") >= 1

    # The request id in the JSON log lines of every process the request touched.
    deadline = time.monotonic() + 10
    while True:
        logs = stack.logs()
        touched = {
            name: [e for e in json_lines(logs.get(name, "")) if e.get("request_id") == request_id]
            for name in ("gateway", "identity")
        }
        if all(touched.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    identity_lines = " ".join(e["msg"] for e in touched["identity"])
    for method in ("register", "login", "me", "logout"):
        assert f"identity.{method}" in identity_lines, (method, touched["identity"])
    assert all(e["service"] == "identity" and e["level"] for e in touched["identity"])
    gateway_lines = " ".join(e["msg"] for e in touched["gateway"])
    assert "POST /api/v1/auth/register 201" in gateway_lines and "GET /api/v1/me 200" in gateway_lines

    # Structured logs: every line a nameko process wrote is one JSON object.
    for name in NAMEKO_PROCESSES:
        lines = [line for line in logs.get(name, "").splitlines() if line.strip()]
        assert lines, name
        not_json = [line for line in lines if not line.startswith("{")]
        assert not not_json, f"{name}.log has lines that are not JSON: {not_json[:3]}"

    leaks = find_secrets(logs, secrets_used)
    assert not leaks, leaks[:10]


def test_readiness_probe_asks_the_process_itself(stack):
    """deploy/probe.py, compose's readiness probe: the process's own /readyz, no broker."""

    def probe(service: str, port: int) -> subprocess.CompletedProcess:
        env = dict(os.environ, METRICS_PORT=str(port), PROBE_TIMEOUT="3")
        argv = [sys.executable, "-m", "deploy.probe", service]
        return subprocess.run(argv, cwd=stack.root, env=env, capture_output=True, text=True, timeout=60)

    for service in SERVICES:
        ready = probe(service, metrics_port(stack, service))
        assert ready.returncode == 0, ready.stderr
    nobody = probe("identity", free_port())  # a process that is not there is not ready
    assert nobody.returncode == 1 and "Traceback" not in nobody.stderr
    assert len(nobody.stderr.strip().splitlines()) == 1, nobody.stderr


# The court's own metrics (services/common/infra/metrics.py) that one pass through the flows must
# show on the process that owns each.
COURT_METRICS = (
    "court_review_pending",
    "court_review_oldest_pending_seconds",
    "court_review_oldest_pending_working_days",
    "court_review_decisions_total",
    "court_applications",
    "court_pages_served_total",
    "court_upload_bytes_total",
    "court_events_published_total",
    "court_events_consumed_total",
    "court_rpc_calls_total",
)


def court_metrics_expected(court: str) -> list[tuple[str, str, dict[str, str]]]:
    """(process, metric, labels); gauges are checked for this test's own court or a status."""
    return [
        ("review", "court_review_pending", {"court": court}),
        ("review", "court_review_oldest_pending_seconds", {"court": court}),
        ("review", "court_review_oldest_pending_working_days", {"court": court}),
        ("review", "court_review_decisions_total", {"court": court}),
        ("applications", "court_applications", {"status": "pending"}),
        ("applications", "court_applications", {"status": "approved"}),
        ("dossier", "court_pages_served_total", {"kind": "page"}),
        ("gateway", "court_upload_bytes_total", {"kind": "other"}),
        ("applications", "court_events_published_total", {"event_type": "application_submitted"}),
        ("review", "court_events_published_total", {"event_type": "application_decided"}),
        ("dossier", "court_events_published_total", {"event_type": "document_ingested"}),
        ("review", "court_events_consumed_total", {"event_type": "application_submitted", "outcome": "ok"}),
        ("dossier", "court_events_consumed_total", {"event_type": "application_decided", "outcome": "ok"}),
        ("applications", "court_events_consumed_total", {"event_type": "application_decided", "outcome": "ok"}),
        ("case_binding", "court_events_consumed_total", {"event_type": "document_ingested", "outcome": "ok"}),
        ("applications", "court_rpc_calls_total", {"method": "submit"}),
        ("review", "court_rpc_calls_total", {"method": "decide"}),
        ("dossier", "court_rpc_calls_total", {"method": "read_page"}),
        ("case_binding", "court_rpc_calls_total", {"method": "claim_relation"}),
        ("identity", "court_rpc_calls_total", {"method": "resolve_token"}),
    ]


def has_sample(samples: dict, name: str, labels: dict[str, str]) -> bool:
    """Whether a sample of ``name`` with these labels is exposed (a gauge may be 0)."""
    return any(key.split("{")[0] == name and all(f'{k}="{v}"' in key for k, v in labels.items()) for key in samples)


def test_court_metrics_after_one_pass_through_the_flows(stack, admin):
    court = "观测人民法院" + secrets.token_hex(3)  # this test's own labels on a shared stack
    clerk = create_staff(admin, "clerk", court=court)
    party = new_party(stack.base_url, name="观测当事人")
    online, waiting = new_case_no(), new_case_no()
    cases = [
        {
            "case_no": case_no,
            "court": court,
            "status": "in_trial",
            "has_electronic_dossier": False,
            "parties": [{"name": "观测当事人", "id_number": party.id_number, "side": "原告"}],
        }
        for case_no in (online, waiting)
    ]
    assert admin.post("/api/v1/admin/cases", json={"cases": cases}).status_code == 200
    ingested = admin.post(
        f"/api/v1/admin/cases/{online}/documents",
        files={"file": ("a.pdf", make_pdf(2), "application/pdf")},
        data={"volume": "正卷", "title": "起诉状"},
    )
    assert ingested.status_code == 201, ingested.text

    # Upload a material, submit two applications (one stays pending), decide one online.
    material = make_pdf(1, "Material")
    uploaded = party.post(
        "/api/v1/uploads", files={"file": ("m.pdf", material, "application/pdf")}, data={"kind": "other"}
    )
    assert uploaded.status_code == 201, uploaded.text
    ids = []
    traced = "trace-" + secrets.token_hex(8)  # one submission followed through every process
    for case_no in (online, waiting):
        body = {"case_no": case_no, "scope": "全案卷宗", "reason": "观测", "material_ids": []}
        headers = {"X-Request-Id": traced} if case_no == online else {}
        response = party.post("/api/v1/applications", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    decide = f"/api/v1/staff/applications/{ids[0]}/decision"
    decision = {"opinion": "approve", "mode": "online", "explanation": "同意"}
    # 404 until the submission reaches review, 409 until the ingestion reaches the case directory
    assert wait_until(lambda: clerk.post(decide, json=decision).status_code == 200), clerk.post(
        decide, json=decision
    ).text

    # Read a page, once the grant has reached the dossier service.
    page = f"/api/v1/applications/{ids[0]}/dossier/documents/{ingested.json()['id']}/pages/1"
    assert wait_until(lambda: party.get(page).status_code == 200), party.get(page).text

    # The submission's request id in the logs of every process it touched: the gateway, the
    # applications service, case_binding (the relation RPC), and review and dossier, which
    # took the application_submitted event from the outbox.
    def traced_in() -> set[str]:
        logs = stack.logs()
        return {
            name
            for name in ("gateway", "applications", "case_binding", "review", "dossier")
            if any(e.get("request_id") == traced for e in json_lines(logs.get(name, "")))
        }

    assert wait_until(lambda: len(traced_in()) == 5), traced_in()

    ports = {service: metrics_port(stack, service) for service in SERVICES}
    urls = {service: f"http://127.0.0.1:{port}/metrics" for service, port in ports.items()}
    urls["gateway"] = stack.base_url + "/metrics"
    expected = court_metrics_expected(court)

    def missing() -> list[str]:
        scraped = {process: scrape(url) for process, url in urls.items()}
        return [
            f"{process}: {name} {labels}"
            for process, name, labels in expected
            if not has_sample(scraped[process], name, labels)
        ]

    # Gauges refresh on timers (every second in this stack, REVIEW_/APPLICATIONS_GAUGE_SECONDS).
    assert wait_until(lambda: not missing(), seconds=20, interval=0.5), missing()

    # The timer may have sampled the queue before the decision landed: wait for a fresh sample.
    def pending() -> float:
        return sample(scrape(urls["review"]), "court_review_pending", court=court)

    assert wait_until(lambda: pending() == 1, seconds=20, interval=0.5), pending()  # the second still waits
    review = scrape(urls["review"])
    assert sample(review, "court_review_oldest_pending_seconds", court=court) >= 0
    assert sample(scrape(urls["gateway"]), "court_upload_bytes_total", kind="other") >= len(material)
    assert {name for _, name, _ in expected} == set(COURT_METRICS) <= set(SERVICE_METRICS)
