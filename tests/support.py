"""Helpers for tests that drive the stack over HTTP, as clients do."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from deploy.stack import free_port  # a stack's gateway port, chosen as the stack chooses its own
from services.common.court.people import id_check_digit

COURT_TZ = ZoneInfo("Asia/Shanghai")


def court_today() -> date:
    """Today where the court is: from 16:00 to midnight UTC it is already tomorrow in
    Beijing, so a date the court checks (not in the past) must come from here."""
    return datetime.now(COURT_TZ).date()


def new_postgres_database(prefix: str = "court_test") -> tuple[str, Callable[[], None]]:
    """A new database beside TEST_POSTGRES_URL's: its URL, and a function that drops it."""
    import psycopg2

    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(base)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            # the services' roles the cluster shape made for it (services.common.infra.roles)
            cur.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (name + "_",))
            for (role,) in cur.fetchall():
                cur.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()

    return base.rsplit("/", 1)[0] + "/" + name, drop


@contextmanager
def fresh_postgres_database(prefix: str = "court_test") -> Iterator[str]:
    """The URL of a new database beside TEST_POSTGRES_URL's, dropped when the block ends."""
    url, drop = new_postgres_database(prefix)
    try:
        yield url
    finally:
        drop()


_phones = itertools.count(random.randint(0, 10_000_000) * 100)


def new_phone() -> str:
    """A fresh, valid mobile number per call, so tests never collide on one stack."""
    return f"137{next(_phones) % 100_000_000:08d}"


_case_numbers = itertools.count(random.randint(1, 1_000_000) * 1000)


def new_case_no(court: str = "粤01", type_code: str = "民初", year: int = 2024) -> str:
    """A case number no other test uses, in canonical form."""
    return f"（{year}）{court}{type_code}{next(_case_numbers)}号"


_id_numbers = itertools.count(random.randint(0, 5_000_000))


