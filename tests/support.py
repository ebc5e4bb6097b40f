"""Helpers for tests that drive the stack over HTTP, as clients do."""

from __future__ import annotations

import itertools
import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from services.common.people import id_check_digit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_phones = itertools.count(random.randint(0, 10_000_000) * 100)


def new_phone() -> str:
    """A fresh, valid mobile number per call, so tests never collide on one stack."""
    return f"137{next(_phones) % 100_000_000:08d}"


_case_numbers = itertools.count(random.randint(1, 1_000_000) * 1000)


def new_case_no(court: str = "粤01", type_code: str = "民初", year: int = 2024) -> str:
    """A case number no other test uses, in canonical form."""
    return f"（{year}）{court}{type_code}{next(_case_numbers)}号"


def new_id_number(birth: str = "19900101", area: str = "440106") -> str:
    body = f"{area}{birth}{random.randint(0, 999):03d}"
    return body + id_check_digit(body)


class FakeClock:
    def __init__(self, path: Path):
        self.path = path

    def set(self, iso: str) -> None:
        self.path.write_text(iso)

    def reset(self) -> None:
        self.path.write_text("")


class StackHandle:
    def __init__(self, root: Path, env: dict[str, str], clock_file: Path):
        self.root = root
        self.env = env
        self.clock = FakeClock(clock_file)
        self.data_dir = Path(env["DATA_DIR"])
        self.base_url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"

    def state(self) -> dict:
        try:
            return json.loads((self.data_dir / "run" / "stack.json").read_text())
        except OSError:
            return {}

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

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")

    def logs(self) -> dict[str, str]:
        return {p.stem: p.read_text(errors="replace") for p in (self.data_dir / "logs").glob("*.log")}


class Api:
    """A signed-in (or anonymous) client of the JSON API."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.token: str | None = None
        self.user: dict | None = None

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

    def login(self, phone: str, password: str) -> dict:
        response = self.post("/api/v1/auth/login", json={"phone": phone, "password": password})
        assert response.status_code == 200, response.text
        body = response.json()
        self.token, self.user = body["token"], body["user"]
        return body

    def register(self, role: str = "party", **fields: Any) -> dict:
        """Register a new account with valid defaults, sign in, and return the sent fields."""
        data = {
            "phone": new_phone(),
            "password": "Reader-2024",
            "name": "测试用户",
            "id_number": new_id_number(),
            "role": role,
            **fields,
        }
        response = self.post("/api/v1/auth/register", json=data)
        assert response.status_code == 201, response.text
        self.login(data["phone"], data["password"])
        return data


def create_staff(admin: Api, role: str, court: str = "广东省广州市中级人民法院", name: str = "审查员") -> Api:
    """An admin creates a clerk/archivist/admin account; returns it signed in."""
    data = {"phone": new_phone(), "password": "Staff-2024x", "name": name, "role": role, "court": court}
    response = admin.post("/api/v1/admin/staff", json=data)
    assert response.status_code == 201, response.text
    client = Api(admin.base_url)
    client.login(data["phone"], data["password"])
    return client


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    body = response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    return body


os.environ.setdefault("EVENTLET_TESTS", "1")
