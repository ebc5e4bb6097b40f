"""A long print copy's pages made by processes of their own, one per core.

In one process PDFium rasterizes one page at a time (it is not thread-safe, so every call
holds ``PDFIUM_LOCK``), and Pillow's share of a page (copying the bitmap out, the stamp,
the JPEG) holds the interpreter lock for part of its time: a print copy made in the
service's process uses about one core. Here each of ``DOSSIER_PRINT_PROCESSES`` worker
processes takes every n-th page of the document (``python -m
services.dossier.print_processes``), renders, stamps and encodes it exactly as the
service would (``rendering.finish_page``), and sends the JPEG back through a pipe; the
caller writes the pages in the document's order, so the copy is the same, byte for byte.

Nothing stamped touches the disk on the way: the worker gets the local original's path and
the watermark's lines on its stdin and answers on its stdout. A worker that dies fails the
copy (the print job's lease hands it to a retry); a worker whose caller died reads the end
of its stdin, or fails writing to its stdout, and ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import sys
from collections.abc import Iterator
from typing import IO, Any

import pypdfium2 as pdfium
from eventlet import patcher

from services.common.infra import config
from services.dossier import rendering

_subprocess = patcher.original("subprocess")  # the copy runs in a real thread (tpool), not on the hub

# a page's frame: JPEG length, pixel width and height, width and height in points, grey or not
_FRAME = struct.Struct(">IIIddB")
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # where `services` is
MIN_PAGES = 24  # a shorter run of pages is made in the service's process: starting workers costs more


class PrintProcessFailed(RuntimeError):
    """A worker ended before it sent every page it was given."""


def print_processes() -> int:
    """``DOSSIER_PRINT_PROCESSES``: worker processes for one long print copy (default: the
    cores this process may run on, at most 4; 1 makes every copy in the service's own process). At most
    ``DOSSIER_PRINT_CONCURRENCY`` copies are made at once in a dossier process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    default = min(cores, 4)
    return max(1, int(config.get("DOSSIER_PRINT_PROCESSES", default) or default))


class PageProcesses:
    """The workers of one print copy: started for its first long run of pages, and ended
    by ``close`` (also after a failure, which kills them). The copy says what they draw:
    its stamper's font, the watermark's lines and the width."""

    def __init__(self, count: int):
        self.count = count
        self._workers: list[Any] = []
        self._origin = 0  # the page the workers' shares are counted from
        self._stream: tuple[str, int, int] | None = None  # (path, next page, its page count) being made

    @classmethod
    def for_copy(cls) -> PageProcesses | None:
        """The workers for one print copy, or None where one process is all there is to use."""
        count = print_processes()
        return cls(count) if count > 1 else None

    def wanted(self, path: str, first: int, total: int) -> bool:
        """Whether the workers make the pages of ``path`` from ``first`` on: a run long enough
        to pay for starting them, or the next run of what they are making already."""
        making = self._stream is not None and self._stream[:2] == (path, first)
        return making or total - first >= MIN_PAGES

    def pages(self, copy: rendering.StampedPdf, path: str, first: int, end: int, total: int) -> Iterator[tuple]:
        """Pages ``first`` to ``end`` (exclusive) of the ``total`` in ``path``, finished for
        ``copy``, in order. The workers are set to the rest of the document, so a copy asked
        for in runs (a print job reports its progress every few pages) finds the next run
        under way."""
        if self._stream != (path, first, total):
            self._start(copy, path, first, total)
        try:
            for index in range(first, end):
                yield self._read(self._workers[(index - self._origin) % self.count])
            self._stream = (path, end, total)
        except BaseException:
            self.close()
            raise

    def _start(self, copy: rendering.StampedPdf, path: str, first: int, total: int) -> None:
        self.close()  # whatever they were making is not wanted any more
        command = [sys.executable, "-m", "services.dossier.print_processes"]
        for k in range(self.count):
            worker = _subprocess.Popen(command, stdin=_subprocess.PIPE, stdout=_subprocess.PIPE, cwd=_ROOT)
            self._workers.append(worker)
            order = {
                "path": path,
                "pages": list(range(first + k, total, self.count)),
                "lines": list(copy.lines),
                "font": [copy.stamper.font_path, copy.stamper.font_index],
                "width": copy.width,
            }
            worker.stdin.write(json.dumps(order).encode() + b"\n")
            worker.stdin.flush()
        self._origin = first
        self._stream = (path, first, total)

    def _read(self, worker: Any) -> tuple:
        head = _read_exactly(worker.stdout, _FRAME.size)
        size, width, height, points_w, points_h, grey = _FRAME.unpack(head)
        return _read_exactly(worker.stdout, size), (width, height), (points_w, points_h), bool(grey)

    def close(self) -> None:
        for worker in self._workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            for pipe in (worker.stdin, worker.stdout):
                pipe.close()
        self._workers = []
        self._stream = None


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise PrintProcessFailed("a print process ended before its pages were made")
    return data


def work(order: dict[str, Any], out: IO[bytes]) -> None:
    """One worker's share: each page rendered, stamped and encoded, framed onto ``out``."""
    stamper = rendering.Stamper((order["font"][0], int(order["font"][1])))
    lines = tuple(order["lines"])
    doc = pdfium.PdfDocument(order["path"])
    try:
        for index in order["pages"]:
            bitmap, page_width = rendering.rasterize(doc, index, int(order["width"]))
            jpeg, pixels, points, grey = rendering.finish_page(stamper, lines, bitmap, page_width)
            out.write(_FRAME.pack(len(jpeg), *pixels, *points, grey) + jpeg)
            out.flush()
    finally:
        doc.close()


def main() -> int:
    order = json.loads(sys.stdin.buffer.readline() or b"null")
    if isinstance(order, dict):  # else the caller went away before it gave an order
        with contextlib.suppress(BrokenPipeError):  # the caller stopped reading: not wanted any more
            work(order, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
