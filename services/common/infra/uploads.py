"""Checking uploaded files by what they are, not by what they are called.

Only PDF, JPEG and PNG are accepted. The type comes from the first bytes (magic numbers),
and then the whole file must decode as that type: an image is decoded by Pillow (a
truncated PNG fails); a PDF must open in PDFium. The user's file name is kept only as
display text.

Bounded, so that checking cannot be turned against the gateway:

- Pixels. A small file can declare a huge picture (a 170 KB PNG of 6300 x 6300 pixels
  decodes into 160 MB). The declared size is read from the header and anything above
  MAX_IMAGE_PIXELS is refused (415) before a pixel is decoded. A JPEG is decoded at an
  eighth of its size (libjpeg's DCT scaling still reads and checks every byte of it).
- Memory at once. Every decode first reserves what it will hold from one budget per
  process (UPLOAD_DECODE_BUDGET_MB), and waits while others hold it: however many uploads
  arrive together, decoding never holds more than the budget.
- PDFium. It is not thread-safe: the check holds the process-wide PDFium lock
  (services.common.infra.pdfium), as rendering does.
- Active content. A PDF with JavaScript, launch actions, embedded files and the like is
  rewritten without them (services.common.infra.pdf_active); the cleaned copy is stored.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from eventlet import patcher

from services.common.infra import config
from services.common.infra.pdfium import PDFIUM_LOCK

_threading = patcher.original("threading")  # the checks run in real threads (eventlet.tpool)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# 25 megapixels: a 24 MP camera (6000 x 4000), an A4 scan at 400 dpi (15.5 MP). A photo of
# a licence or an ID card needs far less; a larger picture can be shrunk or sent as a PDF.
MAX_IMAGE_PIXELS = 25_000_000
DECODE_BUDGET_MB = 128  # default of UPLOAD_DECODE_BUDGET_MB: one picture at the cap, or many small ones
DECODE_WAIT_SECONDS = 30.0
MAX_FILENAME = 100

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"

# 申请材料: the kinds a user can upload (API.md "Materials"), with the manual's names. The
# gateway refuses an unknown kind before storing a byte; applications owns what each needs.
MATERIAL_KINDS = {
    "license": "执业证",
    "firm_letter": "律所介绍信或证明",
    "authorization": "当事人授权委托书或法律援助公函",
    "party_id": "当事人身份证明",
    "identity": "本人身份证件（实名认证）",
    "other": "其他材料",
}


class Refused(Exception):
    """The file is not one we accept; ``reason`` is a sentence for the user."""

    def __init__(self, reason: str, details: dict | None = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details or {}


class Busy(Exception):
    """Too many large files are being checked at once; the caller may retry."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    size: int
    sha256: str
    # What to store: the uploaded stream itself, or a cleaned copy of it (``cleaned``),
    # which the caller closes.
    body: BinaryIO | None = None
    cleaned: bool = False


class DecodeBudget:
    """A semaphore counted in bytes: ``reserve(n)`` waits until ``n`` bytes of the budget
    are free. A reservation larger than the whole budget waits for all of it."""

    def __init__(self, total: int):
        self.total = total
        self._free = total
        self._cond = _threading.Condition(_threading.Lock())

    @contextmanager
    def reserve(self, amount: int, timeout: float = DECODE_WAIT_SECONDS):
        amount = max(1, min(int(amount), self.total))
        with self._cond:
            if not self._cond.wait_for(lambda: self._free >= amount, timeout):
                raise Busy()
            self._free -= amount
        try:
            yield
        finally:
            with self._cond:
                self._free += amount
                self._cond.notify_all()

    @property
    def free(self) -> int:
        with self._cond:
            return self._free


_budget: DecodeBudget | None = None
_budget_lock = _threading.Lock()


def decode_budget() -> DecodeBudget:
    global _budget
    with _budget_lock:
        if _budget is None:
            megabytes = int(config.get("UPLOAD_DECODE_BUDGET_MB", DECODE_BUDGET_MB))
            _budget = DecodeBudget(max(16, megabytes) * 1024 * 1024)
        return _budget


def _give_back_memory() -> None:
    """Hand freed heap back to the OS after a large decode: glibc keeps it otherwise, and
    the gateway would stay at its high-water mark."""
    try:
        _libc().malloc_trim(0)
    except Exception:
        pass


_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return _LIBC


