"""The door: how long a client may take to say what it wants, and how many may be heard
at once, so that slow or large requests cannot take the gateway from everyone else.

A nameko worker serves a request only once the request is whole. Without this, a route
read its body inside the worker (Werkzeug reads lazily), so forty clients that send their
headers and then one byte a second held every worker and the gateway answered nobody.
Now, in the connection's own green thread and before any worker is asked:

- every single read or write on a client socket waits at most ``GATEWAY_SOCKET_TIMEOUT``
  seconds (30); an idle kept-alive connection is closed after ``GATEWAY_KEEPALIVE_SECONDS``
  (15); once a request's first byte has come, its request line and headers must all
  arrive within ``GATEWAY_HEADER_SECONDS`` (10);
- the body is read whole into a spool (memory, then a temporary file): it must keep up
  with ``GATEWAY_BODY_MIN_BYTES_PER_SECOND`` (16 KiB/s) after ``GATEWAY_BODY_READ_SECONDS``
  (10) of grace, so at any moment ``t`` seconds in, at least ``rate × (t − grace)`` bytes
  have come (a 20 MiB upload may take 10 s + 1,280 s; one byte a second is cut at 10 s).
  Too slow: 408 ``request_timeout`` and the connection closes;
- bodies larger than 64 KiB (uploads, imports, documents) and chunked ones are read at most
  ``GATEWAY_MAX_READING_CONNECTIONS`` (16) at a time; one that finds no place within
  ``GATEWAY_BODY_READ_SECONDS`` is answered 503. Small bodies (a sign-in, a form) never
  wait for a place, so a crowd of slow uploads does not keep anyone from signing in;
- a body larger than its route allows is not read at all (the route answers 413) and the
  connection is closed after the answer, rather than read to its end.

Heavy routes (uploads, print copies, document ingestion, the case feed) also hold one of
``GATEWAY_MAX_HEAVY_REQUESTS`` places (half of ``MAX_WORKERS``) while they work, so at least
the other half of the workers is always there for everything else (see ``heavy_work``).
"""

from __future__ import annotations

import logging
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import eventlet
import eventlet.semaphore
from nameko.web.server import HttpOnlyProtocol
from prometheus_client import Counter
from werkzeug.wrappers import Response

from gateway.errors import ApiError, error_response
from services.common.infra import config

log = logging.getLogger("gateway.door")

CLOSE_KEY = "court.close_connection"  # environ: call it to close the connection after this answer
SMALL_BODY = 64 * 1024  # bodies up to this size never wait for a reading place
CHUNK = 16 * 1024  # a read at the minimum rate takes a second: progress is seen often
SPOOL_IN_MEMORY = 1024 * 1024  # a body beyond this goes on to a temporary file
LINGER_SECONDS = 2.0  # after an early answer, unread bytes are drained this long so the client sees it

SLOW_CLIENTS = Counter(
    "gateway_slow_clients_total",
    "Connections the gateway closed or refused because the client was too slow or too many were being read",
    ["stage"],
)


@dataclass(frozen=True)
class DoorSettings:
    socket_timeout: float = 30.0
    keepalive: float = 15.0
    header_seconds: float = 10.0
    body_grace: float = 10.0
    body_min_rate: float = 16 * 1024.0
    max_reading: int = 16

    @classmethod
    def from_config(cls) -> DoorSettings:
        def number(key: str, default: float, low: float) -> float:
            return max(float(config.get(key, default)), low)

        return cls(
            socket_timeout=number("GATEWAY_SOCKET_TIMEOUT", cls.socket_timeout, 1.0),
            keepalive=number("GATEWAY_KEEPALIVE_SECONDS", cls.keepalive, 1.0),
            header_seconds=number("GATEWAY_HEADER_SECONDS", cls.header_seconds, 1.0),
            body_grace=number("GATEWAY_BODY_READ_SECONDS", cls.body_grace, 1.0),
            body_min_rate=number("GATEWAY_BODY_MIN_BYTES_PER_SECOND", cls.body_min_rate, 1.0),
            max_reading=int(number("GATEWAY_MAX_READING_CONNECTIONS", cls.max_reading, 1)),
        )


class CourtProtocol(HttpOnlyProtocol):
    """nameko's HTTP protocol with deadlines on the request head, and a way for the app to
    close the connection after its answer (a body left unread is not read to its end)."""

    settings: DoorSettings = DoorSettings()

    def handle_one_request(self):
        self._linger = False
        if not self._wait_for_request():
            self.close_connection = 1
            return
        # From the first byte, the request line and headers have a deadline of their own:
        # a client sending one header byte a second never trips the per-read timeout.
        self._head_deadline = eventlet.Timeout(self.settings.header_seconds, TimeoutError("request head too slow"))
        try:
            super().handle_one_request()
        except TimeoutError:
            SLOW_CLIENTS.labels("head").inc()
            raise  # eventlet's server closes the connection quietly
        finally:
            self._head_deadline.cancel()

    def _wait_for_request(self) -> bool:
        """Idle (between kept-alive requests, or before the first) until a byte comes."""
        peek = getattr(self.rfile, "peek", None)
        if self.rfile.closed or peek is None:
            return True  # eventlet's own handling says goodbye, or waits itself
        try:
            self.connection.settimeout(self.settings.keepalive)
            return bool(peek(1))
        except OSError:
            return False
        finally:
            try:
                self.connection.settimeout(self.settings.socket_timeout)
            except OSError:
                pass

    def handle_one_response(self):
        self._head_deadline.cancel()  # the head has come: the body and the app have their own limits
        super().handle_one_response()

    def get_environ(self):
        environ = super().get_environ()
        environ[CLOSE_KEY] = self._close_after_answer
        return environ

    def _close_after_answer(self) -> None:
        self.close_connection = 1
        self._linger = True

    def finish(self):
        if getattr(self, "_linger", False):
            # Drain what the client is still sending for a moment, so the answer is not lost
            # to a reset, but never for long: it is not ours to read.
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                with eventlet.Timeout(LINGER_SECONDS, False):
                    while self.connection.recv(65536):
                        pass
            except OSError:
                pass
        super().finish()


