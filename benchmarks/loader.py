"""A bounded HTTP load on loopback: ``connections`` kept-alive connections, each asking one
GET again and again for ``seconds``, spread over a few processes so the client is not the
bottleneck. Used by the benchmarks to load the gateway and their in-process baselines alike.

``python -m benchmarks.loader URL SECONDS CONNECTIONS [HEADER=VALUE ...]`` prints one line
of JSON: the answers, their statuses and every latency in seconds."""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

PROCESSES = 4


def _worker(url: str, deadline: float, headers: dict[str, str], latencies: list[float], statuses: dict) -> None:
    parts = urlsplit(url)
    assert parts.hostname in ("127.0.0.1", "localhost"), "loopback only"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            status = 0
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    connection.close()


def _run_here(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    threads = [
        threading.Thread(target=_worker, args=(url, deadline, headers, latencies, statuses)) for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "statuses": statuses}


def load(url: str, seconds: float, connections: int, headers: dict[str, str] | None = None) -> dict:
    """Load ``url`` for ``seconds`` over ``connections`` connections; returns rate, p50, p99
    and the statuses seen."""
    headers = headers or {}
    processes = min(PROCESSES, connections)
    each = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    args = [f"{k}={v}" for k, v in headers.items()]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.loader", url, str(seconds), str(n), *args],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in each
    ]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    for child in children:
        out, _ = child.communicate(timeout=seconds + 60)
        result = json.loads(out)
        latencies += result["latencies"]
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rate": len(ordered) / seconds,  # each child loads for exactly ``seconds``
        "p50": statistics.median(ordered) if ordered else float("nan"),
        "p99": ordered[int(0.99 * (len(ordered) - 1))] if ordered else float("nan"),
        "statuses": statuses,
    }


if __name__ == "__main__":
    target, duration, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    extra = dict(arg.split("=", 1) for arg in sys.argv[4:])
    print(json.dumps(_run_here(target, duration, count, extra)))
