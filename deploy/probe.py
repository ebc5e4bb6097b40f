"""Readiness probe of a nameko service: ``python -m deploy.probe identity``.

Asks the service to answer ``ping`` over the broker within a few seconds; exit status 0
when it does. It proves the broker is reachable and the service's queue is consumed (by
some replica); the pod's own liveness is its metrics listener's ``/healthz``.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # before kombu/ssl imports (NAMEKO-NOTES P15)

import os  # noqa: E402
import sys  # noqa: E402

from nameko.standalone.rpc import ClusterRpcClient  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.probe SERVICE", file=sys.stderr)
        return 2
    service = argv[0]
    timeout = float(os.environ.get("PROBE_TIMEOUT", "5"))
    try:
        with eventlet.Timeout(timeout + 2), ClusterRpcClient(uri=os.environ["AMQP_URI"], timeout=timeout) as rpc:
            reply = getattr(rpc, service).ping()
    except BaseException as exc:  # noqa: BLE001 - any failure is "not ready"; the reason, not a traceback
        print(f"{service} not ready: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0 if reply.get("status") == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
