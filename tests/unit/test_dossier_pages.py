"""The dossier service's page machinery: local copies of originals are a bounded cache, never
a second archive; print copies are limited so that page reads keep their workers."""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from services.dossier.dependencies import Pages

MB = 1024 * 1024


def copies(tmp_path, ages_and_sizes: dict[str, tuple[float, int]]):
    folder = tmp_path / "originals"
    folder.mkdir()
    now = time.time()
    for name, (age, size) in ages_and_sizes.items():
        path = folder / name
        path.write_bytes(b"\0" * size)
        os.utime(path, (now - age, now - age))
    return folder


def left(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_idle_copies_and_dead_downloads_go_and_recent_ones_stay(tmp_path):
    folder = copies(
        tmp_path,
        {
            "idle.pdf": (80 * 3600, 10),
            "read-yesterday.pdf": (24 * 3600, 10),
            "killed-download.part": (3600, 10),
            "downloading-now.part": (5, 10),
        },
    )
    removed = Pages(None, tmp_path, None).sweep_originals(idle_seconds=72 * 3600, max_bytes=100 * MB)
    assert removed == 2
    assert left(folder) == {"read-yesterday.pdf", "downloading-now.part"}


def test_over_the_cap_the_least_recently_read_go_first_but_never_one_just_read(tmp_path):
    folder = copies(
        tmp_path,
        {
            "oldest.pdf": (5 * 3600, 3 * MB),
            "older.pdf": (4 * 3600, 3 * MB),
            "newer.pdf": (3 * 3600, 3 * MB),
            "just-read.pdf": (60, 3 * MB),
        },
    )
    pages = Pages(None, tmp_path, None)
    assert pages.sweep_originals(idle_seconds=72 * 3600, max_bytes=7 * MB) == 2
    assert left(folder) == {"newer.pdf", "just-read.pdf"}
    # a cap smaller than one copy still keeps the copy a reader has open right now
    assert pages.sweep_originals(idle_seconds=72 * 3600, max_bytes=1) == 1
    assert left(folder) == {"just-read.pdf"}


def test_reading_a_copy_marks_it_recently_read(tmp_path):
    named = hashlib.sha256(b"cases/x").hexdigest() + ".pdf"  # the copy's name comes from the key
    folder = copies(tmp_path, {named: (80 * 3600, 10)})
    pages = Pages(None, tmp_path, None)  # no store: a present copy needs no fetch
    assert pages.local_original("cases/x") == folder / named
    assert time.time() - (folder / named).stat().st_mtime < 5
    assert pages.sweep_originals(idle_seconds=72 * 3600, max_bytes=100 * MB) == 0


def test_print_copies_beyond_the_limit_are_told_to_retry(tmp_path):
    from services.common.infra.errors import DomainError

    pages = Pages(None, tmp_path, None, print_concurrency=1, print_wait_seconds=0.05)
    assert pages._printing.acquire()  # one print copy under way
    with pytest.raises(DomainError) as refused:
        pages.print_copy("cases/x", ["阅卷人"])
    assert refused.value.code == "service_unavailable"


class MemoryStore:
    """Object storage as the page machinery uses it: put, get (NoSuchKey) and open."""

    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def put(self, key, stream, size, content_type):
        self.objects[key] = stream.read(size)

    def get(self, key):
        from minio.error import S3Error

        if key not in self.objects:
            raise S3Error(None, "NoSuchKey", "missing", key, "", "")
        return self.objects[key]

    def open(self, key):
        data = self.objects[key]
        return type("Body", (), {"stream": lambda s, n: iter([data]), "close": lambda s: None,
                                 "release_conn": lambda s: None})()  # fmt: skip


def test_a_stamped_page_comes_back_in_the_reply_and_a_large_one_is_parked(tmp_path):
    import base64
    import io

    from PIL import Image, ImageChops

    from services.dossier import rendering
    from services.dossier.dependencies import RENDERS, TEMPORARY
    from tests.support import make_pdf

    store = MemoryStore()
    original = "dossier/originals/a.pdf"
    store.objects[original] = make_pdf(2)
    pages = Pages(store, tmp_path, rendering.Stamper(rendering.find_cjk_font()))
    lines = ("阅卷人 张三", "2026-05-01 09:00")

    result = pages.stamped_page(7, original, 2, lines)
    assert set(result) == {"data", "content_type", "size"} and result["content_type"] == "image/png"
    page = base64.b64decode(result["data"])
    assert len(page) == result["size"]
    cached = [k for k in store.objects if k.startswith(RENDERS)]
    assert cached == [f"{RENDERS}/7/2-{rendering.RENDER_WIDTH}.png"]  # the unstamped render, shared
    unstamped = Image.open(io.BytesIO(store.objects[cached[0]]))
    assert ImageChops.difference(Image.open(io.BytesIO(page)).convert("L"), unstamped.convert("L")).getbbox()
    assert not [k for k in store.objects if k.startswith(TEMPORARY)]  # nothing stamped is stored

    pages.inline_max_bytes = 1000
    parked = pages.stamped_page(7, original, 2, lines)
    assert "data" not in parked and parked["key"].startswith(TEMPORARY + "/")
    assert (
        store.objects[parked["key"]][:8] == b"\x89PNG\r\n\x1a\n" and len(store.objects[parked["key"]]) == parked["size"]
    )
