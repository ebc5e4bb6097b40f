"""Active content in uploaded PDFs: found, and rewritten away.

A material (申请材料) is opened by a clerk in the court's own PDF reader. A PDF can carry
things that act when it is opened or clicked rather than being read: JavaScript (the
/OpenAction of the document, /AA triggers on pages, fields and annotations, the
/JavaScript name tree), /Launch actions that start programs, form submission and import,
links to other files (/GoToR, /GoToE), embedded files (/EmbeddedFiles, /FileAttachment
annotations, /EF streams, associated files), XFA forms and rich media. None of that
belongs in a licence, a letter or a power of attorney.

Such a file is not refused: a lawyer's PDF from a word processor or a scanner may carry a
harmless-looking /OpenAction or an attachment without the lawyer knowing. It is rewritten
without those parts (qpdf, through pikepdf, writes only what is still referenced), and
the cleaned copy is what is stored, counted and handed to clerks. The pages, text,
links to web addresses and bookmarks stay. A PDF without any of it is stored byte for
byte: rewriting a clean file would change its hash and break a digital signature for
nothing. (A signed PDF that did carry active content loses its signature's validity: the
court sees the cleaned content, not a signed original.)
"""

from __future__ import annotations

import logging
import re
import tempfile
from typing import BinaryIO, cast

import pikepdf
from pikepdf import Array, Dictionary, Name

log = logging.getLogger(__name__)

MAX_OBJECTS = 200_000  # a 2,000-page text PDF has ~6,000; far more is a parser bomb
SPOOL_IN_MEMORY = 1024 * 1024

# Actions a reader may run from a link or outline entry without acting outside the file.
SAFE_ACTIONS = {"/GoTo", "/Named", "/Thread", "/SetOCGState", "/Trans", "/GoTo3DView"}
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
# Actions that act outside the file (or run code): emptied wherever they stand.
UNSAFE_ACTIONS = {
    "/JavaScript", "/ECMAScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
    "/Rendition", "/Sound", "/Movie", "/RichMediaExecute",
}  # fmt: skip
# Keys whose whole value is active content, wherever they stand.
ACTIVE_KEYS = ("/AA", "/OpenAction", "/JavaScript", "/JS", "/EmbeddedFiles", "/EF", "/AF", "/XFA", "/Collection")
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}

# Bytes that mean a closer look is due even where the objects that hold them are not
# reachable any more (an earlier revision of the file), and any name written with #xx
# escapes (/J#61vaScript is /JavaScript to a reader).
_MARKERS = re.compile(
    rb"/(?:AA|OpenAction|JavaScript|JS|Launch|EmbeddedFiles?|EF|AF|XFA|RichMedia|SubmitForm|ImportData"
    rb"|GoToR|GoToE|FileAttachment|Collection)(?![A-Za-z0-9])"
    rb"|/[^\s()<>\[\]{}/%]*#[0-9A-Fa-f]{2}"
)


class Unreadable(Exception):
    """qpdf could not read what PDFium could: we cannot vouch for it."""


def _bad_action(action: object) -> bool:
    if not isinstance(action, Dictionary):
        return not isinstance(action, Array)  # an array is a destination; anything else is junk
    kind = action.get("/S")
    if kind == Name.URI:
        uri = action.get("/URI")
        text = bytes(uri).decode("latin-1").strip().lower() if isinstance(uri, pikepdf.String) else ""
        return not text.startswith(SAFE_URI_SCHEMES)
    return str(kind) not in SAFE_ACTIONS


def _clean_dictionary(d: Dictionary) -> int:
    removed = 0
    for key in ACTIVE_KEYS:
        if key in d:
            del d[key]
            removed += 1
    if "/A" in d and _bad_action(d.get("/A")):
        del d["/A"]
        removed += 1
    if "/Next" in d:  # an action's follow-up actions: one, or an array of them
        nxt = d.get("/Next")
        if isinstance(nxt, Array):
            keep = [a for a in nxt if not _bad_action(a)]
            if len(keep) != len(nxt):
                d["/Next"] = Array(keep)
                removed += len(nxt) - len(keep)
        elif _bad_action(nxt):
            del d["/Next"]
            removed += 1
    kind = d.get("/S")
    if (str(kind) in UNSAFE_ACTIONS or kind == Name.URI) and _bad_action(d):
        # An action object this walk reached on its own (shared, or from a key it does not
        # know): emptied, so whatever still refers to it refers to nothing that runs.
        for key in list(d.keys()):
            del d[key]
        removed += 1
    annots = d.get("/Annots")
    if isinstance(annots, Array):
        keep = [a for a in annots if not (isinstance(a, Dictionary) and a.get("/Subtype") in ACTIVE_ANNOTATIONS)]
        if len(keep) != len(annots):
            d["/Annots"] = Array(keep)
            removed += len(annots) - len(keep)
    return removed


def _walk(obj: object) -> int:
    """Clean one object and the direct objects inside it (indirect ones are walked on
    their own from the object table)."""
    removed = 0
    stack = [obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Dictionary):
            removed += _clean_dictionary(item)
            children = [item.get(k) for k in item.keys()]
        elif isinstance(item, Array):
            children = list(item)
        else:
            continue
        for child in children:
            if isinstance(child, Dictionary | Array) and not child.is_indirect:
                stack.append(child)
    return removed


def strip_active_content(stream: BinaryIO) -> BinaryIO | None:
    """A cleaned copy of the PDF in ``stream`` if it held active content, else ``None``
    (store the original). Raises ``Unreadable`` if qpdf cannot read it, ``TooComplex``
    past MAX_OBJECTS. Leaves ``stream`` at its start."""
    stream.seek(0)
    raw_hit = _scan(stream)
    try:
        with pikepdf.open(stream) as pdf:
            objects = pdf.objects
            if len(objects) > MAX_OBJECTS:
                raise TooComplex()
            removed = _walk(pdf.trailer)
            for obj in objects:
                if isinstance(obj, Dictionary | Array | pikepdf.Stream):
                    removed += _walk(obj)
            names = pdf.Root.get("/Names")
            if isinstance(names, Dictionary) and len(names.keys()) == 0:
                del pdf.Root["/Names"]
            if not removed and not raw_hit:
                return None
            out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
            try:
                # Without object streams, so every dictionary of the stored copy can be read
                # (and checked) as text; qpdf writes only the objects still referenced.
                pdf.save(
                    cast(BinaryIO, out), object_stream_mode=pikepdf.ObjectStreamMode.disable, fix_metadata_version=False
                )
            except BaseException:
                out.close()
                raise
    except TooComplex:
        raise
    except Exception:
        raise Unreadable() from None
    finally:
        stream.seek(0)
    out.seek(0)
    log.info("removed active content from an uploaded PDF", extra={"removed": removed})
    return cast(BinaryIO, out)


class TooComplex(Exception):
    """More objects than any material needs."""


def _scan(stream: BinaryIO, chunk: int = 1024 * 1024) -> bool:
    stream.seek(0)
    tail = b""
    while block := stream.read(chunk):
        window = tail + block
        if _MARKERS.search(window):
            stream.seek(0)
            return True
        tail = window[-64:]
    stream.seek(0)
    return False
