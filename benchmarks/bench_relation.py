"""The relation RPC (what is this user to this case?) under load.

``python -m benchmarks.bench_relation`` starts a stack of its own (a temporary DATA_DIR, a
free loopback port, its own RabbitMQ vhost; SQLite unless DATABASE_URL is set), loads
100,000 cases through court IT's file import, then runs 32 concurrent callers of
``case_binding.relation`` for a bounded time (``BENCH_SECONDS``, default 20) and prints
calls per second and p50/p99 latency. Callers are 4 processes x 8 green threads calling
through nameko's ``ClusterRpc`` as the services do, asking as a party of the case, a
lawyer of record, or a lawyer with no relation, in equal parts. Traffic goes only to the local broker.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("BENCH_CASES", 100_000))
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
PROCESSES, GREENLETS = 4, 8  # 32 concurrent callers
COURT = "广东省广州市天河区人民法院"


def id_number(i: int) -> str:
    from services.common.court.people import id_check_digit

    body = f"440106{1950 + i % 50}0101{i % 1000:03d}"
    return body + id_check_digit(body)


def case_no(i: int) -> str:
    return f"（2024）粤0106民初{i + 1}号"


def feed(count: int) -> dict:
    return {
        "cases": [
            {
                "case_no": case_no(i),
                "court": COURT,
                "cause": "民间借贷纠纷",
                "status": "archived" if i % 5 == 0 else "in_trial",
                "has_electronic_dossier": i % 2 == 0,
                "parties": [
                    {"name": f"原告{i}", "id_number": id_number(i), "side": "原告"},
                    {"name": f"被告{i}", "id_number": id_number(i + 7), "side": "被告"},
                ],
                "lawyers": [{"name": f"律师{i}", "license_no": f"14401201{i:09d}", "party_name": f"原告{i}"}],
            }
            for i in range(count)
        ]
    }


def actor_for(kind: int, i: int) -> dict:
    known = {"court": None, "verified": True}
    if kind == 0:
        return {"id": i + 1, "role": "party", "name": f"原告{i}", "id_number": id_number(i), **known}
    license_no = f"14401201{i:09d}" if kind == 1 else "14401299999999999"
    return {"id": 10**7 + i, "role": "lawyer", "name": f"律师{i}", "license_no": license_no, **known}


def worker(uri: str, seconds: float, seed: int, method: str = "relation") -> None:
    """One process of callers: prints its latencies (ms) as JSON on stdout. ``ping`` is the
    baseline: the same clients and round trips with no work behind them.

    The callers are workers of a nameko service hosted here, calling through ``ClusterRpc``
    exactly as the gateway and the applications service do: one long-lived reply consumer
    per process. (A standalone ``ClusterRpcClient`` declares and cancels a consumer for every
    reply it waits for, which measures the client rather than the service.)"""
    import eventlet

    eventlet.monkey_patch()
    import random

    from nameko import config
    from nameko.containers import ServiceContainer
    from nameko.extensions import Entrypoint
    from nameko.rpc import ClusterRpc

    from services.common.infra import actor as statements

    # the callers sign the end user as the gateway does (services/common/infra/actor.py)
    signing_key = statements.load_signing_key(os.environ["GATEWAY_ACTOR_SIGNING_KEY"])

    def signed(actor: dict) -> str:
        target = "case_binding.relation"
        return statements.sign(signing_key, statements.claims_for(target, actor), target)

    class Caller:
        name = f"bench_caller_{seed}"
        rpc = ClusterRpc(timeout=10)

        @Entrypoint.decorator
        def call(self, kind: int, i: int) -> None:
            if method == "ping":
                self.rpc.case_binding.ping()
                return
            answer = self.rpc.case_binding.relation(actor=signed(actor_for(kind, i)), case_no=case_no(i))
            assert answer["relation"] == ("party", "lawyer_of_record", "none")[kind]

    rng = random.Random(seed)
    latencies: list[float] = []
    errors = [0]

    with config.patch({"AMQP_URI": uri, "max_workers": GREENLETS + 2}, clear=True):
        container = ServiceContainer(Caller)
        container.start()
        (entrypoint,) = [e for e in container.entrypoints if e.method_name == "call"]

        def call(kind: int, i: int) -> None:
            done = eventlet.event.Event()

            def handle_result(worker_ctx, result, exc_info):
                done.send(exc_info)
                return result, exc_info

            container.spawn_worker(entrypoint, (kind, i), {}, handle_result=handle_result)
            if done.wait() is not None:
                raise RuntimeError("call failed")

        def caller() -> None:
            call(0, rng.randrange(CASES))  # warm the reply queue before the clock starts
            start.wait()
            while time.monotonic() < deadline:
                i, kind = rng.randrange(CASES), rng.randrange(3)
                began = time.perf_counter()
                try:
                    call(kind, i)
                except Exception:
                    errors[0] += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)

        start = eventlet.event.Event()
        threads = [eventlet.spawn(caller) for _ in range(GREENLETS)]
        eventlet.sleep(2)
        deadline = time.monotonic() + seconds
        start.send(True)
        for thread in threads:
            thread.wait()
        container.stop()
    print(json.dumps({"latencies": latencies, "errors": errors[0]}))


def run_callers(uri: str, env: dict, method: str) -> list[dict]:
    callers = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.bench_relation", "--worker", uri, str(SECONDS), str(n), method],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    return [json.loads(p.communicate(timeout=SECONDS + 120)[0].strip().splitlines()[-1]) for p in callers]


def summarise(results: list[dict]) -> tuple[float, float, float, int]:
    latencies = sorted(ms for r in results for ms in r["latencies"])
    errors = sum(r["errors"] for r in results)
    if not latencies:
        raise SystemExit(f"no successful calls ({errors} errors)")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / SECONDS, statistics.median(latencies), p99, errors


def main() -> int:
    from tests.support import start_private_stack, stop_private_stack

    stack = start_private_stack("bench-relation-")
    env, data_dir = stack.env, stack.data_dir
    try:
        path = data_dir / "feed.json"
        path.write_text(json.dumps(feed(CASES), ensure_ascii=False), "utf-8")
        began = time.monotonic()
        load = subprocess.run(
            [sys.executable, "-m", "services.case_binding.cli", "import-cases", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if load.returncode != 0:
            raise SystemExit("loading the cases failed: " + load.stderr[-2000:])
        print(f"loaded {CASES} cases in {time.monotonic() - began:.1f} s ({load.stdout.strip()})", flush=True)
        callers_env = dict(env, GATEWAY_ACTOR_SIGNING_KEY=stack.state()["actor_signing_key"])
        results = {method: run_callers(stack.amqp_uri, callers_env, method) for method in ("ping", "relation")}
    finally:
        stop_private_stack(stack)
    summary = {method: summarise(found) for method, found in results.items()}
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    for method, (rate, p50, p99, errors) in summary.items():
        print(
            f"{method:8} {PROCESSES * GREENLETS} concurrent callers, {CASES} cases, {SECONDS:.0f} s, {database}: "
            f"{rate:.0f} calls/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} errors"
        )
    print(f"relation / ping throughput: {summary['relation'][0] / summary['ping'][0]:.2f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        worker(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        sys.exit(0)
    sys.exit(main())