def new_id_number(birth: str | None = None, area: str = "440106") -> str:
    """An ID number no other account of this test run holds (one account per ID number):
    a birth date and sequence taken from a counter unless ``birth`` is given."""
    n = next(_id_numbers)
    if birth is None:
        day = date(1950, 1, 1) + timedelta(days=(n // 1000) % 18_000)
        birth = day.strftime("%Y%m%d")
    body = f"{area}{birth}{n % 1000:03d}"
    return body + id_check_digit(body)


class FakeClock:
    def __init__(self, path: Path):
        self.path = path

    def set(self, iso: str) -> None:
        # Replaced whole, never truncated then written: a service's timer reading the file
        # in between saw no fake time, took the real one and purged what the test relied on.
        written = self.path.with_name(self.path.name + ".next")
        written.write_text(iso)
        os.replace(written, self.path)

    def reset(self) -> None:
        self.set("")


_STACKS: dict[str, StackHandle] = {}


def stack_at(base_url: str) -> StackHandle:
    """The stack a client talks to: where its texts go, who its admin is."""
    return _STACKS[base_url]


class StackHandle:
    def __init__(self, root: Path, env: dict[str, str], clock_file: Path):
        self.root = root
        self.env = env
        self.clock = FakeClock(clock_file)
        self.data_dir = Path(env["DATA_DIR"])
        self.base_url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        self._admin: Api | None = None
        _STACKS[self.base_url] = self

    def admin_api(self) -> Api:
        """The bootstrap admin, signed in once per stack (again if a test ended its session)."""
        if self._admin is None or self._admin.get("/api/v1/me").status_code != 200:
            self._admin = Api(self.base_url)
            self._admin.login(self.env["BOOTSTRAP_ADMIN_PHONE"], self.env["BOOTSTRAP_ADMIN_PASSWORD"])
        return self._admin

    def state(self) -> dict:
        try:
            return json.loads((self.data_dir / "run" / "stack.json").read_text())
        except OSError:
            return {}

    def signed_actor(
        self,
        actor: dict,
        target: str,
        *,
        lifetime: float = 30.0,
        issued_at: float | None = None,
        key: str | None = None,
    ) -> str:
        """``actor`` as the gateway sends it to ``target`` ("service.method"): a statement
        signed with this stack's key (``key``: another one, base64 or PEM), for tests that
        call services directly over the broker (services/common/infra/actor.py)."""
        from services.common.infra import actor as statements

        signing = statements.load_signing_key(key or self.state()["actor_signing_key"])
        told = statements.claims_for(target, actor)
        return statements.sign(signing, told, target, lifetime=lifetime, now=issued_at)

    @property
    def amqp_uri(self) -> str:
        return "amqp://guest:guest@127.0.0.1:5672/" + self.state()["vhost"]

    def dispatch_event(self, source: str, event_type: str, payload: dict) -> None:
        """Publish an event into this stack's broker as service ``source`` would."""
        from nameko.standalone.events import event_dispatcher

        event_dispatcher(uri=self.amqp_uri)(source, event_type, payload)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "deploy/stack.py", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )

    def up(self) -> None:
        self.run("up")

    def down(self) -> None:
        self.run("down", check=False)

    def pid(self, name: str) -> int | None:
        try:
            return int((self.data_dir / "run" / f"{name}.pid").read_text())
        except (OSError, ValueError):
            return None

    def sql(self, service: str, statement: str, args: tuple = ()) -> list[tuple]:
        """Run one statement on a service's own database (``?`` placeholders), as an
        operator or an attacker with database access would; returns the rows, if any."""
        url = self.env.get("DATABASE_URL")
        if url:
            import psycopg2

            conn = psycopg2.connect(url, options=f"-csearch_path={service}")
            try:
                with conn, conn.cursor() as cur:
                    cur.execute(statement.replace("?", "%s"), args)
                    return cur.fetchall() if cur.description else []
            finally:
                conn.close()
        import sqlite3

        conn = sqlite3.connect(self.data_dir / f"{service}.db")
        try:
            with conn:
                return conn.execute(statement, args).fetchall()
        finally:
            conn.close()

    def stop(self, service: str) -> None:
        """Stop ``service`` (SIGTERM to its process group) and wait until it is gone; nothing
        when it is not running."""
        pid = self.pid(service)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)
            wait_dead(pid)

    def restart_with(self, service: str, **extra_env: str) -> int:
        """Stop ``service`` and start it again with extra environment (a fault point armed,
        say); ``deploy/stack.py up`` starts only what is not running. Returns the new pid."""
        self.stop(service)  # a restart that failed half-way left it stopped: start it all the same
        done = subprocess.run(
            [sys.executable, "deploy/stack.py", "up"],
            cwd=self.root,
            env=dict(self.env, **extra_env),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return self.pid(service)

    @contextmanager
    def running_with(self, **services: dict[str, str]) -> Iterator[None]:
        """Each named service restarted with its extra environment, in the order given, and
        all of them restarted as they were afterwards, even when a restart itself failed:
        a setting left armed (a login limit of 4, say) would fail every later test."""
        try:
            for service, extra_env in services.items():
                self.restart_with(service, **extra_env)
            yield
        finally:
            for service in services:
                self.restart_with(service)

    def sms_sent(self, phone: str) -> list[dict]:
        """The messages the stack's SMS outbox holds for ``phone``, oldest first: ``{at,
        phone, template, params, text}`` (``SMS_OUTBOX_FILE``, else deploy/stack.py's default)."""
        path = Path(self.env.get("SMS_OUTBOX_FILE") or self.data_dir / "sms-outbox.jsonl")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return [sent for sent in map(json.loads, filter(None, lines)) if sent["phone"] == phone]

    def texts_to(self, phone: str) -> list[str]:
        """The texts sent to ``phone``, oldest first."""
        return [sent["text"] for sent in self.sms_sent(phone)]

    def sms_code(self, phone: str) -> str:
        """The newest SMS code (template ``sms_code``) sent to ``phone``."""
        codes = [sent["params"]["code"] for sent in self.sms_sent(phone) if sent["template"] == "sms_code"]
        if not codes:
            raise AssertionError(f"no SMS code was sent to {phone}")
        return codes[-1]

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")

    def logs(self) -> dict[str, str]:
        return {p.stem: p.read_text(errors="replace") for p in (self.data_dir / "logs").glob("*.log")}


class SignedRpc:
    """A standalone RPC client's services as the gateway calls them: an ``actor`` dict is
    sent as a statement signed with the stack's key for exactly the method called
    (``rpc = SignedRpc(stack, client); rpc.case_binding.relation(actor={...}, case_no=...)``)."""

    def __init__(self, stack: StackHandle, rpc: Any):
        self._stack, self._rpc = stack, rpc

    def __getattr__(self, service: str) -> Any:
        return _SignedService(self._stack, getattr(self._rpc, service), service)


class _SignedService:
    def __init__(self, stack: StackHandle, proxy: Any, service: str):
        self._stack, self._proxy, self._service = stack, proxy, service

    def __getattr__(self, method: str) -> Any:
        remote = getattr(self._proxy, method)

        def call(**kwargs: Any) -> Any:
            if isinstance(kwargs.get("actor"), dict):
                kwargs["actor"] = self._stack.signed_actor(kwargs["actor"], f"{self._service}.{method}")
            return remote(**kwargs)

        return call


class Api:
    """A signed-in (or anonymous) client of the JSON API."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.token: str | None = None
        self.user: dict | None = None
        self.phone: str | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {}) or {}
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def login(self, phone: str, password: str) -> dict:
        response = self.post("/api/v1/auth/login", json={"phone": phone, "password": password})
        assert response.status_code == 200, response.text
        body = response.json()
        self.token, self.user = body["token"], body["user"]
        return body

    def register(self, role: str = "party", verified: bool = True, **fields: Any) -> dict:
        """Register a new account with valid defaults (its phone proven by the texted code),
        sign in, and, unless ``verified=False``, pass 实名认证 as a clerk would approve it.
        Returns the sent fields."""
        data = {
            "phone": new_phone(),
            "password": "Reader-2024",
            "name": "测试用户",
            "id_number": new_id_number(),
            "role": role,
            **fields,
        }
        if "sms_code" not in data:
            data["sms_code"] = self.sms_code(data["phone"], "register")
        response = self.post("/api/v1/auth/register", json=data)
        assert response.status_code == 201, response.text
        self.login(data["phone"], data["password"])
        self.phone = data["phone"]  # unmasked, for the texts this user receives
        if verified:
            self.verify()
        return data

    def sms_code(self, phone: str, purpose: str) -> str:
        """Ask for a code for ``phone`` and read it as the phone would (the SMS outbox)."""
        response = self.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": purpose})
        assert response.status_code == 202, response.text
        return stack_at(self.base_url).sms_code(phone)

    def verify(self) -> dict:
        """Send an identity document for 实名认证 and have the stack's admin approve it."""
        material = self.upload_identity()
        asked = self.post("/api/v1/me/verification", json={"material_ids": [material["id"]]})
        assert asked.status_code == 201, asked.text
        admin = stack_at(self.base_url).admin_api()
        decided = admin.post(f"/api/v1/staff/verifications/{asked.json()['id']}/decision", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
        return decided.json()

    def upload_identity(self) -> dict:
        files = {"file": ("身份证.pdf", make_pdf(1, "ID card"), "application/pdf")}
        response = self.post("/api/v1/uploads", files=files, data={"kind": "identity"})
        assert response.status_code == 201, response.text
        return response.json()


class EventTap:
    """A queue of our own bound to one event type on a stack's broker: ``seen`` holds every
    delivery (a duplicate shows twice). Use as a context manager; ``drain`` takes what came."""

    def __init__(self, amqp_uri: str, source: str, event_type: str):
        self.amqp_uri, self.source, self.event_type = amqp_uri, source, event_type
        self.seen: list[dict] = []

    def __enter__(self) -> EventTap:
        from kombu import Connection, Consumer, Queue
        from nameko.standalone.events import get_event_exchange

        self.connection = Connection(self.amqp_uri)
        queue = Queue(
            f"tap-{self.event_type}-{uuid.uuid4().hex}",
            exchange=get_event_exchange(self.source),
            routing_key=self.event_type,
            auto_delete=True,
        )
        consumer = Consumer(self.connection, queues=[queue], accept=["json"])
        consumer.register_callback(lambda body, message: (self.seen.append(body), message.ack()))
        consumer.consume()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.connection.release()

    def drain(self, seconds: float) -> list[dict]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=min(0.2, max(deadline - time.monotonic(), 0.01)))
            except TimeoutError:
                pass
        return self.seen


def create_staff(admin: Api, role: str, court: str = "广东省广州市中级人民法院", name: str = "审查员") -> Api:
    """An admin creates a clerk/archivist/admin account; returns it signed in."""
    data = {"phone": new_phone(), "password": "Staff-2024x", "name": name, "role": role, "court": court}
    response = admin.post("/api/v1/admin/staff", json=data)
    assert response.status_code == 201, response.text
    client = Api(admin.base_url)
    client.login(data["phone"], data["password"])
    return client


def wait_dead(pid: int, seconds: float = 30) -> None:
    """Until the process is gone (or a zombie its parent has not reaped yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            state = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0]
            if state == "Z":
                return
        except (ProcessLookupError, FileNotFoundError):
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not stop")


def wait_until(check, seconds: float = 15.0, interval: float = 0.1):
    """Poll an event-driven effect until ``check()`` is truthy or the deadline passes;
    returns its last result, so the caller's assert shows what was seen."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def eventually(fetch, predicate, seconds: float = 15.0):
    """Poll ``fetch()`` until ``predicate`` holds of its value or the deadline passes;
    returns the last value, so the caller's assert shows what was seen."""
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def metric(stack: StackHandle, service: str, name: str, **labels: str) -> float:
    """The sum of ``service``'s samples of ``name`` whose labels include ``labels``, read
    from its /metrics (the port it wrote under DATA_DIR/run)."""
    port = int((stack.data_dir / "run" / f"{service}.metrics-port").read_text())
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    total = 0.0
    for line in response.text.splitlines():
        if not line or line.startswith("#"):
            continue
        sample, _, value = line.rpartition(" ")
        metric_name, _, metric_labels = sample.partition("{")
        if metric_name == name and all(f'{k}="{v}"' in metric_labels for k, v in labels.items()):
            total += float(value)
    return total


def events_consumed(stack: StackHandle, service: str, source: str, event_type: str) -> float:
    """How many ``source.event_type`` events ``service`` has handled (whatever the outcome)."""
    return metric(stack, service, "court_events_consumed_total", source=source, event_type=event_type)


def wait_for_events_consumed(
    stack: StackHandle, service: str, source: str, event_type: str, at_least: float, seconds: float = 30.0
) -> None:
    """Until ``service`` has handled ``at_least`` ``source.event_type`` events in all: the
    fact that a "nothing more happened" check waits for, so it cannot pass by looking
    before the handler ran."""
    handled = wait_until(lambda: events_consumed(stack, service, source, event_type) >= at_least, seconds, 0.2)
    assert handled, f"{service} never handled {at_least:.0f} {source}.{event_type} events"


def wait_for_timer_runs(stack: StackHandle, service: str, method: str, runs: int = 2, seconds: float = 60.0) -> None:
    """Until ``service``'s periodic job ``method`` has finished ``runs`` more times. With two,
    at least one whole run began after this call (one already under way may finish
    first), so whatever a run would do by now is done."""

    def runs_so_far() -> float:
        return metric(stack, service, "court_timer_runs_total", method=method)

    start = runs_so_far()
    ran = wait_until(lambda: runs_so_far() >= start + runs, seconds, 0.2)
    assert ran, f"{service}.{method} did not run {runs} times within {seconds} s"


def wait_for_log(stack: StackHandle, name: str, text: str, seconds: float = 15.0) -> str:
    """Until process ``name``'s log holds ``text``; returns the log."""
    found = wait_until(lambda: text in stack.log(name) and stack.log(name), seconds)
    assert found, f"{text!r} never reached {name}.log"
    return found


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    return body


os.environ.setdefault("EVENTLET_TESTS", "1")


def make_pdf(pages: int, label: str = "Page") -> bytes:
    """A small text PDF of ``pages`` pages (A4), built by hand: a 1,000-page dossier in a
    few hundred KB, each page saying its number so renders can be told apart."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for n in range(1, pages + 1):
        text = f"BT /F1 36 Tf 72 700 Td ({label} {n}) Tj ET 60 60 475 722 re S".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    return build_pdf(objects, version=b"1.4")


def build_pdf(objects: list[bytes], version: bytes = b"1.7") -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), xref and all."""
    out = bytearray(b"%%PDF-%s\n" % version)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_chinese_pdf(lines: list[str]) -> bytes:
    """A PDF with one page per line of Chinese text, drawn with the system's CJK font by
    Pillow's PDF writer (the way a scanned dossier arrives: pictures of pages)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from services.dossier.rendering import find_cjk_font

    path, index = find_cjk_font()
    font = ImageFont.truetype(path, 28, index=index)
    pages = []
    for line in lines:
        page = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(page).text((60, 80), line, fill="black", font=font)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=72)
    return out.getvalue()


def make_encrypted_pdf() -> bytes:
    """A one-page PDF under the standard security handler with an unknown user password."""
    body = make_pdf(1)
    trailer = body.rindex(b"trailer")
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    obj_no = body.count(b" obj\n") + 1
    extra = b"%d 0 obj\n%s\nendobj\n" % (obj_no, encrypt)
    head = body[:trailer].rsplit(b"xref\n", 1)[0]
    xref_at = len(head) + len(extra)
    offsets = [int(line[:10]) for line in body[body.rindex(b"xref\n") :].splitlines()[3:] if line[:10].isdigit()]
    offsets.append(len(head))
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (obj_no + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer_dict = b"trailer\n<< /Size %d /Root 1 0 R /Encrypt %d 0 R /ID [<%s> <%s>] >>\n" % (
        obj_no + 1,
        obj_no,
        b"ab" * 16,
        b"ab" * 16,
    )
    return head + extra + xref + trailer_dict + b"startxref\n%d\n%%%%EOF\n" % xref_at


_licenses = itertools.count(random.randint(0, 10_000_000) * 100)


def new_license_no() -> str:
    """A lawyer's license number (执业证号) no other test uses."""
    return f"1440{next(_licenses) % 10**13:013d}"


def new_lawyer(admin: Api, name: str = "测试律师", law_firm: str = "广东测试律师事务所") -> Api:
    """A lawyer in the registry, registered and signed in (``.user`` plus ``.license_no``)."""
    license_no = new_license_no()
    response = admin.post(
        "/api/v1/admin/lawyers", json={"lawyers": [{"license_no": license_no, "name": name, "law_firm": law_firm}]}
    )
    assert response.status_code == 200, response.text
    client = Api(admin.base_url)
    client.register("lawyer", name=name, license_no=license_no, law_firm=law_firm)
    client.license_no = license_no
    return client


def new_party(base_url: str, name: str = "测试当事人") -> Api:
    """A party signed in, with ``.id_number`` (unmasked) for putting them into a case."""
    client = Api(base_url)
    client.id_number = client.register("party", name=name)["id_number"]
    return client


def object_store(stack: StackHandle):
    """The stack's S3 bucket, for tests that check what is (not) stored."""
    from minio import Minio

    from services.common.infra.storage import ObjectStore

    state = stack.state()
    client = Minio(
        f"127.0.0.1:{state['s3_base_port'] + 3}",
        access_key=state["s3_access_key"],
        secret_key=state["s3_secret_key"],
        secure=False,
        region="us-east-1",
    )
    return ObjectStore(client, "court")


def start_private_stack(prefix: str, **env: str) -> StackHandle:
    """A whole stack of its own (temporary DATA_DIR, free loopback port, own vhost; SQLite
    unless DATABASE_URL is set) for benchmarks; ``stop_private_stack`` removes it all."""
    import secrets
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    full_env = dict(os.environ)
    full_env.update(
        DATA_DIR=str(data_dir),
        GATEWAY_PORT=str(free_port()),
        DEMO_DATA="0",
        BOOTSTRAP_ADMIN_PHONE="13900000000",
        BOOTSTRAP_ADMIN_PASSWORD="Bench-" + secrets.token_hex(6),
        EVENTLET_TESTS="1",
        **env,
    )
    for key in ("AMQP_URI", "S3_ENDPOINT", "COURT_FAKE_NOW_FILE"):
        full_env.pop(key, None)
    stack = StackHandle(Path(__file__).resolve().parents[1], full_env, data_dir / "fake-now")
    up = stack.run("up", check=False)
    if up.returncode != 0:
        stop_private_stack(stack)
        raise SystemExit("the stack did not come up:\n" + up.stdout + up.stderr)
    return stack


def stop_private_stack(stack: StackHandle) -> None:
    import shutil

    stack.down()
    vhost = stack.state().get("vhost")
    if vhost and shutil.which("rabbitmqctl"):
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=60)
    shutil.rmtree(stack.data_dir, ignore_errors=True)


