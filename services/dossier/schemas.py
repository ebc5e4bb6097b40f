"""Wire shapes of dossier: the models the document describes reading with (查看案卷, 复制链接,
打印, 阅卷记录), and the functions that build the answers."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from services.common.court import clock
from services.common.infra.shapes import DATE_TIME, DAY
from services.common.infra.wire import Answer, Body, Described, Page
from services.dossier.domain import MAX_PRINT_DOCUMENTS
from services.dossier.models import AccessLogEntry, Document


class PrintRequest(Described):
    """打印任务: the documents to print (default every readable one), in the dossier's order;
    checked by dossier after the grant (403, 404, 410 first)."""

    example: ClassVar = {"documents": [101, 102]}
    documents: list[int] | None = Field(
        None,
        min_length=1,
        max_length=MAX_PRINT_DOCUMENTS,
        description="要打印的卷宗文件编号；省略则打印全部可阅文件",
    )


class DocumentEntry(Answer):
    id: int
    title: str
    page_count: int


class Volume(Answer):
    title: str = Field(description="卷名，如 正卷（一）")
    documents: list[DocumentEntry]


class Dossier(Answer):
    """卷宗结构: volumes, their documents and page counts (正卷 only)."""

    example: ClassVar = {
        "case_no": "（2021）粤01民初1号",
        "valid_until": "2026-06-02",
        "print": True,
        "volumes": [{"title": "正卷", "documents": [{"id": 101, "title": "起诉状", "page_count": 4}]}],
    }
    case_no: str
    valid_until: str = Field(json_schema_extra=DAY, description="可阅至该日（含）24 时，北京时间")
    print: bool | None = Field(None, description="是否允许打印")
    volumes: list[Volume]


class Link(Answer):
    """复制链接: the address to open on a PC, signed in as the same user."""

    example: ClassVar = {"url": "https://court.example/r/Zm9vYmFy", "expires_at": "2026-06-02T23:59:59+08:00"}
    url: str
    expires_at: str = Field(json_schema_extra=DATE_TIME)


class LinksRevoked(Answer):
    revoked: int = Field(description="作废的链接数")


class LogEntry(Answer):
    """阅卷记录的一条."""

    at: str = Field(json_schema_extra=DATE_TIME)
    actor: str = Field(description="阅卷人姓名")
    action: Literal["view_page", "download_pdf", "link_created", "link_opened"] | str
    document_id: int | None = None
    document_title: str | None = None
    page: int | None = None


class LogPage(Page[LogEntry]):
    """A page of an application's access log (阅卷日志)."""


class PrintJob(Answer):
    """打印任务的进度: one stamped PDF of the chosen documents, made in the background
    (``pages_done`` of ``pages_total`` so far); at most three of a reader's at once."""

    example: ClassVar = {
        "id": "b3f1c2d4e5a60718293a4b5c6d7e8f90",
        "status": "running",
        "pages_done": 12,
        "pages_total": 40,
        "documents": [101, 102],
        "created_at": "2026-05-18T10:00:00+08:00",
        "finished_at": None,
    }
    id: str = Field(description="打印任务编号（随机，不可推测）")
    status: Literal["queued", "running", "done", "failed"]
    pages_done: int
    pages_total: int
    documents: list[int]
    created_at: str | None = Field(json_schema_extra=DATE_TIME)
    finished_at: str | None = Field(json_schema_extra=DATE_TIME)
    size: int | None = Field(None, description="PDF 的字节数（完成后）")


def document(doc: Document) -> dict:
    return {"id": doc.id, "title": doc.title, "volume": doc.volume, "page_count": doc.page_count}


def log_entry(entry: AccessLogEntry, document_title: str | None = None) -> dict:
    item: dict[str, Any] = {
        "at": clock.isoformat(clock.as_aware(entry.at)),
        "actor": entry.actor_name,
        "action": entry.action,
    }
    if entry.document_id is not None:
        item["document_id"] = entry.document_id
        if document_title is not None:
            item["document_title"] = document_title  # an addition to API.md: what a reader recognises
    if entry.page is not None:
        item["page"] = entry.page
    return item


def staff_log_entry(entry: AccessLogEntry, document_title: str | None = None) -> dict:
    """A line of a case's log for its court: who (and as what), under which application."""
    item = log_entry(entry, document_title)
    item["role"] = entry.actor_role
    app_id = entry.application_id
    if app_id is not None:
        item["application_id"] = int(app_id) if app_id.isascii() and app_id.isdigit() else app_id
    return item


# -- ingestion and the court's side ----------------------------------------------------------


class DocumentForm(Body):
    """电子卷宗入库: multipart/form-data."""

    file: bytes = Field(description="PDF（不超过 200 MiB）")
    volume: str = Field(description="正卷 或 副卷（可编号，如 正卷（一））", examples=["正卷"])
    title: str | None = Field(None, description="文件标题，默认取文件名", examples=["起诉状"])


class IngestedDocument(Answer):
    id: int
    title: str
    volume: str
    page_count: int


class StaffLogEntry(LogEntry):
    role: str | None = Field(None, description="查阅人的角色")
    application_id: int | str | None = Field(None, description="所依据的阅卷申请（阅卷人的查阅）")


class StaffLogPage(Page[StaffLogEntry]):
    """A page of a case's access log, as the court's staff see it."""


class StaffVolume(Volume):
    kind: Literal["正卷", "副卷"] | str
    grantable: bool = Field(description="阅卷人可否查阅（副卷从不）")


class StaffDossier(Answer):
    """本院案件的电子卷宗, 副卷 included."""

    case_no: str
    volumes: list[StaffVolume]


class Reader(Answer):
    name: str
    role: str | None


class ReaderDay(Answer):
    """One reader's reads of the case on one day."""

    date: str = Field(json_schema_extra=DAY)
    reader: Reader
    documents: list[str] = Field(description="查阅的文件标题")
    pages: int = Field(description="页面查看次数")
    prints: int = Field(description="打印与下载次数")


class ReaderDayPage(Page[ReaderDay]):
    """A page of who read the case, one reader and day a row (谁看过我的案件)."""
