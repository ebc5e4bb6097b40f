"""Exports for the court (导出): the review queue, the decisions of a period and a year's
statistics, as CSV (UTF-8 with a byte-order mark, which Excel needs to read Chinese) or
XLSX. review hands out the rows a page at a time in the console's words; the gateway
writes them to a temporary file as they come and streams the file, so memory holds one
page whatever the export's length."""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

import xlsxwriter
from werkzeug.wrappers import Response

from gateway.errors import SECURITY_HEADERS, ApiError
from gateway.http import STAFF, Context, Media, get
from services.common.court import clock
from services.review.schemas import ExportQuery, StatisticsTable

log = logging.getLogger("gateway")

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 200_000  # a year of a large court's applications; beyond it the file says it was cut


class ExportRoutes:
    @get(
        "/api/v1/staff/exports/<kind>",
        roles=STAFF,
        heavy=True,
        query=ExportQuery,
        answer=Media(
            "text/csv|application/vnd.openxmlformats-officedocument.spreadsheetml.sheet|application/json",
            "the export (json: statistics only, {title, columns, rows})",
            json=StatisticsTable,
        ),
    )
    def export(self, ctx: Context, kind: str):
        """导出（CSV 或 XLSX）：kind 为 queue（审查队列，可带 status、mode、case_no、applicant）、decisions（审查决定，
        from、to，默认近 30 天）或 statistics（按月统计，year）；format=csv|xlsx（statistics 也可为 json）

        200: text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
        400: bad_request (format)
        404: not_found (no such export)
        422: validation_error, invalid_date, invalid_case_no
        """
        params = ctx.query()
        fmt = params.pop("format")
        if fmt not in FORMATS and not (fmt == "json" and kind == "statistics"):
            raise ApiError("bad_request", "参数 format 应为 csv 或 xlsx（按月统计也可为 json）")
        params = {name: value for name, value in params.items() if value is not None}  # the filters sent
        pages = _pages(ctx, kind, params)
        first = next(pages)
        if fmt == "json":  # the console shows the year's figures before anyone downloads them
            return {key: first[key] for key in ("title", "columns", "rows")}
        log.info("export %s (%s) by user %s", kind, fmt, ctx.user.get("id") if ctx.user else None)
        fd, path = tempfile.mkstemp(suffix=f".{fmt}")
        os.close(fd)
        try:
            (_write_csv if fmt == "csv" else _write_xlsx)(path, first, pages)
        except BaseException:
            os.unlink(path)
            raise
        stamp = clock.now().strftime("%Y%m%d")
        return _file(path, FORMATS[fmt], f"{first['title']}-{stamp}.{fmt}")


def _pages(ctx: Context, kind: str, params: dict) -> Iterator[dict]:
    """review's pages of the export, until the last or MAX_ROWS."""
    cursor, rows = None, 0
    while True:
        page = ctx.call("review", "export_page", actor=ctx.actor, kind=kind, params=params, cursor=cursor)
        rows += len(page["rows"])
        cursor = page.get("next_cursor")
        if cursor and rows >= MAX_ROWS:
            page["truncated"] = True
            cursor = None
        yield page
        if not cursor:
            return


def _write_csv(path: str, first: dict, pages: Iterator[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(first["columns"])
        for page in _chain(first, pages):
            out.writerows([_cell(v) for v in row] for row in page["rows"])
            if page.get("truncated"):
                out.writerow([f"（仅导出前 {MAX_ROWS} 行，请缩小范围后分次导出）"])


def _write_xlsx(path: str, first: dict, pages: Iterator[dict]) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    try:
        sheet = book.add_worksheet(first["title"][:31].replace("/", "-"))
        bold = book.add_format({"bold": True, "bg_color": "#EBEBEB", "border": 1})
        for col, name in enumerate(first["columns"]):
            sheet.write_string(0, col, name, bold)
            sheet.set_column(col, col, max(10, min(40, len(name) * 2 + 4)))
        sheet.freeze_panes(1, 0)
        line = 1
        for page in _chain(first, pages):
            for row in page["rows"]:
                for col, value in enumerate(row):
                    if isinstance(value, bool) or value is None:
                        sheet.write_string(line, col, _cell(value))
                    elif isinstance(value, int | float):
                        sheet.write_number(line, col, value)
                    else:
                        sheet.write_string(line, col, _cell(value))
                line += 1
            if page.get("truncated"):
                sheet.write_string(line, 0, f"（仅导出前 {MAX_ROWS} 行，请缩小范围后分次导出）")
    finally:
        book.close()


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def _cell(value) -> str:
    """Text as a spreadsheet must not run it: text that starts like a formula (=, +, -, @)
    is quoted, so an applicant's name or reason cannot become one (CSV injection)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _file(path: str, content_type: str, filename: str) -> Response:
    size = os.path.getsize(path)
    handle = open(path, "rb")  # noqa: SIM115 - closed by the body generator below

    def body():
        try:
            while chunk := handle.read(64 * 1024):
                yield chunk
        finally:
            handle.close()
            os.unlink(path)

    response = Response(body(), status=200, content_type=content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f"attachment; filename=\"export\"; filename*=UTF-8''{quote(filename)}"
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
