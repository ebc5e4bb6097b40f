"""The production shape on one machine: ``up`` (``make cluster-up``), ``down``, ``status``.

A RabbitMQ cluster of three nodes of its own (quorum queues, the event queues' policy),
two processes of the gateway and of every service, HAProxy on GATEWAY_PORT in front of
the gateways, the S3 server, and PostgreSQL from DATABASE_URL. Everything binds to and
advertises 127.0.0.1 only, and the machine's own RabbitMQ is never touched: the nodes
have their own names, ports, cookie, configuration and data under DATA_DIR.

Pid files are ``run/<name>-<n>.pid`` for replicas, ``run/rabbit-<n>.pid`` for broker nodes
and ``run/haproxy.pid``; ``up`` run again starts only what is down, so it heals the
cluster after a failure test has killed pieces of it. The process machinery (pid files,
logs, supervision, the S3 server, secrets) is ``deploy/stack.py``'s.

Least rights, as in production: every service (and the gateway) connects to the broker
as its own user (``services.common.infra.topology.broker_permissions``), to PostgreSQL as its
own role on its own schema (``services.common.infra.roles``; the migrations run as
DATABASE_URL's owner role) and to the S3 server with its own key pair allowed on its own
prefixes (``services.common.infra.topology.S3_GRANTS``). The passwords are made once per
DATA_DIR (run/stack.json, mode 0600). The operator's tools (migrations, ``deploy.admin``, the demo) keep the
administrator's credentials.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.stack import (  # noqa: E402
    ROOT,
    SERVICES,
    START_SECONDS,
    VENV_BIN,
    Stack,
    dispatch,
    free_port_block,
    port_open,
    rpc_consumers,
    say,
    wait_for,
)
from services.common.infra import topology  # noqa: E402

NODES = 3
REPLICAS = 2
BACKEND_SERVICES = [name for name in SERVICES if name != "gateway"]
# Seconds a broker node may take to boot; a loaded 2-core machine has needed 40.
NODE_START_SECONDS = 120.0


def rabbit_tool(name: str) -> str:
    """The real RabbitMQ script: Debian's /usr/sbin wrapper switches root to the rabbitmq
    user and its HOME, which would hand our nodes the machine broker's cookie."""
    real = Path("/usr/lib/rabbitmq/bin") / name
    if real.exists():
        return str(real)
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if not found:
        raise SystemExit(f"{name} is missing: install RabbitMQ (Debian's rabbitmq-server package)")
    return found


