"""Materials are safe to hold and to hand on: checking them cannot be turned against the
gateway (PDFium from many threads, decompression bombs), what a clerk downloads carries no
active content, and no account can fill the store."""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pikepdf
import pypdfium2 as pdfium

from tests.support import Api, assert_error, build_pdf, make_pdf

MB = 1000 * 1000
ACTIVE_MARKERS = (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/EF ", b"/XFA")


def png_of(width: int, height: int) -> bytes:
    """A valid, flat white RGB PNG, compressed to almost nothing: 6300 x 6300 is ~130 KB on
    the wire and 160 MB once Pillow has decoded it."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    comp = zlib.compressobj(9)
    row = b"\0" + b"\xff" * (width * 3)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


PAGE_TEXT = b"BT /F1 24 Tf 72 700 Td (Letter of authorisation) Tj ET"


def active_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", annots: list[bytes] = (), extra=()) -> bytes:
    """One text page; the catalog, the page and its annotations get what is asked for.
    Objects 1-4 are catalog, pages, page, contents; ``extra`` objects follow from 5, and
    annotations after them."""
    first_annot = 5 + len(extra)
    annot_refs = b" ".join(b"%d 0 R" % (first_annot + i) for i in range(len(annots)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> "
        + (b"/Annots [" + annot_refs + b"] " if annots else b"")
        + page_extra
        + b" >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(PAGE_TEXT), PAGE_TEXT),
        *extra,
        *annots,
    ]
    return build_pdf(objects)


def upload(client: Api, data: bytes, filename: str, kind: str = "authorization"):
    return client.post("/api/v1/uploads", files={"file": (filename, data)}, data={"kind": kind})


def upload_until_taken(client: Api, data: bytes, filename: str, kind: str, seconds: float = 90.0):
    """An upload sent again while the gateway answers 503 service_unavailable (its heavy
    places are all taken: on a loaded machine eight large decodes outlast the wait for a
    place), as a person told 请稍后再试 would; returns the first other answer."""
    deadline = time.monotonic() + seconds
    while True:
        response = upload(client, data, filename, kind)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        assert response.json()["error"]["code"] == "service_unavailable", response.text
        time.sleep(0.5)


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class PeakRss:
    """Samples a process's resident memory every 20 ms while the block runs."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self):
        self.start = rss_kb(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.02)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))
        self.end = rss_kb(self.pid)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) * 1024 / MB


def parallel(calls):
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_parallel_decompression_bombs_are_refused_without_growing_the_gateway(stack, api):
    api.register()
    bomb = png_of(6300, 6300)  # 39.7 megapixels from ~130 KB
    assert len(bomb) < 200_000
    pid = stack.pid("gateway")
    assert_error(upload(api, bomb, "warm.png", "license"), 415, "unsupported_media_type")  # warm the route
    with PeakRss(pid) as rss:
        responses = parallel([lambda: upload(api, bomb, "bomb.png", "license") for _ in range(8)])
    for response in responses:
        body = assert_error(response, 415, "unsupported_media_type")
        assert "像素" in body["error"]["message"]
        assert body["error"]["details"]["max_pixels"] == 25_000_000
    print(f"8 parallel bombs: gateway RSS {rss.start // 1024} MB -> peak {rss.peak // 1024} MB")
    assert rss.growth_mb < 150, rss.growth_mb


def test_parallel_large_images_under_the_cap_decode_within_the_budget(stack, api):
    """Just under the cap (24.95 MP, 100 MB each once decoded), eight at once: they are
    accepted, and decoding holds at most the process's budget (128 MB), one at a time,
    instead of eight decodes side by side (800 MB)."""
    api.register()
    big = png_of(5000, 4990)
    pid = stack.pid("gateway")
    with PeakRss(pid) as rss:
        responses = parallel([lambda: upload_until_taken(api, big, "scan.png", "party_id") for _ in range(8)])
    for response in responses:
        assert response.status_code == 201, response.text
    print(
        f"8 parallel 25 MP images: gateway RSS {rss.start // 1024} -> peak {rss.peak // 1024}, end {rss.end // 1024} MB"
    )
    # Without the decode budget this load grew the gateway by about 764 MB. With it the peak
    # varies run to run (190 to 300 MB measured) because the allocator keeps freed pages
    # from earlier uploads in the same process: the bound sits well below the unbudgeted
    # figure, not at the luckiest run.
    assert rss.growth_mb < 400, rss.growth_mb


def test_many_pdfs_checked_at_once_all_open(stack, api):
    """The upload check shares the process's one PDFium lock: without it, PDFium opened
    from several threads at once reports sound files as corrupt."""
    api.register()
    pdfs = [make_pdf(200, f"Doc{n}") for n in range(8)]
    responses = parallel([lambda data=data: upload(api, data, "doc.pdf", "other") for data in pdfs * 2])
    assert [r.status_code for r in responses] == [201] * 16, [r.text for r in responses if r.status_code != 201]


def stored_bytes(client: Api, material: dict) -> bytes:
    response = client.get(f"/api/v1/uploads/{material['id']}")
    assert response.status_code == 200
    return response.content


