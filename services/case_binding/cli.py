"""Court IT's import of the case feed from a file: the same JSON as POST /api/v1/admin/cases,
or a flat CSV (a ``.csv`` file) that a spreadsheet can produce.

    python -m services.case_binding.cli import-cases FILE.json|FILE.csv

It writes through the same use case as the service, straight into case_binding's database
(DATABASE_URL, or the SQLite file under DATA_DIR), rather than over RPC: a nightly full
feed can be far larger than one HTTP body or AMQP message should be, needs no broker or
RPC deadline, and whoever can run this already holds the database's credentials. The
whole file is checked before anything is written, then written in one transaction.

The CSV has one row per party or lawyer (columns in ``CSV_HELP``). A person party fills
``id_number``; an organisation party (单位) leaves it empty and fills the optional columns
``credit_code`` (its 统一社会信用代码), and ``representative_name`` and
``representative_id_number`` for its 法定代表人 if the court lists one (who may then apply
as a party). Files without these columns read as before.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from services.case_binding import domain, repository, usecases
from services.common.court import case_numbers
from services.common.infra import migrate
from services.common.infra.db import UnitOfWork, make_engine
from services.common.infra.errors import DomainError

CSV_HELP = """CSV（UTF-8，可带 BOM；首行为列名）：每行一名当事人或律师，案件的列在同一案号的各行重复
（以该案号的第一行为准，后续行可留空）；只有案件、没有人员的行，role 留空。
  case_no,court,cause,status,has_electronic_dossier,role,name,id_number,side,license_no,party_name
  （单位当事人另加列：credit_code,representative_name,representative_id_number；可省略）
  case_no        案号（必填）          court   承办法院（必填）     cause  案由
  status         in_trial 或 archived  has_electronic_dossier  true/false（是/否、1/0；空为 false）
  role           party（当事人）或 lawyer（律师）或空
  当事人（自然人）：name, id_number（身份证号）, side（诉讼地位）
  当事人（单位）：  name（单位名称）, credit_code（统一社会信用代码，id_number 留空）, side,
                    representative_name, representative_id_number（法定代表人姓名、身份证号；
                    可留空，填写则两项都填，法定代表人可以当事人身份申请阅卷）
  律师：  name, license_no（执业证号）, party_name（代理的当事人）"""
CSV_REQUIRED = ("case_no", "court", "status")
CASE_COLUMNS = ("court", "cause", "status", "has_electronic_dossier")
PERSON_COLUMNS = {"party": ("name", "id_number", "side"), "lawyer": ("name", "license_no", "party_name")}
# Optional columns of an organisation party (单位当事人); files without them read as before.
ORGANISATION_COLUMNS = ("credit_code", "representative_name", "representative_id_number")
TRUE, FALSE = {"true", "1", "yes", "y", "是"}, {"false", "0", "no", "n", "否", ""}


def read_body(path: str) -> tuple[dict, list[int] | None]:
    """The file as the route's body, and for a CSV the line on which each case starts (to
    name it in a refusal)."""
    if path.lower().endswith(".csv"):
        return read_csv(path)
    with open(path, encoding="utf-8-sig") as fh:
        return json.load(fh), None


def read_csv(path: str) -> tuple[dict, list[int]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CSV_REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise DomainError("validation_error", f"CSV 缺少列：{', '.join(missing)}", {"fields": {"columns": missing}})
        cases: dict[str, dict] = {}
        lines: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            cells = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            if not any(cells.values()):
                continue  # a blank line in a spreadsheet export
            key = _case_key(cells["case_no"])
            case = cases.get(key)
            if case is None:
                case = cases[key] = {"case_no": cells["case_no"], "parties": [], "lawyers": []}
                lines[key] = line
                for column in CASE_COLUMNS:
                    case[column] = cells.get(column) or None
                case["has_electronic_dossier"] = _flag(case["has_electronic_dossier"])
            role = cells.get("role", "")
            if role not in ("", *PERSON_COLUMNS):
                raise DomainError(
                    "validation_error", f"CSV 第{line}行：role 应为 party、lawyer 或留空", {"fields": {"role": role}}
                )
            if role:
                person = {column: cells.get(column) or None for column in PERSON_COLUMNS[role]}
                if role == "party":
                    person.update(_organisation(cells))
                case["parties" if role == "party" else "lawyers"].append(person)
    return {"cases": list(cases.values())}, list(lines.values())


def _organisation(cells: dict[str, str]) -> dict:
    """An organisation party's columns as the feed's JSON has them: ``credit_code`` and a
    ``representative`` only when the row fills them (the batch check judges what is there)."""
    credit_code, rep_name, rep_id = (cells.get(column) or None for column in ORGANISATION_COLUMNS)
    fields: dict = {}
    if credit_code:
        fields["credit_code"] = credit_code
    if rep_name or rep_id:
        fields["representative"] = {"name": rep_name, "id_number": rep_id}
    return fields


def _case_key(case_no: str) -> str:
    """Rows of one case may spell its number with either kind of bracket."""
    try:
        return case_numbers.canonical(case_no)
    except DomainError:
        return case_no  # refused, naming its line, when the batch is checked


def _flag(value: str | None) -> bool | str | None:
    text = (value or "").lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return value  # not a yes or no: the batch check names it


def read_records(path: str) -> list[domain.CaseRecord]:
    body, lines = read_body(path)
    cases = body.get("cases") if isinstance(body, dict) else None
    if not isinstance(cases, list):
        raise DomainError("validation_error", '文件应为 {"cases": [...]}')
    records: dict[str, domain.CaseRecord] = {}
    step = domain.IMPORT_MAX_CASES
    for start in range(0, len(cases), step):
        try:
            batch = domain.parse_import({"cases": cases[start : start + step]})
        except DomainError as exc:  # name the case by its place in the whole file
            raise DomainError(exc.code, exc.message + _where(exc, start, lines), exc.details) from None
        records.update((r.case_no, r) for r in batch)
    return list(records.values())


def _where(exc: DomainError, start: int, lines: list[int] | None) -> str:
    if lines is None:
        return f"（第{start}条起的一批中）"
    named = " ".join([str(exc.details.get("field", "")), *exc.details.get("fields", {})])
    found = re.search(r"cases\[(\d+)\]", named)
    return f"（CSV 第{lines[start + int(found.group(1))]}行起的案件）" if found else ""


def import_cases(path: str) -> int:
    records = read_records(path)
    migrate.upgrade("case_binding")  # idempotent: a fresh install can be fed before first start
    engine = make_engine("case_binding", pool_size=1)
    try:
        uow = repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))
        return usecases.upsert_cases(uow, records)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.case_binding.cli", description="案件目录维护")
    commands = parser.add_subparsers(dest="command", required=True)
    add_import_parser(commands)
    args = parser.parse_args(argv)
    return run_import(args.file)


def add_import_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The import-cases command, shared with court IT's tool (deploy/admin.py)."""
    importer = commands.add_parser(
        "import-cases",
        help="导入案件（与 POST /api/v1/admin/cases 相同的 JSON，或 CSV）",
        description="导入案件目录，按案号更新或新增；整个文件先校验，有误则一件也不导入。\n"
        'JSON：与 POST /api/v1/admin/cases 相同，{"cases": [...]}。\n' + CSV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importer.add_argument("file", help='JSON 文件 {"cases": [...]}，或 .csv 文件')
    return importer


def run_import(path: str) -> int:
    """Imports the file and says what happened; exit status 0 or 1, never a traceback."""
    try:
        imported = import_cases(path)
    except OSError as exc:
        print(f"无法读取文件：{exc.strerror}", file=sys.stderr)
        return 1
    except (ValueError, csv.Error):
        print("文件不是有效的 JSON 或 CSV（UTF-8）", file=sys.stderr)
        return 1
    except SQLAlchemyError:  # the message may carry the database URL: say what to check
        print("无法写入案件数据库：请检查 DATABASE_URL 或 DATA_DIR", file=sys.stderr)
        return 1
    except DomainError as exc:
        detail = exc.details.get("fields") or exc.details.get("field") or ""
        print(f"未导入：{exc.code} {exc.message} {detail}".rstrip(), file=sys.stderr)
        return 1
    print(f"imported {imported} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
