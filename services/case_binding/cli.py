"""Court IT's import of the case feed from a file: the same JSON as POST /api/v1/admin/cases.

    python -m services.case_binding.cli import-cases FILE.json

It writes through the same use case as the service, straight into case_binding's database
(DATABASE_URL, or the SQLite file under DATA_DIR), rather than over RPC: a nightly full
feed can be far larger than one HTTP body or AMQP message should be, needs no broker or
RPC deadline, and whoever can run this already holds the database's credentials. The
whole file is checked before anything is written, then written in one transaction.
"""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.orm import sessionmaker

from services.case_binding import domain, usecases
from services.common import migrate
from services.common.db import UnitOfWork, make_engine
from services.common.errors import DomainError


def read_records(path: str) -> list[domain.CaseRecord]:
    with open(path, encoding="utf-8") as fh:
        body = json.load(fh)
    cases = body.get("cases") if isinstance(body, dict) else None
    if not isinstance(cases, list):
        raise DomainError("validation_error", '文件应为 {"cases": [...]}')
    records: dict[str, domain.CaseRecord] = {}
    step = domain.IMPORT_MAX_CASES
    for start in range(0, len(cases), step):
        try:
            batch = domain.parse_import({"cases": cases[start : start + step]})
        except DomainError as exc:  # name the case by its place in the whole file
            raise DomainError(exc.code, f"{exc.message}（第{start}条起的一批中）", exc.details) from None
        records.update((r.case_no, r) for r in batch)
    return list(records.values())


def import_cases(path: str) -> int:
    records = read_records(path)
    migrate.upgrade("case_binding")  # idempotent: a fresh install can be fed before first start
    engine = make_engine("case_binding", pool_size=1)
    try:
        return usecases.upsert_cases(UnitOfWork(sessionmaker(engine, expire_on_commit=False)), records)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.case_binding.cli", description="案件目录维护")
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import-cases", help="导入案件（与 POST /api/v1/admin/cases 相同的 JSON）")
    importer.add_argument("file", help='JSON 文件：{"cases": [...]}')
    args = parser.parse_args(argv)
    try:
        imported = import_cases(args.file)
    except OSError as exc:
        print(f"无法读取文件：{exc.strerror}", file=sys.stderr)
        return 1
    except ValueError:
        print("文件不是有效的 JSON（UTF-8）", file=sys.stderr)
        return 1
    except DomainError as exc:
        detail = exc.details.get("fields") or exc.details.get("field") or ""
        print(f"未导入：{exc.code} {exc.message} {detail}".rstrip(), file=sys.stderr)
        return 1
    print(f"imported {imported} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