class Cluster(Stack):
    def __init__(self) -> None:
        super().__init__()
        self.rabbit_dir = self.data_dir / "rabbit"

    # -- the services' own credentials --------------------------------------------------
    def state(self) -> dict:
        """The stack's state, with a broker password, a database password and an S3 key
        pair per service made once for this DATA_DIR."""
        from services.common.infra.migrate import SERVICES as DATABASES
        from services.common.infra.topology import BROKER_USERS

        state = super().state()
        wanted = {
            "broker_passwords": {user: secrets.token_urlsafe(24) for user in BROKER_USERS},
            "db_passwords": {service: secrets.token_urlsafe(24) for service in DATABASES},
            "s3_keys": {name: [secrets.token_hex(10), secrets.token_urlsafe(30)] for name in topology.S3_GRANTS},
            "s3_heads_bucket": os.environ.get("S3_HEADS_BUCKET") or "court-heads",
        }
        missing = {key: value for key, value in wanted.items() if key not in state}
        if missing:
            state.update(missing)
            self._write_state(self.run_dir / "stack.json", state)
        return state

    def db_roles(self, owner_url: str | None = None) -> dict[str, tuple[str, str]]:
        """service -> (role, password): roles are the server's, not the database's, so
        their names carry the database's (a test's database beside others)."""
        import urllib.parse

        url = owner_url or os.environ["DATABASE_URL"]
        database = urllib.parse.urlsplit(url).path.lstrip("/") or "court"
        return {service: (f"{database}_{service}"[:63], pw) for service, pw in self.state()["db_passwords"].items()}

    def s3_identities(self, state: dict) -> dict:
        from services.common.infra.storage import bucket_name

        identities = super().s3_identities(state)
        bucket, heads = bucket_name(), state["s3_heads_bucket"]
        for name, (access, secret) in state["s3_keys"].items():
            identities["identities"].append(
                {
                    "name": name,
                    "credentials": [{"accessKey": access, "secretKey": secret}],
                    "actions": topology.s3_actions(name, bucket, heads),
                }
            )
        return identities

    def service_env(self, service: str, env: dict[str, str], first_node: int) -> dict[str, str]:
        """A process's environment with its own credentials instead of the administrator's."""
        from services.common.infra.roles import service_url

        state = self.state()
        own = dict(env, AMQP_URI=self.amqp_uri(first_node, user=service))
        if service == "gateway":
            own.pop("DATABASE_URL", None)
        else:
            role, password = self.db_roles(env["DATABASE_URL"])[service]
            own["DATABASE_URL"] = service_url(env["DATABASE_URL"], role, password)
        if service in state["s3_keys"]:
            own["S3_ACCESS_KEY"], own["S3_SECRET_KEY"] = state["s3_keys"][service]
        else:
            own.pop("S3_ACCESS_KEY", None)
            own.pop("S3_SECRET_KEY", None)
        return own

    # -- what is chosen once per DATA_DIR -----------------------------------------------
    def layout(self) -> dict:
        """Loopback ports of the broker nodes and the gateway replicas (run/cluster.json)."""
        path = self.run_dir / "cluster.json"
        if path.exists():
            return json.loads(path.read_text())
        self.run_dir.mkdir(parents=True, exist_ok=True)
        base = free_port_block(2 * NODES + REPLICAS)
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:10]
        layout = {
            "nodes": [
                {
                    "name": f"court-{digest}-{n}@localhost",
                    "amqp_port": base + 2 * (n - 1),
                    "dist_port": base + 2 * n - 1,
                }
                for n in range(1, NODES + 1)
            ],
            "gateway_ports": [base + 2 * NODES + i for i in range(REPLICAS)],
        }
        path.write_text(json.dumps(layout, indent=2))
        return layout

    def reserved_ports(self) -> set[int]:
        layout = self.layout()
        nodes = {port for node in layout["nodes"] for port in (node["amqp_port"], node["dist_port"])}
        return super().reserved_ports() | nodes | set(layout["gateway_ports"])

    def node(self, n: int) -> dict:
        return self.layout()["nodes"][n - 1]

    def cookie_home(self) -> Path:
        """A HOME holding the nodes' Erlang cookie (mode 0400): the servers and rabbitmqctl
        read it from there, so the cookie is never on a command line or in the environment."""
        home = self.rabbit_dir / "home"
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            home.mkdir(parents=True, exist_ok=True)
            fd = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(20))
        return home

    # -- environment --------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgresql"):
            raise SystemExit(
                "make cluster-up needs PostgreSQL: set DATABASE_URL=postgresql://… "
                "(two processes of each service share one database; SQLite files are for `make up`)"
            )
        env = super().environment()
        env["AMQP_URI"] = self.amqp_uri(0)
        # the access log's heads in a bucket of their own under object lock (storage.py)
        env.setdefault("S3_HEADS_BUCKET", self.state()["s3_heads_bucket"])
        return env

    def amqp_uri(self, first: int, user: str | None = None) -> str:
        """Every node, starting at node ``first`` (0-based): kombu fails over along the list
        when the node a process is connected to goes away, so replicas start on different
        nodes and spread the connections. ``user``: a service's own broker user (the
        administrator, guest, by default)."""
        state = self.state()
        vhost = state["vhost"]
        login = f"{user}:{state['broker_passwords'][user]}" if user else "guest:guest"
        ports = [node["amqp_port"] for node in self.layout()["nodes"]]
        ports = ports[first % NODES :] + ports[: first % NODES]
        return ";".join(f"amqp://{login}@127.0.0.1:{port}/{vhost}" for port in ports)

    def rabbit_env(self, n: int | None = None) -> dict[str, str]:
        """What a node (or, without ``n``, rabbitmqctl) reads instead of the machine's
        /etc/rabbitmq: its own configuration, plugins, data and cookie."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("RABBITMQ_", "ERL_"))}
        env_file = self.rabbit_dir / "rabbitmq-env.conf"
        if not env_file.exists():
            self.rabbit_dir.mkdir(parents=True, exist_ok=True)
            env_file.write_text("# the cluster's nodes take everything from their environment\n")
        env.update(HOME=str(self.cookie_home()), RABBITMQ_CONF_ENV_FILE=str(env_file), DATA_DIR=str(self.data_dir))
        if n is None:
            return env
        node = self.node(n)
        plugins = self.rabbit_dir / "enabled_plugins"
        plugins.write_text("[].\n")  # no management plugin: rabbitmqctl does what we need
        conf = self.rabbit_dir / f"rabbit-{n}.conf"
        conf.write_text(
            f"listeners.tcp.local = 127.0.0.1:{node['amqp_port']}\n"
            # a node cut off from the other two stops serving rather than diverge from them
            "cluster_partition_handling = pause_minority\n"
        )
        env.update(
            RABBITMQ_NODENAME=node["name"],
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(node["amqp_port"]),
            RABBITMQ_DIST_PORT=str(node["dist_port"]),
            RABBITMQ_MNESIA_BASE=str(self.rabbit_dir / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.log_dir / "rabbit"),
            RABBITMQ_LOGS="-",  # to stdout, which is logs/rabbit-<n>.log
            RABBITMQ_CONFIG_FILE=str(conf),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.rabbit_dir / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(plugins),
            ERL_EPMD_ADDRESS="127.0.0.1",
            # the distribution port on loopback as well
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        return env

    def ctl(self, n: int, *args: str, check: bool = True, timeout: float = 90) -> subprocess.CompletedProcess:
        """rabbitmqctl against node ``n`` of this cluster."""
        return subprocess.run(
            [rabbit_tool("rabbitmqctl"), "-n", self.node(n)["name"], "-q", *args],
            env=self.rabbit_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    # -- the broker -----------------------------------------------------------------------
    def start_nodes(self) -> None:
        (self.log_dir / "rabbit").mkdir(parents=True, exist_ok=True)
        for n in range(1, NODES + 1):
            self.spawn(f"rabbit-{n}", [rabbit_tool("rabbitmq-server")], self.rabbit_env(n))
        for n in range(1, NODES + 1):
            port = self.node(n)["amqp_port"]
            wait_for(
                lambda port=port: port_open(port),
                NODE_START_SECONDS,
                f"broker node {n} did not open its port; see {self.log_dir / f'rabbit-{n}.log'}",
            )

    def cluster_members(self, n: int) -> list[str]:
        status = json.loads(self.ctl(n, "cluster_status", "--formatter", "json").stdout)
        return status.get("disk_nodes", [])

    def form_cluster(self) -> None:
        """A fresh node joins node 1; one that was a member already rejoined by itself."""
        first = self.node(1)["name"]
        for n in range(2, NODES + 1):
            if first in self.cluster_members(n):
                continue
            say(f"broker node {n} joins the cluster")
            self.ctl(n, "stop_app")
            self.ctl(n, "join_cluster", first)
            self.ctl(n, "start_app")
        members = self.cluster_members(1)
        if len(members) != NODES:
            raise SystemExit(f"the broker cluster has {len(members)} nodes instead of {NODES}: {members}")

    def ensure_broker(self, env: dict[str, str]) -> None:
        """Quorum queues by default on the vhost, so every queue nameko declares without a
        type is replicated on the three nodes, the event queues' policy on it, a user per
        service with the rights topology derives, and the exchanges they share but may
        not declare."""
        from services.common.infra.broker import apply_users_with_rabbitmqctl, apply_with_rabbitmqctl, declare_shared

        vhost = self.state()["vhost"]
        if vhost not in self.ctl(1, "list_vhosts").stdout.split():
            self.ctl(1, "add_vhost", vhost, "--default-queue-type", "quorum")
            self.ctl(1, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        ctl = [rabbit_tool("rabbitmqctl"), "-n", self.node(1)["name"]]
        apply_with_rabbitmqctl(vhost, ctl=ctl, env=self.rabbit_env())
        apply_users_with_rabbitmqctl(vhost, self.state()["broker_passwords"], ctl, env=self.rabbit_env())
        declare_shared(self.amqp_uri(0))

    # -- replicas and the proxy -----------------------------------------------------------
    def process_names(self) -> list[str]:
        return [
            *(f"rabbit-{n}" for n in range(1, NODES + 1)),
            "s3",
            *(replica for name in SERVICES for replica in replicas(name)),
            "haproxy",
        ]

    def stop_order(self) -> list[str]:
        """The proxy and the gateways first, the broker nodes last."""
        processes = [replica for name in reversed(list(SERVICES)) for replica in replicas(name)]
        return ["haproxy", *processes, "s3", *(f"rabbit-{n}" for n in range(NODES, 0, -1))]

    def down(self) -> None:
        # the broker nodes once nobody is connected: a node that stops while clients
        # reconnect to it, or while its peers stop, takes much longer
        order = self.stop_order()
        nodes = [name for name in order if name.startswith("rabbit-")]
        self.stop([name for name in order if name not in nodes])
        self.stop(nodes)

    def start_process(self, name: str, env: dict[str, str], service: str | None = None) -> None:
        service, n = service or name.rsplit("-", 1)[0], int(name.rsplit("-", 1)[1])
        index = list(SERVICES).index(service) * REPLICAS + n - 1
        replica_env = self.service_env(service, env, index)
        if service == "gateway":
            # its own port behind HAProxy, which adds one X-Forwarded-For entry
            replica_env.update(GATEWAY_PORT=str(self.layout()["gateway_ports"][n - 1]), TRUSTED_PROXY_HOPS="1")
        super().start_process(name, replica_env, service)

    def gateway_healthy(self, n: int) -> bool:
        import urllib.error
        import urllib.request

        port = self.layout()["gateway_ports"][n - 1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def haproxy_config(self) -> Path:
        servers = "\n".join(
            f"    server gateway-{n} 127.0.0.1:{port} check"
            for n, port in enumerate(self.layout()["gateway_ports"], start=1)
        )
        path = self.run_dir / "haproxy.cfg"
        path.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers, socket=self.run_dir / "haproxy.sock"))
        return path

    def start_haproxy(self, env: dict[str, str]) -> None:
        haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
        if not haproxy:
            raise SystemExit("haproxy is missing: `make deps` installs it (Debian's haproxy package)")
        config = self.haproxy_config()
        checked = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise SystemExit("haproxy refuses its configuration:\n" + checked.stdout + checked.stderr)
        self.spawn("haproxy", [haproxy, "-db", "-f", str(config)], env)

    def up(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if not self.pid_of("haproxy") and port_open(self.port):
            raise SystemExit(f"port {self.port} is taken by another program: set GATEWAY_PORT")
        env = self.environment()
        self.start_nodes()
        self.form_cluster()
        self.ensure_broker(env)
        self.start_s3(env)
        python = str(VENV_BIN / "python")
        subprocess.run([python, "-m", "services.common.infra.migrate"], cwd=ROOT, env=env, check=True)
        self.ensure_bucket(env)
        from services.common.infra.roles import grant

        grant(env["DATABASE_URL"], self.db_roles(env["DATABASE_URL"]))
        backend = [replica for name in BACKEND_SERVICES for replica in replicas(name)]
        for name in backend:
            self.start_process(name, env)
        # every replica consumes its service's RPC queue before a gateway may publish to it
        self.supervise(
            backend, env, lambda: all(self.consumers(name) >= REPLICAS for name in BACKEND_SERVICES), START_SECONDS
        )
        gateways = replicas("gateway")
        for name in gateways:
            self.start_process(name, env)
        self.supervise(
            gateways, env, lambda: all(self.gateway_healthy(n) for n in range(1, REPLICAS + 1)), START_SECONDS
        )
        self.start_haproxy(env)
        self.supervise([], env, self.healthy, 60)
        if os.environ.get("DEMO_DATA", "1") != "0":
            subprocess.run(
                [python, "-m", "deploy.demo", f"http://127.0.0.1:{self.port}"], cwd=ROOT, env=env, check=True
            )
        self.announce(env)

    def ensure_bucket(self, env: dict[str, str]) -> None:
        """The bucket, made with the administrator's key: the services' keys reach their
        prefixes only, not the bucket itself; and the heads' bucket under object lock."""
        subprocess.run([str(VENV_BIN / "python"), "-m", "services.common.infra.storage"], cwd=ROOT, env=env, check=True)

    def consumers(self, service: str) -> int:
        return rpc_consumers(self.amqp_uri(0), service)


