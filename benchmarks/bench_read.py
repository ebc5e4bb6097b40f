"""The authenticated read against an in-process baseline, in the same run.

``python -m benchmarks.bench_read`` starts a stack of its own (a temporary DATA_DIR, a free
loopback port, its own RabbitMQ vhost; SQLite unless DATABASE_URL is set), lets a party
submit an application, and then, in turns, loads for ``BENCH_READ_SECONDS`` (default 8)
at 32 kept-alive connections (benchmarks.loader):

- the measured thing: the application's detail through the gateway with the reader's
  bearer token (``GET /api/v1/applications/<id>``: sign-in resolved, the actor signed
  for the call, one RPC to the applications service, which authorizes and reads);
- the baseline: a bare WSGI server (eventlet's, as the gateway's) in one process,
  answering the same JSON bytes from memory.

Each is run ``BENCH_READ_ROUNDS`` (3) times, alternating, so that both see the same
machine; the ratio of the rates and p50/p99 are printed per round, with their spread, and
the CPU time the gateway and the applications service spent per read (what a busy
machine changes least).
Bounded in time; traffic only to 127.0.0.1.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.loader import load
from tests.support import Api, free_port, new_case_no, start_private_stack, stop_private_stack

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("BENCH_READ_SECONDS", 8))
ROUNDS = int(os.environ.get("BENCH_READ_ROUNDS", 3))
CONNECTIONS = 32
COURT = "广东省广州市天河区人民法院"

BASELINE = r"""
import sys
import eventlet
import eventlet.wsgi

body = open(sys.argv[2], "rb").read()
headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]


def app(environ, start_response):
    if not environ.get("HTTP_AUTHORIZATION"):
        start_response("401 Unauthorized", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", headers)
    return [body]


sock = eventlet.listen(("127.0.0.1", int(sys.argv[1])))
eventlet.wsgi.server(sock, app, log_output=False, max_size=1000)
"""


def prepare(stack) -> tuple[str, str, bytes]:
    """A party with one application; returns its path, the bearer token and the answer."""
    admin = stack.admin_api()
    reader = Api(stack.base_url)
    id_number = reader.register("party", name="测试当事人")["id_number"]
    case_no = new_case_no()
    party = {"name": reader.user["name"], "id_number": id_number, "side": "原告"}
    case = {"case_no": case_no, "court": COURT, "cause": "买卖合同纠纷", "status": "in_trial",
            "has_electronic_dossier": True, "parties": [party], "lawyers": []}  # fmt: skip
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    created = reader.post("/api/v1/applications", json=body)
    assert created.status_code == 201, created.text
    path = f"/api/v1/applications/{created.json()['id']}"
    answer = reader.get(path)
    assert answer.status_code == 200, answer.text
    return path, reader.token, answer.content


def start_baseline(answer: bytes, folder: Path) -> tuple[subprocess.Popen, str]:
    body = folder / "answer.json"
    body.write_bytes(answer)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", BASELINE, str(port), str(body)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            import urllib.request

            request = urllib.request.Request(url + "/", headers={"Authorization": "Bearer x"})
            urllib.request.urlopen(request, timeout=1).read()
            return server, url
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise SystemExit("the baseline server did not start") from None
            time.sleep(0.1)


def cpu_seconds(stack, names: tuple[str, ...]) -> dict[str, float]:
    """CPU time (user + system) each of the stack's processes has used so far."""
    return {name: process_cpu(int((stack.data_dir / "run" / f"{name}.pid").read_text())) for name in names}


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} (from {min(values):.2f} to {max(values):.2f})"


def main() -> int:
    print("[bench] starting a stack of its own…", flush=True)
    stack = start_private_stack("bench-read-")
    server = None
    try:
        path, token, answer = prepare(stack)
        server, baseline_url = start_baseline(answer, stack.data_dir)
        headers = {"Authorization": f"Bearer {token}"}
        load(stack.base_url + path, 2, CONNECTIONS, headers)  # warm: workers, connections, caches
        rows, ratios, tails = [], [], []
        processes = ("gateway", "applications")
        cpu = {name: [] for name in processes}
        for round_no in range(1, ROUNDS + 1):
            base = load(baseline_url + path, SECONDS, CONNECTIONS, headers)
            before = cpu_seconds(stack, processes)
            read = load(stack.base_url + path, SECONDS, CONNECTIONS, headers)
            after = cpu_seconds(stack, processes)
            for name in processes:
                cpu[name].append((after[name] - before[name]) / read["requests"] * 1000)
            if set(read["statuses"]) != {"200"}:
                raise SystemExit(f"the gateway answered {read['statuses']}")
            ratios.append(read["rate"] / base["rate"])
            tails.append(read["p99"] / read["p50"])
            for name, r in (
                ("baseline: bare WSGI, same JSON from memory", base),
                ("application detail, gateway", read),
            ):
                rows.append(
                    f"| {round_no} | {name} | {r['requests']} | {r['rate']:.0f}/s | "
                    f"{r['p50'] * 1000:.1f} ms | {r['p99'] * 1000:.1f} ms |"
                )
        print()
        print(f"{CONNECTIONS} connections, {SECONDS:.0f} s each, {os.cpu_count()} CPUs "
              f"(load average {os.getloadavg()[0]:.1f}), "
              f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}")  # fmt: skip
        print()
        print("| round | measure | requests | rate | p50 | p99 |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
        print()
        print(f"authenticated read / baseline: {spread(ratios)}  (target ≥ 0.5)")
        print(f"authenticated read p99 / p50: {spread(tails)}  (target ≤ 4)")
        print("CPU per authenticated read (ms): " + ", ".join(f"{name} {spread(cpu[name])}" for name in processes))
    finally:
        if server is not None:
            server.kill()
            server.wait()
        stop_private_stack(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