def sniff_type(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def digest(stream: BinaryIO, chunk: int = 1024 * 1024) -> tuple[int, str]:
    """Size and SHA-256 of a seekable stream, read in chunks; leaves it at the start."""
    stream.seek(0)
    sha, size = hashlib.sha256(), 0
    while block := stream.read(chunk):
        sha.update(block)
        size += len(block)
    stream.seek(0)
    return size, sha.hexdigest()


def _too_many_pixels() -> Refused:
    return Refused(
        f"图片像素过多（最多 {MAX_IMAGE_PIXELS // 10_000} 万像素），请缩小尺寸后重新上传，或转为 PDF 上传",
        {"max_pixels": MAX_IMAGE_PIXELS},
    )


def _decode_bytes(image, content_type: str) -> int:
    """What decoding ``image`` will hold at most, from its header alone."""
    width, height = image.size
    if content_type == JPEG:
        if image.info.get("progressive") or image.info.get("progression"):
            # libjpeg keeps every DCT coefficient of a progressive JPEG: 2 bytes a sample
            return width * height * max(1, len(image.getbands())) * 2 + (width * height) // 16
        return (width * height * 4) // 64 + 8 * 1024 * 1024  # an eighth each way, and line buffers
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return width * height * per_pixel + 1024 * 1024


def _check_image(stream: BinaryIO, content_type: str) -> None:
    from PIL import Image

    big = False
    try:
        # Pillow refuses above 2 x its own MAX_IMAGE_PIXELS at open (and warns above it):
        # the cap here is far lower and is checked before anything is decoded.
        with Image.open(stream) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            need = _decode_bytes(image, content_type)
            big = need > 32 * 1024 * 1024
            with decode_budget().reserve(need):
                if content_type == JPEG:
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()  # full decode: truncated or corrupt data fails here
    except (Refused, Busy):
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:
        raise Refused("图片已损坏或不完整，无法打开") from None
    finally:
        stream.seek(0)
        if big:
            _give_back_memory()


def _check_pdf(stream: BinaryIO) -> None:
    stream.seek(0, os.SEEK_END)
    end = stream.tell()
    stream.seek(max(0, end - 2048))
    tail = stream.read()
    stream.seek(0)
    if b"%%EOF" not in tail:
        raise Refused("PDF 文件不完整，无法打开")
    import pypdfium2

    try:
        with PDFIUM_LOCK:  # PDFium is not thread-safe: one call at a time in the process
            document = pypdfium2.PdfDocument(stream, autoclose=False)  # reads the spooled file, not a copy
            try:
                pages = len(document)
            finally:
                document.close()
        if pages < 1:
            raise Refused("PDF 文件没有页面")
    except Refused:
        raise
    except Exception:
        raise Refused("PDF 文件已损坏或已加密，无法打开") from None
    finally:
        stream.seek(0)


def _clean_pdf(stream: BinaryIO) -> BinaryIO | None:
    from services.common.infra import pdf_active

    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    try:
        # qpdf holds the object graph (not the page contents): a few times the file at most
        with decode_budget().reserve(3 * size + 4 * 1024 * 1024):
            cleaned = pdf_active.strip_active_content(stream)
    except pdf_active.TooComplex:
        raise Refused("PDF 文件结构过于复杂，请重新导出或打印为 PDF 后上传") from None
    except pdf_active.Unreadable:
        raise Refused("PDF 文件已损坏，无法打开") from None
    if cleaned is None:
        return None
    try:
        _check_pdf(cleaned)  # the cleaned copy must still open
    except BaseException:
        cleaned.close()
        raise
    return cleaned


def check_file(stream: BinaryIO) -> Sniffed:
    """Decide what a (seekable) uploaded file is, or raise ``Refused`` (or ``Busy``).
    ``body`` of the answer is what to store: ``stream`` itself, or for a PDF that carried
    active content a cleaned copy, which the caller closes; size and hash are of ``body``."""
    stream.seek(0)
    content_type = sniff_type(stream.read(16))
    stream.seek(0)
    if content_type is None:
        raise Refused("仅支持 PDF、JPG、PNG 格式的文件")
    if content_type == PDF:
        _check_pdf(stream)
        cleaned = _clean_pdf(stream)
        if cleaned is not None:
            size, sha = digest(cleaned)
            return Sniffed(content_type, size, sha, cleaned, cleaned=True)
    else:
        _check_image(stream, content_type)
    size, sha = digest(stream)
    return Sniffed(content_type, size, sha, stream)


def display_filename(raw: object, content_type: str | None = None) -> str:
    """The user's file name as display text: no directories, no control characters,
    bounded; never used as a storage key."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFC", text).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if len(text) > MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else text[:MAX_FILENAME]
    if not text:
        text = {PDF: "file.pdf", JPEG: "image.jpg", PNG: "image.png"}.get(content_type or "", "file")
    return text
