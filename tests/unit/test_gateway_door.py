"""The gateway's door (gateway/door.py): a body is read whole before a worker is asked,
within a deadline that follows a minimum rate, a few large ones at a time."""

from __future__ import annotations

import json
import time

import eventlet

from gateway.door import SMALL_BODY, BodyReader, DoorSettings, heavy_work

FAST = DoorSettings(body_grace=0.3, body_min_rate=1000.0, max_reading=1)


class Trickle:
    """A client's body: ``pieces`` of bytes, each after ``delay`` seconds."""

    def __init__(self, pieces: list[bytes], delay: float = 0.0):
        self.pieces, self.delay = list(pieces), delay
        self.read_calls = 0

    def read(self, size: int) -> bytes:
        self.read_calls += 1
        if not self.pieces:
            return b""
        eventlet.sleep(self.delay)  # the client's pace: what the door is tested against
        piece = self.pieces.pop(0)
        if len(piece) > size:
            self.pieces.insert(0, piece[size:])
            piece = piece[:size]
        return piece


def environ_for(source, length: int | None, closed: list) -> dict:
    environ = {"wsgi.input": source, "court.close_connection": lambda: closed.append(True)}
    if length is None:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(length)
    return environ


def status_and_code(response):
    return response.status_code, json.loads(response.get_data())["error"]["code"]


def test_a_body_that_comes_in_time_is_handed_on_whole():
    closed: list = []
    body = b"x" * 100_000
    environ = environ_for(Trickle([body[:50_000], body[50_000:]], delay=0.01), len(body), closed)
    assert BodyReader(FAST).read(environ, max_body=1 << 20) is None
    assert environ["wsgi.input"].read() == body and environ["CONTENT_LENGTH"] == str(len(body))
    assert closed == []
    # chunked: its length is known once read, and it no longer says chunked
    environ = environ_for(Trickle([b"a" * 10, b"b" * 10]), None, closed)
    assert BodyReader(FAST).read(environ, max_body=1 << 20) is None
    assert environ["wsgi.input"].read() == b"a" * 10 + b"b" * 10
    assert environ["CONTENT_LENGTH"] == "20" and "HTTP_TRANSFER_ENCODING" not in environ


def test_a_trickle_is_cut_at_the_deadline_with_408():
    closed: list = []
    environ = environ_for(Trickle([b"x"] * 100, delay=0.05), 10_000, closed)
    started = time.monotonic()
    response = BodyReader(FAST).read(environ, max_body=1 << 20)
    elapsed = time.monotonic() - started
    assert status_and_code(response) == (408, "request_timeout")
    assert 0.25 < elapsed < 1.0, elapsed  # the grace, plus what the bytes sent bought at the rate
    assert closed == [True]  # the rest of the body is never read


def test_a_client_that_keeps_the_rate_is_not_cut():
    closed: list = []
    # 200 bytes every 0.1 s is 2000 B/s, above the 1000 B/s minimum, for 1.5 s: past the grace
    environ = environ_for(Trickle([b"y" * 200] * 15, delay=0.1), 3000, closed)
    assert BodyReader(FAST).read(environ, max_body=1 << 20) is None
    assert len(environ["wsgi.input"].read()) == 3000 and closed == []


def test_too_large_short_and_absent_bodies():
    closed: list = []
    unread = Trickle([b"z" * 10])
    environ = environ_for(unread, 5000, closed)
    assert BodyReader(FAST).read(environ, max_body=1000) is None  # the route says 413, unread
    assert unread.read_calls == 0 and closed == [True]
    closed.clear()
    environ = environ_for(Trickle([b"z" * 600, b"z" * 600]), None, closed)
    assert status_and_code(BodyReader(FAST).read(environ, max_body=1000)) == (413, "too_large")
    assert closed == [True]
    closed.clear()
    environ = environ_for(Trickle([b"z" * 10]), 20, closed)  # the client stopped early
    assert status_and_code(BodyReader(FAST).read(environ, max_body=1000)) == (400, "bad_request")
    environ = {"wsgi.input": Trickle([]), "CONTENT_LENGTH": "0"}
    assert BodyReader(FAST).read(environ, max_body=1000) is None


def test_large_bodies_wait_for_a_place_and_small_ones_never_do():
    reader = BodyReader(FAST)  # one place
    closed: list = []
    # an upload keeping the minimum rate holds the place for a second, past the grace
    holding = Trickle([b"s" * 200] * 10, 0.1)
    slow = eventlet.spawn(reader.read, environ_for(holding, SMALL_BODY + 1, closed), 1 << 20)
    deadline = time.monotonic() + 5
    while not reader.places.locked():  # until the upload has taken the one place
        assert time.monotonic() < deadline, "the upload never took the place"
        eventlet.sleep(0)
    started = time.monotonic()
    # a sign-in's body is read at once, whatever holds the places
    small = environ_for(Trickle([b"{}"]), 2, closed)
    assert reader.read(small, max_body=1 << 20) is None and time.monotonic() - started < 0.1
    # another upload waits for the place, up to the grace, then 503
    waiting = reader.read(environ_for(Trickle([b"w" * 10]), SMALL_BODY + 1, closed), max_body=1 << 20)
    assert status_and_code(waiting) == (503, "service_unavailable")
    assert status_and_code(slow.wait()) == (400, "bad_request")  # it stopped before its length


def test_heavy_work_keeps_places_for_the_rest(monkeypatch):
    import gateway.door as door

    monkeypatch.setattr(door, "_heavy", eventlet.semaphore.Semaphore(1))
    monkeypatch.setattr(door, "HEAVY_WAIT_SECONDS", 0.05)
    from gateway.errors import ApiError

    with heavy_work():
        try:
            with heavy_work():
                raise AssertionError("a second heavy request got in")
        except ApiError as refused:
            assert refused.code == "service_unavailable"
    with heavy_work():  # released
        pass
