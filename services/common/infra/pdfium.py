"""The one PDFium lock of a process.

PDFium is not thread-safe, not even across documents, and pypdfium2 forbids concurrent
calls: two threads opening two different PDFs at once can each see the other's half-read
state and report a sound file as corrupt. Every PDFium call in a process (the gateway's
upload check, the dossier service's rendering) holds this lock. It is an OS lock (eventlet
leaves it unpatched) because the callers run in real threads (eventlet.tpool); a green
thread must never wait on it on the hub.
"""

from __future__ import annotations

from eventlet import patcher

_threading = patcher.original("threading")

PDFIUM_LOCK = _threading.Lock()