def assert_inert(data: bytes) -> None:
    """No marker of active content in the bytes, and none in the objects either."""
    for marker in ACTIVE_MARKERS:
        assert marker not in data, marker
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/Names" not in pdf.Root or not ({"/JavaScript", "/EmbeddedFiles"} & set(pdf.Root.Names.keys()))
        assert not pdf.attachments
        for page in pdf.pages:
            assert "/AA" not in page
            for annot in page.get("/Annots", []):
                assert annot.get("/Subtype") != pikepdf.Name.FileAttachment
                action = annot.get("/A")
                assert action is None or action.get("/S") in (pikepdf.Name.URI, pikepdf.Name.GoTo)
    document = pdfium.PdfDocument(data)
    assert len(document) == 1
    assert "Letter of authorisation" in document[0].get_textpage().get_text_range()
    document.close()


def test_active_content_is_removed_before_a_clerk_can_download_it(stack, api):
    api.register()
    js = b"<< /Type /Action /S /JavaScript /JS (app.alert('pwned');) >>"
    embedded = b"<< /Type /EmbeddedFile /Length 5 >>\nstream\nMZ\x90\x00\x03\nendstream"
    samples = {
        "open_action.pdf": active_pdf(b"/OpenAction 5 0 R", extra=[js]),
        "aa.pdf": active_pdf(
            b"/AA << /WC << /S /JavaScript /JS (1) >> >>", b"/AA << /O << /S /JavaScript /JS (2) >> >>"
        ),
        "names.pdf": active_pdf(
            b"/Names << /JavaScript << /Names [(init) 5 0 R] >> >>",
            extra=[b"<< /S /JavaScript /JS (this.print();) >>"],
        ),
        "launch.pdf": active_pdf(
            annots=[
                b"<< /Type /Annot /Subtype /Link /Rect [72 72 200 100] /A << /S /Launch /F (cmd.exe) "
                b"/Win << /F (cmd.exe) /P (/c calc) >> >> >>",
                b"<< /Type /Annot /Subtype /Link /Rect [72 120 200 140] /A << /S /URI /URI (javascript:alert(1)) >> >>",
            ]
        ),
        "embedded.pdf": active_pdf(
            b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 5 0 R] >> >>",
            extra=[b"<< /Type /Filespec /F (invoice.exe) /UF (invoice.exe) /EF << /F 6 0 R >> >>", embedded],
            annots=[b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS 5 0 R /Contents (x) >>"],
        ),
        # names written with #xx escapes are the same names to a reader
        "escaped.pdf": active_pdf(b"/Open#41ction << /S /J#61vaScript /J#53 (app.alert(3)) >>"),
    }
    for name, data in samples.items():
        response = upload(api, data, name)
        assert response.status_code == 201, (name, response.text)
        material = response.json()
        stored = stored_bytes(api, material)
        assert stored != data, name
        assert material["size"] == len(stored) and material["content_type"] == "application/pdf"
        assert_inert(stored)
    # A web link stays: it is the reader who decides to follow it.
    linked = active_pdf(
        annots=[
            b"<< /Type /Annot /Subtype /Link /Rect [72 72 200 100] /A << /S /URI /URI (https://www.court.gov.cn/) >> >>"
        ]
    )
    material = upload(api, linked, "linked.pdf").json()
    assert stored_bytes(api, material) == linked

    # A plain PDF is stored byte for byte and opens.
    plain = active_pdf()
    material = upload(api, plain, "plain.pdf").json()
    assert stored_bytes(api, material) == plain
    assert_inert(plain)


def test_a_pdf_qpdf_cannot_vouch_for_is_refused_in_the_contract_shape(stack, api):
    api.register()
    body = assert_error(upload(api, b"%PDF-1.4\n%%EOF\n", "empty.pdf"), 415, "unsupported_media_type")
    assert set(body) == {"error"} and "Traceback" not in str(body) and "/" not in body["error"]["message"]


def test_an_account_cannot_hold_more_materials_than_its_quota(stack):
    """This stack allows 30 materials per account (MATERIALS_MAX_COUNT_PER_ACCOUNT)."""
    client = Api(stack.base_url)
    client.register()
    limit = int(stack.env["MATERIALS_MAX_COUNT_PER_ACCOUNT"])
    tiny = png_of(8, 8)
    for n in range(limit - 1):  # the identity document sent for 实名认证 is one of them
        response = upload(client, tiny, f"{n}.png", "other")
        assert response.status_code == 201, (n, response.text)
    body = assert_error(upload(client, tiny, "one-too-many.png", "other"), 413, "too_large")
    assert "上限" in body["error"]["message"]
    assert int(body["error"]["details"]["max_count"]) == limit  # numbers cross the RPC as text
    (count,) = stack.sql("applications", "SELECT COUNT(*) FROM materials WHERE owner_id = ?", (client.user["id"],))[0]
    assert count == limit
    # another account is not affected
    other = Api(stack.base_url)
    other.register()
    assert upload(other, tiny, "mine.png", "other").status_code == 201
