"""The page machinery of a dossier container: originals kept on local disk for PDFium,
unstamped renders cached in object storage, rendering and stamping in real threads."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import eventlet.semaphore
import eventlet.tpool
from minio.error import S3Error
from nameko.extensions import DependencyProvider
from PIL import Image

from services.common.infra import config, staging
from services.common.infra.errors import DomainError
from services.common.infra.storage import ObjectStore, bucket_name, ensure_bucket, make_client, random_name
from services.dossier import rendering
from services.dossier.print_processes import PageProcesses

RENDERS = "dossier/renders"  # unstamped pages, per document and page: safe to share
TEMPORARY = "dossier/tmp"  # stamped results on their way to one reader, deleted after
PRINTS = "dossier/prints/"  # print jobs' PDFs, kept while their job lives (services.dossier.printing)
PRINT_CHUNK = 8  # pages rendered between two reports of progress (and renewals of the lease)
# A stamped page up to this size goes back in the RPC's reply, not parked in object storage:
# a black-and-white page is ~100 KB, a colour scan a few hundred. Larger ones are parked.
INLINE_PAGE_MAX_BYTES = 2 * 1024 * 1024


class Pages:
    def __init__(
        self,
        store: ObjectStore,
        workdir: Path,
        stamper: rendering.Stamper,
        recent_pages: int = 64,
        print_concurrency: int = 2,
        print_wait_seconds: float = 2.0,
        inline_max_bytes: int = INLINE_PAGE_MAX_BYTES,
    ):
        self.store = store
        self.inline_max_bytes = inline_max_bytes
        self.workdir = workdir
        self.stamper = stamper
        # A print copy holds a worker for about a second per 45 pages: a few at once, so
        # that page reads keep the other workers. Beyond that a reader is told to retry.
        self._printing = eventlet.semaphore.Semaphore(max(1, print_concurrency))
        self.print_wait_seconds = print_wait_seconds
        # Touched only from the service's hub thread (greenthreads), so no lock is needed.
        self._recent: OrderedDict[tuple[int, int], Image.Image] = OrderedDict()
        self.recent_pages = recent_pages

    # -- originals ------------------------------------------------------------------------
    def local_original(self, key: str) -> Path:
        """The PDF on local disk (PDFium reads it lazily, page by page), fetched from object
        storage once per container. Written under a temporary name and renamed, so a
        concurrent reader never sees half a file."""
        path = self.workdir / "originals" / (hashlib.sha256(key.encode()).hexdigest() + ".pdf")
        try:
            os.utime(path)  # recently read: the sweep keeps it
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fetch(key, path)
        return path

    def sweep_originals(self, idle_seconds: float, max_bytes: int, keep_seconds: float = 600) -> int:
        """The local copies are a cache of object storage, not a second archive: drop those
        nobody read for ``idle_seconds``, then the least recently read until the rest fit
        in ``max_bytes``, and the pieces of downloads a killed process left. A copy read in
        the last ``keep_seconds`` stays whatever the size (a render may be opening it).
        Each file is stat'ed right before it goes, so a read between listing and removal
        keeps it; the next read of a removed copy fetches it again."""
        folder = self.workdir / "originals"
        now = time.time()
        copies: list[tuple[float, int, Path]] = []
        for path in folder.glob("*"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            copies.append((stat.st_mtime, stat.st_size, path))
        copies.sort()
        total = sum(size for _, size, _ in copies)
        removed = 0
        for _, _, path in copies:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            age = now - stat.st_mtime
            unfinished = path.suffix == ".part" and age > keep_seconds
            if unfinished or age > idle_seconds or (total > max_bytes and age > keep_seconds):
                path.unlink(missing_ok=True)
                total -= stat.st_size
                removed += 1
        return removed

    def fetch(self, key: str, path: Path) -> str:
        """Copy an object to ``path`` atomically; returns its SHA-256."""
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        response = self.store.open(key)
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in response.stream(256 * 1024):
                    digest.update(chunk)
                    fh.write(chunk)
            os.replace(tmp, path)
        finally:
            response.close()
            response.release_conn()
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest.hexdigest()

    def inspect(self, path: Path) -> int:
        return eventlet.tpool.execute(rendering.inspect_pdf, str(path))

    # -- pages ----------------------------------------------------------------------------
    def unstamped_png(self, document_id: int, key: str, page: int) -> bytes:
        cache_key = f"{RENDERS}/{document_id}/{page}-{rendering.RENDER_WIDTH}.png"
        try:
            return self.store.get(cache_key)
        except S3Error as exc:
            if exc.code not in ("NoSuchKey", "NoSuchObject"):
                raise
        path = str(self.local_original(key))
        data = eventlet.tpool.execute(_render_png, path, page - 1)
        self.store.put(cache_key, io.BytesIO(data), len(data), "image/png")
        return data

    def unstamped_image(self, document_id: int, key: str, page: int) -> Image.Image:
        """The decoded unstamped page, from a small in-process cache of recent pages (a
        reader pages back and forth; sixteen read the same volume), else as above."""
        cache_key = (document_id, page)
        image = self._recent.get(cache_key)
        if image is not None:
            self._recent.move_to_end(cache_key)
            return image
        image = eventlet.tpool.execute(rendering.decode, self.unstamped_png(document_id, key, page))
        self._recent[cache_key] = image
        while len(self._recent) > self.recent_pages:
            self._recent.popitem(last=False)
        return image

    def stamped_page(self, document_id: int, key: str, page: int, lines: Sequence[str]) -> dict:
        """Stamp one page for one reader. The result goes back in the reply (``data``,
        base64) when it is at most ``INLINE_PAGE_MAX_BYTES``: parking it in object storage
        cost a write, a read and a delete per page, a third of a stamped page's time.
        Larger results are parked for the gateway to stream (``key``). Either way nothing
        stamped is kept."""
        unstamped = self.unstamped_image(document_id, key, page)
        data = eventlet.tpool.execute(_stamp_png, self.stamper, unstamped, tuple(lines))
        if len(data) <= self.inline_max_bytes:
            return {"data": base64.b64encode(data).decode("ascii"), "content_type": "image/png", "size": len(data)}
        return {"key": self.park(data, "image/png", ".png"), "content_type": "image/png", "size": len(data)}

    def park(self, data: bytes, content_type: str, suffix: str) -> str:
        """A result on its way to one reader: the gateway streams it and deletes it (the
        sweep removes any it left behind)."""
        key = f"{TEMPORARY}/{random_name()}{suffix}"
        self.store.put(key, io.BytesIO(data), len(data), content_type)
        return key

    def print_copy(self, key: str, lines: Sequence[str]) -> dict:
        if not self._printing.acquire(timeout=self.print_wait_seconds):
            raise DomainError("service_unavailable", "打印任务较多，请稍后再试")
        try:
            return self._print_copy(key, lines)
        finally:
            self._printing.release()

    def _print_copy(self, key: str, lines: Sequence[str]) -> dict:
        path = str(self.local_original(key))
        out_dir = self.workdir / "prints"
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".pdf")
        try:
            with os.fdopen(fd, "w+b") as fh:
                workers = PageProcesses.for_copy()
                eventlet.tpool.execute(rendering.print_copy, path, self.stamper, tuple(lines), fh, workers=workers)
                size = fh.tell()
                fh.seek(0)
                out_key = f"{TEMPORARY}/{random_name()}.pdf"
                self.store.put(out_key, fh, size, "application/pdf")
        finally:
            os.unlink(tmp)
        return {"key": out_key, "content_type": "application/pdf", "size": size}

    def print_job(
        self, documents: Sequence[tuple[str, int]], lines: Sequence[str], progress: Callable[[int], None]
    ) -> dict:
        """Several documents (object key, page count) in one stamped PDF, kept in object
        storage for as long as its print job. ``progress(pages_done)`` is called from this
        greenthread every ``PRINT_CHUNK`` pages; whatever it raises stops the job."""
        out_dir = self.workdir / "prints"
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".pdf")
        done = 0
        copy = None
        try:
            with os.fdopen(fd, "w+b") as fh:
                copy = rendering.StampedPdf(fh, self.stamper, lines, workers=PageProcesses.for_copy())
                for key, count in documents:
                    path = str(self.local_original(key))
                    for first in range(0, count, PRINT_CHUNK):
                        done += eventlet.tpool.execute(copy.add_pages, path, first, first + PRINT_CHUNK)
                        progress(done)
                eventlet.tpool.execute(copy.close)
                size = fh.tell()
                fh.seek(0)
                out_key = staging.staged_key(PRINTS, ".pdf")
                self.store.put(out_key, fh, size, "application/pdf")
        finally:
            if copy is not None:  # stopped half-way (the lease lost, the grant ended): its workers end too
                copy.end_workers()
            os.unlink(tmp)
        return {"key": out_key, "size": size, "pages": done}

    def discard(self, key: str) -> None:
        self.store.delete(key)

    def sweep_temporary(self, older_than_seconds: float) -> int:
        """Delete parked results the gateway never collected (it crashed mid-request)."""
        removed = 0
        now = datetime.now(UTC)
        for item in self.store.client.list_objects(self.store.bucket, prefix=TEMPORARY + "/", recursive=True):
            if item.last_modified and (now - item.last_modified).total_seconds() > older_than_seconds:
                self.store.delete(item.object_name)
                removed += 1
        return removed


def _render_png(path: str, index: int) -> bytes:
    return rendering.encode_png(rendering.render_page(path, index))


def _stamp_png(stamper: rendering.Stamper, image: Image.Image, lines: tuple[str, ...]) -> bytes:
    return rendering.encode_png(stamper.stamp(image, lines))


class PageMachinery(DependencyProvider):
    """One ``Pages`` per container; fails at start if no CJK font is installed."""

    def setup(self) -> None:
        self.store = ObjectStore(make_client(int(config.get("max_workers", 10)) + 10), bucket_name())
        workdir = config.data_dir() / "dossier-work"
        workdir.mkdir(parents=True, exist_ok=True)
        self.pages = Pages(
            self.store,
            workdir,
            rendering.Stamper(rendering.find_cjk_font()),
            print_concurrency=int(config.get("DOSSIER_PRINT_CONCURRENCY", 2)),
        )

    def start(self) -> None:
        ensure_bucket(self.store.client, self.store.bucket)

    def get_dependency(self, worker_ctx) -> Pages:
        return self.pages
