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

The same setup step, run with the broker's administrator, declares what the services
share but none of them may configure (``declare_shared``: every service's event exchange,
so a consumer can bind to it before its publisher first starts, and the delivery limit's
``court.dead-letters``), and gives each service its own broker user (``BROKER_USERS``),
with the configure/write/read regexes and the ``nameko-rpc`` topic permissions that
``services.common.topology`` derives from the names it knows. A service's password comes
from ``BROKER_PASSWORD_<SERVICE>`` (the production shapes' secrets) and is handed to
``rabbitmqctl`` on its standard input, never on a command line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Mapping
from typing import Any

from services.common import topology
from services.common.events import BROKER_DEAD_LETTER_EXCHANGE, DELIVERY_LIMIT

POLICY_NAME = "court-events"
# nameko's event queues, evt-<source>-<event>--<service>.<method>, but not the retry
# (….backoff-<n>s, and ….retry-<n>s on vhosts made by older versions) and dead-letter
# (….dead) queues beside them
POLICY_PATTERN = r"^evt-(?!.*\.(dead|retry-\d+s|backoff-\d+s)$)"
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


def declare_shared(amqp_uri: str) -> None:
    """Declare, as the administrator, the exchanges and the queue that services use but
    may not configure (idempotent; the same arguments the services' own code uses)."""
    from kombu import Connection, Exchange

    from services.common.events import broker_dead_letters

    with Connection(amqp_uri, connect_timeout=10) as connection:
        channel = connection.channel()
        for name in topology.event_exchanges():
            Exchange(name, type="topic", durable=True).bind(channel).declare()
        broker_dead_letters().bind(channel).declare()


def service_passwords(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The services' broker passwords given as BROKER_PASSWORD_<SERVICE>; a missing one is
    an error when any is given (a half-made set of users would refuse services at start)."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    found = {user: env.get(f"BROKER_PASSWORD_{user.upper()}", "") for user in topology.BROKER_USERS}
    given = {user: password for user, password in found.items() if password}
    if given and len(given) != len(found):
        missing = sorted(f"BROKER_PASSWORD_{user.upper()}" for user in found if user not in given)
        raise SystemExit("broker users: set every service's password, missing " + ", ".join(missing))
    return given


def apply_users_with_rabbitmqctl(
    vhost: str, passwords: dict[str, str], ctl: list[str], env: dict[str, str] | None = None
) -> None:
    """Each service's user on ``vhost``, its password set (from standard input) and its
    permissions replaced by topology's. Idempotent."""

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*ctl, "-q", *args], input=stdin, check=True, capture_output=True, text=True, timeout=60, env=env
        )
        return done.stdout

    existing = {line.split()[0] for line in run("list_users").splitlines() if line.strip()}
    for user, password in passwords.items():
        run("change_password" if user in existing else "add_user", user, stdin=password)
        permissions = topology.broker_permissions(user)
        run("set_permissions", "-p", vhost, user, permissions["configure"], permissions["write"], permissions["read"])
        topic = topology.rpc_topic_permissions(user)
        run("set_topic_permissions", "-p", vhost, user, topic["exchange"], topic["write"], topic["read"])


def apply_users_with_management_api(
    management_url: str, vhost: str, admin: tuple[str, str], passwords: dict[str, str]
) -> None:
    import requests

    base = management_url.rstrip("/") + "/api"
    quoted = urllib.parse.quote(vhost, safe="")
    for user, password in passwords.items():
        name = urllib.parse.quote(user, safe="")
        calls = [
            (f"/users/{name}", {"password": password, "tags": ""}),
            (f"/permissions/{quoted}/{name}", topology.broker_permissions(user)),
            (f"/topic-permissions/{quoted}/{name}", topology.rpc_topic_permissions(user)),
        ]
        for path, body in calls:
            response = requests.put(base + path, json=body, auth=admin, timeout=30)
            if response.status_code >= 400:  # the body may echo what was sent: not shown
                raise SystemExit(f"broker users: the management API answered {response.status_code} for {user}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="declare the event queues' policy, the shared exchanges and the services' users on AMQP_URI's vhost"
    )
    parser.add_argument(
        "--management-url", default=os.environ.get("RABBITMQ_MANAGEMENT_URL"), help="e.g. http://rabbitmq:15672"
    )
    args = parser.parse_args(argv)
    amqp_uri = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    uri = urllib.parse.urlparse(amqp_uri.split(";")[0])
    vhost = urllib.parse.unquote(uri.path.lstrip("/")) or "/"
    passwords = service_passwords()
    admin = (urllib.parse.unquote(uri.username or "guest"), urllib.parse.unquote(uri.password or "guest"))
    if args.management_url:
        apply_with_management_api(args.management_url, vhost, *admin)
        if passwords:
            apply_users_with_management_api(args.management_url, vhost, admin, passwords)
    else:
        apply_with_rabbitmqctl(vhost)
        if passwords:
            found = shutil.which("rabbitmqctl")
            if found is None:
                raise RuntimeError("rabbitmqctl not found")
            apply_users_with_rabbitmqctl(vhost, passwords, [found])
    declare_shared(amqp_uri)
    print(f"policy {POLICY_NAME} set on vhost {vhost}: {json.dumps(POLICY_DEFINITION)}")
    print(f"shared exchanges declared: {', '.join(topology.event_exchanges())}, {BROKER_DEAD_LETTER_EXCHANGE}")
    if passwords:
        print(f"broker users with their own rights: {', '.join(sorted(passwords))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
