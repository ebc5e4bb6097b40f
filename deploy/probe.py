"""Readiness probe of a nameko service: ``python -m deploy.probe identity`` (compose's
healthcheck). Asks the process itself, on its metrics listener's ``/readyz``
(services/common/infra/probes.py), whether every consumer it runs is consuming; exit status 0
when it is. No broker round trip: the answer is about this process, not about whichever
replica would have answered a ``ping``, and no reply queue is declared for it.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.probe SERVICE", file=sys.stderr)
        return 2
    service = argv[0]
    port = int(os.environ.get("METRICS_PORT") or 9100)
    timeout = float(os.environ.get("PROBE_TIMEOUT", "5"))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=timeout) as response:
            return 0 if json.load(response).get("status") == "ok" else 1
    except urllib.error.HTTPError as exc:  # 503: says which consumers are not consuming
        print(f"{service} not ready: {exc.read().decode(errors='replace').strip()}", file=sys.stderr)
    except (OSError, ValueError) as exc:
        print(f"{service} not ready: {type(exc).__name__}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
