"""A process asked for work the moment it starts keeps running. nameko starts a service's
HTTP server and its consumers beside the consumer of its RPC replies; a request sent before
that consumer first connected was answered into a queue that did not exist yet, and the
consumer, connecting, took the still-pending reply for a lost one and stopped the whole
process: a gateway asked for /healthz as it started died (services.common.infra.rpc)."""

from __future__ import annotations

import subprocess
import sys
import threading

import requests

STARTS = 3


def test_a_gateway_asked_for_its_health_as_it_starts_keeps_running(stack):
    for start in range(STARTS):
        stack.stop("gateway")
        stop, answers = threading.Event(), []

        def ask_for_health(stop: threading.Event = stop, answers: list = answers) -> None:
            # from the first moment the port takes connections, as a proxy's health check would
            session = requests.Session()
            while not stop.is_set():
                try:
                    answers.append(session.get(stack.base_url + "/healthz", timeout=10).status_code)
                except requests.RequestException:
                    stop.wait(0.002)

        askers = [threading.Thread(target=ask_for_health) for _ in range(4)]
        for asker in askers:
            asker.start()
        try:
            up = subprocess.run(
                [sys.executable, "deploy/stack.py", "up"], cwd=stack.root, env=stack.env, capture_output=True, text=True
            )
        finally:
            stop.set()
            for asker in askers:
                asker.join()
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        log = stack.log("gateway")
        assert "Lost replies" not in log, f"start {start + 1}: the gateway stopped on its first requests"
        assert answers and set(answers) <= {200, 503}, answers
        assert requests.get(stack.base_url + "/healthz", timeout=10).status_code == 200
