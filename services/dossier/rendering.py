"""Pages: render one PDF page with PDFium, stamp it with the reader's watermark (水印),
assemble stamped pages into a print copy. CPU work only: callers run it in a real thread
(eventlet.tpool) so the service's hub keeps heartbeats and other requests flowing.

PDFium is not thread-safe, not even across documents, so every PDFium call holds one
process-wide OS lock; stamping and encoding, the larger share, run outside it.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import zlib
from collections import OrderedDict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pypdfium2 as pdfium
from eventlet import patcher
from isal import isal_zlib
from PIL import Image, ImageChops, ImageDraw, ImageFont

from services.common.infra import config
from services.common.infra.pdfium import PDFIUM_LOCK  # shared with the upload check

if TYPE_CHECKING:
    from services.dossier.print_processes import PageProcesses

_threading = patcher.original("threading")

RENDER_WIDTH = 1240  # px: A4 at 150 dpi, comfortably readable and above the 1000 px floor
STAMP_COLOUR = (120, 120, 120)
STAMP_ALPHA = 72  # of 255: legible, and the page stays readable underneath
STAMP_ANGLE = 30

_KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
)


class PdfRefused(Exception):
    """The upload is not a PDF we can serve; ``code`` is the contract's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


def find_cjk_font() -> tuple[str, int]:
    """A font file (and face index in a collection) with Chinese glyphs, or a clear failure:
    a watermark drawn in empty boxes is no watermark. ``DOSSIER_STAMP_FONT`` overrides."""
    override = os.environ.get("DOSSIER_STAMP_FONT")
    if override and Path(override).is_file():
        return override, 0
    try:  # fc-match falls back to a Latin font silently, so check the family it gives back
        found = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        path, index, family = (found.split("|", 2) + ["", "", ""])[:3]
        if ("CJK" in family or "WenQuanYi" in family) and Path(path).is_file():
            return path, int(index or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for path in _KNOWN_FONTS:
        if Path(path).is_file():
            return path, 2 if "NotoSansCJK" in path else 0  # face 2 of Noto's collection is SC
    raise RuntimeError("no CJK font for the watermark: install fonts-noto-cjk (bash deploy/install-deps.sh)")


def inspect_pdf(path: str) -> int:
    """The page count of a PDF we can serve, or ``PdfRefused``."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise PdfRefused("unsupported_media_type", "卷宗文件应为 PDF 格式")
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise PdfRefused("encrypted_pdf", "该 PDF 已加密，请上传未加密的文件") from None
            raise PdfRefused("invalid_pdf", "无法读取该 PDF 文件，文件可能已损坏") from None
        try:
            count = len(doc)
            if count < 1:
                raise PdfRefused("invalid_pdf", "该 PDF 没有页面")
            page = doc[0]  # a file that opens but cannot give its first page is no use either
            page.close()
        finally:
            doc.close()
    return count


class OpenDocuments:
    """The PDFium documents pages were last rendered from, kept open (at most ``size``).

    Opening a document is cheap (PDFium reads the cross-reference table), but its first
    page load builds the index of every page in the page tree: 4 ms for a 1,000-page
    document, 20 ms for 5,000, against 0.5 ms for 10, paid again on every page when each
    page opened the file afresh. Kept open, the index is built once per document and
    process, and a page of a long document costs what a page of a short one does.

    The local originals are immutable (their name is the digest of their object key), so an
    open document never goes stale; one the originals' sweep removed stays readable until
    it leaves this list, and its disk space is returned then. A document is reopened after
    ``pages_per_open`` renders, so what PDFium keeps of the pages it parsed stays bounded.
    Used only under ``PDFIUM_LOCK``."""

    def __init__(self, size: int = 8, pages_per_open: int = 500):
        self.size = size
        self.pages_per_open = pages_per_open
        self._open: OrderedDict[str, list] = OrderedDict()  # path -> [document, renders]

    def get(self, path: str) -> pdfium.PdfDocument:
        entry = self._open.get(path)
        if entry is not None and entry[1] >= self.pages_per_open:
            self.drop(path)
            entry = None
        if entry is None:
            entry = self._open[path] = [pdfium.PdfDocument(path), 0]
            while len(self._open) > self.size:
                _, (oldest, _) = self._open.popitem(last=False)
                oldest.close()
        self._open.move_to_end(path)
        entry[1] += 1
        return entry[0]

    def drop(self, path: str) -> None:
        entry = self._open.pop(path, None)
        if entry is not None:
            entry[0].close()

    def close(self) -> None:
        for path in list(self._open):
            self.drop(path)


_documents = OpenDocuments()


def render_page(path: str, index: int, width: int = RENDER_WIDTH) -> Image.Image:
    """One page (0-based) as an image ``width`` px wide (one channel for a grey page, else
    RGB: ``page_image``); the rest of the file is not read
    beyond what PDFium needs for that page. The document stays open for the next page
    (``OpenDocuments``)."""
    with PDFIUM_LOCK:
        doc = _documents.get(path)
        try:
            bitmap, _ = rasterize(doc, index, width)
        except Exception:
            _documents.drop(path)  # a document that failed once is opened afresh next time
            raise
    return page_image(bitmap)  # Pillow's work: outside PDFium's lock


def rasterize(doc: pdfium.PdfDocument, index: int, width: int) -> tuple[pdfium.PdfBitmap, float]:
    """PDFium's part of a page: its bitmap ``width`` px wide and the page's width in points.
    Under ``PDFIUM_LOCK``; the bitmap outlives the page and the document."""
    page = doc[index]
    try:
        page_width = page.get_width() or 595.0
        bitmap = page.render(scale=width / page_width, may_draw_forms=False, prefer_bgrx=True, rev_byteorder=True)
        return bitmap, page_width
    finally:
        page.close()


def page_image(bitmap: pdfium.PdfBitmap) -> Image.Image:
    """The rasterized page as Pillow's image, made without PDFium's lock so another thread's
    page is rasterized meanwhile, and the bitmap freed under it, as every PDFium call.

    Most dossiers are black-and-white scans and typed pages: kept as one channel they stamp
    and encode about four times faster, with the same pixels. PDFium renders RGBX, which
    Pillow reads in place, so a grey page is taken as one of its channels and its colour
    copy is never made; only a colour page is copied out as RGB. Per 1240 px page, from the
    rasterized page to the image: 5 ms where copying the RGB out first, then checking it,
    took 11."""
    try:
        view = bitmap.to_pil()  # RGBX over the bitmap's memory, which goes below
        red, green, blue = (view.getchannel(band) for band in "RGB")
        if ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None:
            return red
        return view.convert("RGB")
    finally:
        with PDFIUM_LOCK:
            bitmap.close()


def encode_png(image: Image.Image) -> bytes:
    """An "L" or "RGB" image as a PNG: rows unfiltered, deflated by ISA-L at its fastest
    level. Pillow's encoder tries every row filter on every row and then deflates with
    zlib; for a stamped page (the watermark over the whole of it) that was most of the
    page's CPU. Measured on a 1240 px page, CPU per page: a typed page stamped, 2.4 ms
    against Pillow's 23 at zlib level 1, and 72 KiB against 87; a noisy scan, 11 ms
    against 78 (809 KiB against 897); a colour page, 42 ms against 229. Any PNG reader
    reads it (PNG's filter type 0 and a plain zlib stream)."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    width, height = image.size
    stride = width * len(image.mode)
    pixels = image.tobytes()
    rows = b"".join(b"\x00" + pixels[start : start + stride] for start in range(0, len(pixels), stride))
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if image.mode == "L" else 2, 0, 0, 0)
    deflated = isal_zlib.compress(rows, 1)
    return _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", deflated) + _chunk(b"IEND", b"")


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


class Stamper:
    """Draws the reader's watermark diagonally, repeated over the whole page."""

    def __init__(self, font: tuple[str, int], cache_size: int = 32):
        self.font_path, self.font_index = font
        self._fonts: dict[int, ImageFont.FreeTypeFont] = {}
        self._masks: OrderedDict[tuple, Image.Image] = OrderedDict()
        self._cache_size = cache_size
        self._lock = _threading.Lock()

    def stamp(self, image: Image.Image, lines: Sequence[str]) -> Image.Image:
        mask = self._mask(image.size, tuple(lines))
        stamped = image.copy()
        colour = STAMP_COLOUR if image.mode == "RGB" else STAMP_COLOUR[0]
        stamped.paste(colour, (0, 0, *image.size), mask)
        return stamped

    def _font(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._fonts:
            self._fonts[size] = ImageFont.truetype(self.font_path, size, index=self.font_index)
        return self._fonts[size]

    def _mask(self, size: tuple[int, int], lines: tuple[str, ...]) -> Image.Image:
        # The mask depends only on page size and text (the text changes once a minute), so
        # one is reused for a reader's consecutive pages; it is never a stamped page.
        key = (size, lines)
        with self._lock:
            if key in self._masks:
                self._masks.move_to_end(key)
                return self._masks[key]
        mask = self._build_mask(size, lines)
        with self._lock:
            self._masks[key] = mask
            while len(self._masks) > self._cache_size:
                self._masks.popitem(last=False)
        return mask

    def _build_mask(self, size: tuple[int, int], lines: tuple[str, ...]) -> Image.Image:
        width, height = size
        font = self._font(max(14, width // 40))
        probe = ImageDraw.Draw(Image.new("L", (1, 1)))
        text = "\n".join(lines)
        left, top, right, bottom = probe.multiline_textbbox((0, 0), text, font=font, spacing=6)
        tile = Image.new("L", (int(right - left) + 8, int(bottom - top) + 8), 0)
        ImageDraw.Draw(tile).multiline_text((4 - left, 4 - top), text, font=font, fill=STAMP_ALPHA, spacing=6)
        tile = tile.rotate(STAMP_ANGLE, expand=True, resample=Image.Resampling.BICUBIC)
        mask = Image.new("L", size, 0)
        step_x, step_y = int(tile.width * 1.1), int(tile.height * 0.9)
        for row, y in enumerate(range(-step_y // 2, height, step_y)):
            offset = (step_x // 2) * (row % 2)
            for x in range(-step_x + offset, width, step_x):
                mask.paste(tile, (x, y), tile)
        return mask


class ImagePdfWriter:
    """A PDF of one JPEG per page, written as it goes: a print copy of a long document
    never holds more than one page in memory."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.offsets: dict[int, int] = {}
        self.page_ids: list[int] = []
        self.next_id = 3  # 1: catalog, 2: page tree, written at the end
        fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.fh.tell()
        self.fh.write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.fh.write(b"\nstream\n" + stream + b"\nendstream")
        self.fh.write(b"\nendobj\n")

    def add_page(self, jpeg: bytes, pixels: tuple[int, int], points: tuple[float, float], grey: bool = False) -> None:
        image_id, content_id, page_id = self.next_id, self.next_id + 1, self.next_id + 2
        self.next_id += 3
        w, h = pixels
        pw, ph = points
        self._object(
            image_id,
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>"
            % (w, h, b"DeviceGray" if grey else b"DeviceRGB", len(jpeg)),
            jpeg,
        )
        content = zlib.compress(b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph))
        self._object(content_id, b"<< /Length %d /Filter /FlateDecode >>" % len(content), content)
        self._object(
            page_id,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
            b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (pw, ph, content_id, image_id),
        )
        self.page_ids.append(page_id)

    def close(self) -> None:
        kids = b" ".join(b"%d 0 R" % i for i in self.page_ids)
        self._object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self.page_ids)))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        xref_at = self.fh.tell()
        count = self.next_id
        self.fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        for number in range(1, count):
            self.fh.write(b"%010d 00000 n \n" % self.offsets[number])
        self.fh.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref_at))


def print_threads() -> int:
    """``DOSSIER_PRINT_THREADS``: how many pages of one print copy may be copied out,
    stamped and encoded at once, beside PDFium rasterizing the next (it rasterizes one page
    at a time in a process, under its lock). With one, the default, pages are made one
    after another, as before threads: on cores other work already takes, a second thread
    lost to the interpreter lock's hand-offs what it gained (README, performance); two or
    more pay on cores a long job has to itself."""
    return max(1, int(config.get("DOSSIER_PRINT_THREADS", 1)))


# a page of a print copy: its JPEG, its size in pixels and in points, and whether it is grey
PrintedPage = tuple[bytes, tuple[int, int], tuple[float, float], bool]


def finish_page(stamper: Stamper, lines: tuple[str, ...], bitmap: pdfium.PdfBitmap, page_width: float) -> PrintedPage:
    """A rasterized page as it goes into a print copy: copied out, stamped, JPEG-encoded."""
    image = page_image(bitmap)
    stamped = stamper.stamp(image, lines)
    buffer = io.BytesIO()
    stamped.save(buffer, format="JPEG", quality=82)
    points = (page_width, page_width * image.height / image.width)
    return buffer.getvalue(), image.size, points, stamped.mode == "L"


class _Finishing:
    """One rasterized page being copied out, stamped and JPEG-encoded in a real thread.
    Pillow lets go of the interpreter lock for much of that work but not all of it, which
    is why more threads pay only on idle cores."""

    def __init__(self, stamper: Stamper, lines: tuple[str, ...], bitmap: pdfium.PdfBitmap, page_width: float):
        self.stamper, self.lines, self.bitmap, self.page_width = stamper, lines, bitmap, page_width
        self.page: PrintedPage | None = None
        self.failure: BaseException | None = None
        self.thread = _threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        try:
            self.page = finish_page(self.stamper, self.lines, self.bitmap, self.page_width)
        except BaseException as exc:  # handed to the thread that writes the copy
            self.failure = exc

    def join(self) -> None:
        self.thread.join()

    def result(self) -> PrintedPage:
        self.join()
        if self.failure is not None:
            raise self.failure
        assert self.page is not None
        return self.page


class StampedPdf:
    """A print copy being written: pages of one or more documents added in order, each
    rendered, stamped and written as it comes, so memory holds a few pages whatever the
    length. A long run of pages is made by the ``workers`` processes, one page each at a
    time (``print_processes``), if given; a short one in this process, where PDFium renders one
    page while at most ``threads`` are being stamped and encoded. Called from one real
    thread at a time (the caller's ``tpool``); ``close`` writes the end of the PDF, and
    ``end_workers`` must follow a copy abandoned half-way."""

    def __init__(
        self,
        out: BinaryIO,
        stamper: Stamper,
        lines: Sequence[str],
        width: int = RENDER_WIDTH,
        threads: int | None = None,
        workers: PageProcesses | None = None,
    ):
        self.writer = ImagePdfWriter(out)
        self.stamper = stamper
        self.lines = tuple(lines)
        self.width = width
        self.threads = threads or print_threads()
        self.workers = workers

    def add_pages(self, path: str, first: int = 0, last: int | None = None) -> int:
        """Pages ``first`` to ``last`` (0-based, exclusive; None: to the end) of the PDF at
        ``path``; returns how many were added."""
        with PDFIUM_LOCK:
            doc = pdfium.PdfDocument(path)
        finishing: deque[_Finishing] = deque()
        try:
            with PDFIUM_LOCK:
                total = len(doc)
            end = total if last is None else min(last, total)
            if self.workers is not None and self.workers.wanted(path, first, total):
                for page in self.workers.pages(self, path, first, end, total):
                    self.writer.add_page(*page)
                return max(0, end - first)
            for index in range(first, end):
                with PDFIUM_LOCK:
                    bitmap, page_width = rasterize(doc, index, self.width)
                finishing.append(_Finishing(self.stamper, self.lines, bitmap, page_width))
                if len(finishing) >= self.threads:
                    self.writer.add_page(*finishing.popleft().result())
            while finishing:  # in the document's order, whichever finished first
                self.writer.add_page(*finishing.popleft().result())
        finally:
            for worker in finishing:  # a failure above: let the others end before closing
                worker.join()
            with PDFIUM_LOCK:
                doc.close()
        return max(0, end - first)

    def close(self) -> None:
        self.end_workers()
        self.writer.close()

    def end_workers(self) -> None:
        if self.workers is not None:
            self.workers.close()


def print_copy(
    path: str,
    stamper: Stamper,
    lines: Sequence[str],
    out: BinaryIO,
    width: int = RENDER_WIDTH,
    workers: PageProcesses | None = None,
) -> int:
    """The whole document for printing (打印), every page stamped the same way; returns the
    page count."""
    copy = StampedPdf(out, stamper, lines, width, workers=workers)
    try:
        count = copy.add_pages(path)
        copy.close()
    finally:
        copy.end_workers()
    return count
