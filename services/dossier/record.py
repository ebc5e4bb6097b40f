"""An application's 阅卷记录 as a PDF for the case file (入卷归档): every view, print and
link use under the application, oldest first, for the clerks and archivists of its court.
Each line carries its place in the access log's hash chain (sequence number and the
start of its hash), so a paper copy can be checked against the log years later."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import eventlet.tpool
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.common.court import clock
from services.common.court.words import LABELS
from services.common.infra.actor import Actor
from services.dossier import domain, rendering
from services.dossier.repository import DossierWork

# A PDF is for the case file, not a bulk export: an application read page by page for a
# year stays far below this; beyond it the record says it was cut and how to get the rest.
MAX_ENTRIES = 20_000
ACTION_WORDS = LABELS["access"]  # as the reader's own access log shows them (services/common/court/words.py)
COLUMNS = (("序号", 14), ("时间", 36), ("查阅人", 28), ("操作", 24), ("文书", 52), ("页码", 12), ("链上摘要", 24))


@dataclass(frozen=True)
class Line:
    seq: int
    at: datetime
    actor: str
    action: str
    document: str
    page: int | None
    digest: str


def record(uow: DossierWork, pages: Any, *, actor: Actor, application_id: Any) -> dict:
    """The PDF, parked for the gateway to stream and delete like a print copy."""
    with uow.read() as dossiers:
        reading = domain.authorize_audit(dossiers.reading(application_id), actor)
        rows = dossiers.record_of_application(reading.application_id, MAX_ENTRIES + 1)
    lines = [
        Line(
            e.seq, clock.as_aware(e.at), e.actor_name, ACTION_WORDS.get(e.action, e.action), title or "", e.page, e.hash
        )
        for e, title in rows[:MAX_ENTRIES]
    ]
    heading = {
        "案号": reading.case_no or "",
        "承办法院": reading.court or "",
        "申请编号": reading.application_id,
        "导出人": f"{actor.get('name') or ''}（{'审查人' if actor.get('role') == 'clerk' else '档案室'}）",
        "导出时间": clock.now().astimezone(clock.COURT_TZ).strftime("%Y-%m-%d %H:%M"),
        "记录条数": f"{len(lines)}" + ("（已截断，请分段导出）" if len(rows) > MAX_ENTRIES else ""),
    }
    data = eventlet.tpool.execute(build, heading, lines, rendering.find_cjk_font())
    key = pages.park(data, "application/pdf", ".pdf")
    return {
        "key": key,
        "content_type": "application/pdf",
        "size": len(data),
        "filename": f"阅卷记录-{reading.case_no}.pdf",
    }


def build(heading: dict[str, str], lines: list[Line], font: tuple[str, int]) -> bytes:
    """The PDF itself (CPU work: callers run it in a real thread)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", font[0], collection_font_number=font[1])
    pdf.set_title("阅卷记录")
    pdf.set_creator("网上阅卷")
    pdf.alias_nb_pages()

    def footer() -> None:
        pdf.set_y(-12)
        pdf.set_font("cjk", size=8)
        pdf.cell(0, 5, f"第 {pdf.page_no()} 页 / 共 {{nb}} 页", align="C")

    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "阅卷记录", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    for name, value in heading.items():
        pdf.cell(0, 6, f"{name}：{value}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=8)
    pdf.multi_cell(
        0,
        5,
        "说明：本记录取自电子卷宗系统的防篡改阅卷日志，按时间先后列出阅卷人在本申请下的每一次查看、打印和链接使用；"
        "“链上摘要”为该条日志哈希值的前 12 位，可与系统留存的日志逐条核对。",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)

    def header_row() -> None:
        pdf.set_font("cjk", size=9)
        pdf.set_fill_color(235, 235, 235)
        for title, width in COLUMNS:
            pdf.cell(width, 7, title, border=1, align="C", fill=True)
        pdf.ln()

    header_row()
    pdf.set_font("cjk", size=8)
    for line in lines:
        if pdf.will_page_break(6):
            pdf.add_page()
            header_row()
            pdf.set_font("cjk", size=8)
        when = line.at.astimezone(clock.COURT_TZ).strftime("%Y-%m-%d %H:%M:%S")
        cells = (
            str(line.seq),
            when,
            line.actor,
            line.action,
            _fit(pdf, line.document, 52),
            str(line.page or ""),
            line.digest[:12],
        )
        for (_, width), value in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, 6, str(value), border=1)
        pdf.ln()
    if not lines:
        pdf.cell(0, 8, "本申请下暂无阅卷记录。", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """A title cut with an ellipsis to fit its cell, so the table never breaks its lines."""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"