def replicas(service: str) -> list[str]:
    return [f"{service}-{n}" for n in range(1, REPLICAS + 1)]


# Only state changes are logged (no request lines: a path may carry a link token). A
# gateway is out of the rotation within two seconds of failing its check, and a
# request whose connection to a dead gateway is refused goes to the other one, as does a
# read that lost its answer; a change already sent is never retried here (the client
# retries it with its Idempotency-Key).
HAPROXY_CONFIG = """\
global
    log stdout format raw local0 notice
    stats socket {socket} mode 600 level admin
    maxconn 2000

defaults
    mode http
    log global
    option dontlognull
    timeout connect 2s
    timeout client 60s
    timeout http-request 15s
    timeout http-keep-alive 10s
    # a print copy (打印) of a long document may take minutes
    timeout server 330s
    retries 2
    option redispatch 1
    # a read (GET, HEAD) whose gateway died under it goes to the other one; anything else
    # only when its connection was refused, as it was then never delivered
    retry-on conn-failure empty-response junk-response

frontend court
    bind 127.0.0.1:{port}
    option forwardfor
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    default_backend gateways

backend gateways
    balance roundrobin
    # as Kubernetes' probe does: not /healthz, which asks every service, so that one
    # service's outage would take both gateways out at once
    option httpchk GET /api/v1/openapi.json
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2
{servers}
"""


def main(argv: list[str]) -> int:
    return dispatch(argv, Cluster(), name="cluster.py", can_run=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