class ClusterHandle(StackHandle):
    """A stack handle whose ``up``/``down`` are the cluster shape's (``deploy/cluster.py``)."""

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "deploy/cluster.py", *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def cluster(self):
        """The cluster as ``deploy/cluster.py`` sees it: ports, nodes, rabbitmqctl, stop."""
        from deploy.cluster import Cluster

        saved = dict(os.environ)
        os.environ.update(DATA_DIR=str(self.data_dir), GATEWAY_PORT=self.env["GATEWAY_PORT"])
        try:
            return Cluster()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def haproxy_servers(self) -> dict[str, str]:
        """The gateways' state as HAProxy sees them (UP, DOWN), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.data_dir / "run" / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        rows = [line.split(",") for line in raw.decode().splitlines() if line and not line.startswith("#")]
        return {row[1]: row[17] for row in rows if row[0] == "gateways" and row[1].startswith("gateway-")}


def start_private_cluster(data_dir: Path, database_url: str, **env: str) -> ClusterHandle:
    """The cluster shape in ``data_dir`` on a free loopback port (``stop_private_cluster``
    stops it); fails with the cluster's own explanation when it does not come up."""
    clock_file = data_dir / "fake-now"
    clock_file.write_text("")
    full_env = dict(os.environ)
    full_env.update(
        DATA_DIR=str(data_dir),
        GATEWAY_PORT=str(free_port()),
        DATABASE_URL=database_url,
        DEMO_DATA="0",
        COURT_FAKE_NOW_FILE=str(clock_file),
        BOOTSTRAP_ADMIN_PHONE="13900000000",
        BOOTSTRAP_ADMIN_PASSWORD="Admin-" + uuid.uuid4().hex[:12],
        SMS_OUTBOX_FILE=str(data_dir / "sms.jsonl"),
        LOGIN_ADDRESS_FAILURES="100000",
        EVENTLET_TESTS="1",
        **env,
    )
    for key in ("AMQP_URI", "S3_ENDPOINT"):
        full_env.pop(key, None)
    handle = ClusterHandle(Path(__file__).resolve().parents[1], full_env, clock_file)
    up = handle.run("up", check=False)
    if up.returncode != 0:
        stop_private_cluster(handle)
        raise RuntimeError("the cluster did not come up:\n" + up.stdout[-4000:] + up.stderr[-4000:])
    return handle


def stop_private_cluster(handle: ClusterHandle) -> None:
    import shutil

    handle.down()
    shutil.rmtree(handle.data_dir / "rabbit", ignore_errors=True)  # the nodes' queues and logs


def assert_documented(doc: dict, method: str, path: str, response: requests.Response) -> Any:
    """The answer is what the OpenAPI document (``GET /api/v1/openapi.json``) says the
    operation ``method path`` (a template: ``/api/v1/applications/{application_id}``)
    answers with that status: the status is listed, and a JSON body fits its schema.
    Returns the body."""
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    answers = doc["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in answers, f"{method} {path}: {response.status_code} is not documented"
    content = answers[str(response.status_code)].get("content", {})
    if "application/json" not in content:
        assert response.content == b"" or response.headers.get("Content-Type", "").split(";")[0] in content
        return None
    body = response.json()
    registry = Registry().with_resource("urn:court:api", DRAFT202012.create_resource(doc))
    schema = content["application/json"]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:court:api" + schema["$ref"]}
    else:
        schema = json.loads(json.dumps(schema).replace('"#/components', '"urn:court:api#/components'))
    errors = sorted(Draft202012Validator(schema, registry=registry).iter_errors(body), key=str)
    assert not errors, f"{method} {path}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return body
