"""What the project declares on every RabbitMQ vhost it uses, with its limits explicit.

One policy, ``court-events``, on the consumers' event queues (not their retry and dead-letter
queues): a message the broker has handed out ``DELIVERY_LIMIT`` times without an answer
(a process that dies on it each time) is dead-lettered to ``court.dead-letters`` instead
of being returned for ever, or, on RabbitMQ 4's quorum queues, silently discarded after
its default of 20. Handler errors never reach that limit: ``services.common.events``
acknowledges them only once they wait in a retry queue.

Applied with ``rabbitmqctl`` by the local stack (``deploy/stack.py``), and through the
management API by ``python -m services.common.broker`` in the production shapes (the
migration job), both from this one definition.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from typing import Any

from services.common.events import BROKER_DEAD_LETTER_EXCHANGE, DELIVERY_LIMIT

POLICY_NAME = "court-events"
# nameko's event queues, evt-<source>-<event>--<service>.<method>, but not the retry
# (….retry-<n>s) and dead-letter (….dead) queues beside them
POLICY_PATTERN = r"^evt-(?!.*\.(dead|retry-\d+s)$)"
POLICY_DEFINITION: dict[str, Any] = {
    "delivery-limit": DELIVERY_LIMIT,
    "dead-letter-exchange": BROKER_DEAD_LETTER_EXCHANGE,
}


def apply_with_rabbitmqctl(vhost: str, ctl: list[str] | None = None, env: dict[str, str] | None = None) -> None:
    """The local broker, through its command-line tool (idempotent). ``ctl`` and ``env``
    aim it at another node (the cluster's own, ``deploy/cluster.py``: its name and cookie)."""
    if ctl is None:
        found = shutil.which("rabbitmqctl")
        if found is None:
            raise RuntimeError("rabbitmqctl not found")
        ctl = [found]
    subprocess.run(
        [
            *ctl,
            "-q",
            "set_policy",
            "-p",
            vhost,
            "--apply-to",
            "queues",
            POLICY_NAME,
            POLICY_PATTERN,
            json.dumps(POLICY_DEFINITION),
        ],
        check=True,
        capture_output=True,
        timeout=60,
        env=env,
    )


def apply_with_management_api(management_url: str, vhost: str, user: str, password: str) -> None:
    """A broker whose management API answers (the production cluster)."""
    import requests

    path = f"/api/policies/{urllib.parse.quote(vhost, safe='')}/{POLICY_NAME}"
    response = requests.put(
        management_url.rstrip("/") + path,
        json={"pattern": POLICY_PATTERN, "definition": POLICY_DEFINITION, "apply-to": "queues", "priority": 1},
        auth=(user, password),
        timeout=30,
    )
    response.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="declare the broker policy of the event queues on AMQP_URI's vhost")
    parser.add_argument(
        "--management-url", default=os.environ.get("RABBITMQ_MANAGEMENT_URL"), help="e.g. http://rabbitmq:15672"
    )
    args = parser.parse_args(argv)
    uri = urllib.parse.urlparse(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    vhost = urllib.parse.unquote(uri.path.lstrip("/")) or "/"
    if args.management_url:
        apply_with_management_api(args.management_url, vhost, uri.username or "guest", uri.password or "guest")
    else:
        apply_with_rabbitmqctl(vhost)
    print(f"policy {POLICY_NAME} set on vhost {vhost}: {json.dumps(POLICY_DEFINITION)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