class BodyReader:
    """Reads each request body whole, within its deadline, before the request gets a worker."""

    def __init__(self, settings: DoorSettings, now: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.places = eventlet.semaphore.Semaphore(settings.max_reading)
        self._now = now

    def read(self, environ: dict, max_body: int) -> Response | None:
        """Replaces ``wsgi.input`` with the whole body; or the refusal to answer with (the
        connection then closes); None also when there is nothing to read or the route will
        refuse the size unread."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)  # eventlet refused anything else
        except ValueError:
            length = 0
        if not chunked and length <= 0:
            return None
        if not chunked and length > max_body:
            close_after_answer(environ)  # the route says 413 without reading a byte
            return None
        needs_place = chunked or length > SMALL_BODY
        if needs_place and not self.places.acquire(timeout=self.settings.body_grace):
            SLOW_CLIENTS.labels("queue").inc()
            return self._refuse(environ, error_response("service_unavailable", "当前上传较多，请稍后重试"))
        try:
            return self._read(environ, None if chunked else length, max_body)
        finally:
            if needs_place:
                self.places.release()

    def _read(self, environ: dict, length: int | None, max_body: int) -> Response | None:
        source = environ["wsgi.input"]
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        grace, rate = self.settings.body_grace, self.settings.body_min_rate
        started = self._now()
        received = 0
        refusal: Response | None = None
        try:
            while length is None or received < length:
                # the moment the client falls below the minimum rate, given what it sent so far
                allowed = started + grace + received / rate - self._now()
                if allowed <= 0:
                    raise TooSlow
                with eventlet.Timeout(allowed, TooSlow):
                    data = source.read(CHUNK if length is None else min(CHUNK, length - received))
                if not data:
                    if length is None:
                        break  # the chunked body's end
                    refusal = error_response("bad_request", "请求内容不完整")
                    break
                received += len(data)
                if received > max_body:
                    refusal = error_response("too_large", "请求内容过大")
                    break
                spool.write(data)
        except TooSlow:
            SLOW_CLIENTS.labels("body").inc()
            log.info("request body too slow: %d bytes in %.1f s", received, self._now() - started)
            refusal = request_timeout()
        except ValueError:  # eventlet's ChunkReadError: not chunked encoding
            refusal = error_response("bad_request", "请求内容的分块编码不正确")
        except OSError:  # the client went away, or one read waited past the socket timeout
            refusal = request_timeout()
        if refusal is not None:
            spool.close()
            return self._refuse(environ, refusal)
        spool.seek(0)
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(received)
        environ.pop("HTTP_TRANSFER_ENCODING", None)  # the body is whole now: its length is known
        environ.setdefault("eventlet.posthooks", []).append((_close_spool, (spool,), {}))
        return None

    @staticmethod
    def _refuse(environ: dict, response: Response) -> Response:
        close_after_answer(environ)
        return response


class TooSlow(Exception):
    """The client fell below the minimum rate."""


def _close_spool(_environ: dict, spool) -> None:
    spool.close()


def request_timeout() -> Response:
    # 408 given here: the code is the door's own, no route raises it
    return error_response("request_timeout", "请求内容发送过慢，已超时，请检查网络后重试", status=408)


def close_after_answer(environ: dict) -> None:
    close = environ.get(CLOSE_KEY)
    if close is not None:
        close()


# -- heavy routes -------------------------------------------------------------------------------
_heavy: eventlet.semaphore.Semaphore | None = None
HEAVY_WAIT_SECONDS = 2.0


def heavy_places() -> int:
    workers = int(config.get("max_workers", 10) or 10)
    return max(1, int(config.get("GATEWAY_MAX_HEAVY_REQUESTS", max(1, workers // 2))))


@contextmanager
def heavy_work() -> Iterator[None]:
    """One of the places for work that holds a worker long (an upload's checks and
    storing, a print copy, a document, the case feed): beyond them, 503 after a short wait,
    so the other workers stay free for pages, sign-ins and lists."""
    global _heavy
    if _heavy is None:
        _heavy = eventlet.semaphore.Semaphore(heavy_places())
    if not _heavy.acquire(timeout=HEAVY_WAIT_SECONDS):
        SLOW_CLIENTS.labels("heavy").inc()
        raise ApiError("service_unavailable", "正在处理的上传和打印任务较多，请稍后再试")
    try:
        yield
    finally:
        _heavy.release()
