"""``python -m benchmarks`` (``make bench``): every benchmark in turn, each printing its numbers.

Each starts a stack of its own on loopback, bounded in time and count. Run on a quiet
machine: the numbers are only as good as the machine is idle."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("bench_relation", "bench_submit", "bench_read", "bench_pages", "bench_year", "bench_cluster")


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    failed = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        failed |= subprocess.run([sys.executable, "-m", f"benchmarks.{name}"]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
