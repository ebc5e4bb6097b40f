"""Slow and large requests cannot take the door (gateway/door.py): forty clients that send
their headers and then one byte a second leave the gateway answering everyone else at once,
and are themselves cut at their deadline (408, or the connection closed)."""

from __future__ import annotations

import selectors
import socket
import threading
import time

import requests

from tests.support import Api, new_party

SLOW_CLIENTS = 40
# The stack's defaults (gateway/door.py): 10 s of grace for a body, a reading place waited
# for at most 10 s, then another 10 s of grace; the door drains for 2 s after an answer.
CUT_WITHIN = 40.0
ATTACK_SECONDS = 8.0  # plain requests are sent while every slow client still hangs
ANSWER_WITHIN = 5.0


class SlowClient:
    def __init__(self, port: int, head: bytes):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(head)
        self.sock.setblocking(False)
        self.answer = b""
        self.closed_after: float | None = None

    @property
    def status(self) -> int | None:
        line = self.answer.split(b"\r\n", 1)[0].split()
        return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def heads(port: int, token: str) -> list[bytes]:
    """Half of them an upload with its bearer token (a 5 MB body), half a sign-in (48 KB):
    both used to read their bodies inside a worker."""
    upload = (
        "POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 5000000\r\n\r\n"
    )
    login = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 48000\r\n\r\n"
    )
    return [(upload if i % 2 == 0 else login).format(port=port, token=token).encode() for i in range(SLOW_CLIENTS)]


def trickle(clients: list[SlowClient], started: float, stop: threading.Event) -> None:
    """One byte a second to every client still open; note when and how each is closed."""
    selector = selectors.DefaultSelector()
    for client in clients:
        selector.register(client.sock, selectors.EVENT_READ, client)
    next_byte = time.monotonic()
    while not stop.is_set() and selector.get_map() and time.monotonic() - started < CUT_WITHIN + 10:
        if time.monotonic() >= next_byte:
            next_byte += 1.0
            for key in list(selector.get_map().values()):
                client = key.data
                try:
                    client.sock.send(b"x")
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:  # reset: the gateway closed it
                    close(selector, client, started)
        for key, _ in selector.select(timeout=0.2):
            client = key.data
            try:
                data = client.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data:
                client.answer += data
            else:
                close(selector, client, started)


def close(selector, client: SlowClient, started: float) -> None:
    client.closed_after = time.monotonic() - started
    selector.unregister(client.sock)
    client.sock.close()


def test_forty_slow_clients_leave_the_gateway_answering_others(stack):
    port = int(stack.env["GATEWAY_PORT"])
    reader = new_party(stack.base_url, name="慢速客户端")
    clients = [SlowClient(port, head) for head in heads(port, reader.token)]
    started = time.monotonic()
    stop = threading.Event()
    watcher = threading.Thread(target=trickle, args=(clients, started, stop), daemon=True)
    watcher.start()
    try:
        # The attack's timeline, not a wait for an effect: the heads went out above and the
        # door reads them as they trickle; ``hanging == SLOW_CLIENTS`` below checks it held.
        time.sleep(0.5)
        latencies, failures = [], []
        fresh = Api(stack.base_url)
        sign_in = {"phone": reader.phone, "password": "Reader-2024"}

        def openapi():
            return requests.get(stack.base_url + "/api/v1/openapi.json", timeout=ANSWER_WITHIN)

        def login():
            return fresh.post("/api/v1/auth/login", json=sign_in, timeout=ANSWER_WITHIN)

        while time.monotonic() - started < ATTACK_SECONDS:
            for name, send in (("openapi", openapi), ("login", login)):
                asked = time.monotonic()
                try:
                    response = send()
                    ok = response.status_code == 200
                except requests.RequestException as exc:
                    ok, response = False, exc
                latencies.append(time.monotonic() - asked)
                if not ok:
                    failures.append((name, response))
            time.sleep(0.2)  # the pace of the plain requests sent during the attack
        hanging = sum(1 for c in clients if c.closed_after is None)
        print(
            f"\n{len(latencies)} plain requests while {hanging} of {SLOW_CLIENTS} slow clients hung: "
            f"{len(latencies) - len(failures)} answered, max {max(latencies) * 1000:.0f} ms, "
            f"median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms"
        )
        assert failures == []
        assert len(latencies) >= 10 and max(latencies) < ANSWER_WITHIN
        assert hanging == SLOW_CLIENTS  # the attack was on the whole time

        watcher.join(timeout=CUT_WITHIN + 15)
        statuses = sorted({c.status for c in clients}, key=str)
        cut = [c.closed_after for c in clients if c.closed_after is not None]
        print(f"slow clients cut after {min(cut):.1f} to {max(cut):.1f} s; answers: {statuses}")
        assert len(cut) == SLOW_CLIENTS, "a slow client was never cut"
        assert max(cut) < CUT_WITHIN
        assert all(c.status in (408, 503, None) for c in clients), statuses
        assert any(c.status == 408 for c in clients)
        timed_out = next(c for c in clients if c.status == 408)
        assert b'"code": "request_timeout"' in timed_out.answer or b'"code":"request_timeout"' in timed_out.answer
        assert "\u8bf7\u6c42".encode() in timed_out.answer  # 请求…: the message is for a person
    finally:
        stop.set()
        for client in clients:
            try:
                client.sock.close()
            except OSError:
                pass
    # and the door still opens
    assert requests.get(stack.base_url + "/api/v1/openapi.json", timeout=ANSWER_WITHIN).status_code == 200


def test_a_slow_head_and_an_idle_connection_are_closed(stack):
    port = int(stack.env["GATEWAY_PORT"])
    started = time.monotonic()
    idle = socket.create_connection(("127.0.0.1", port), timeout=30)  # says nothing at all
    slow_head = socket.create_connection(("127.0.0.1", port), timeout=30)
    slow_head.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\n")
    slow_head.setblocking(False)
    closed_at = {}
    while "head" not in closed_at and time.monotonic() - started < 20:  # a header byte a second
        time.sleep(1)  # the slow head's own pace: the thing under test
        try:
            if slow_head.recv(4096) == b"":
                closed_at["head"] = time.monotonic() - started
        except BlockingIOError:
            pass
        except OSError:
            closed_at["head"] = time.monotonic() - started
        try:
            slow_head.send(b"X")
        except BlockingIOError:
            pass
        except OSError:
            closed_at.setdefault("head", time.monotonic() - started)
    idle.settimeout(30)
    try:
        while idle.recv(4096):
            pass
    except OSError:
        pass
    closed_at["idle"] = time.monotonic() - started
    for sock in (idle, slow_head):
        sock.close()
    print(f"\nslow head closed after {closed_at['head']:.1f} s, idle connection after {closed_at['idle']:.1f} s")
    # a head has 10 s from its first byte; an idle connection is closed after 15 s
    assert 9 < closed_at["head"] < 13 and 14 < closed_at["idle"] < 20, closed_at
