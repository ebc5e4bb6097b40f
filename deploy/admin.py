"""Court IT's command-line tools (法院信息技术人员的维护命令).

    python -m deploy.admin import-cases FILE.json|FILE.csv
    python -m deploy.admin import-lawyers FILE.json|FILE.csv
    python -m deploy.admin create-staff --phone P --name N --role clerk --court C [--password-stdin]
    python -m deploy.admin ingest-folder CASE_NO FOLDER [--volume 正卷] --phone P [--password-stdin]
    python -m deploy.admin check-log
    python -m deploy.admin replay-dead-letters [--service S]
    python -m deploy.admin check-consistency [--settle SECONDS] [--court C]

The imports and staff accounts are written through the owning service's own use cases,
straight into its database (DATA_DIR's SQLite files, or DATABASE_URL's schema per
service), like ``services.case_binding.cli``: a registry file can be larger than an HTTP
body should be, and whoever can run this already holds the database's credentials.
Ingestion needs the running stack (the dossier service validates and renders each PDF and
announces it), so it goes over HTTP to the gateway, signed in as an admin.

Passwords are never taken from the command line (shell history, the process list): they
are asked for without echo, or read from the first line of stdin with ``--password-stdin``.
Exit status: 0 when everything was done, 1 when something was refused, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import inspect
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("EVENTLET_TESTS", "1")  # no eventlet deprecation banner on a tool's stderr (P16)

# The tools act for the court's IT department, which holds the database credentials:
# identity's use cases still ask for an admin, and get one that is not a person's account.
COURT_IT: dict[str, Any] = {"id": None, "role": "admin", "name": "court IT", "court": None}


# -- output -------------------------------------------------------------------------------------
def refused(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def domain_refusal(exc: Any) -> int:
    """A DomainError as one line for a person: the code, the message, the fields it names."""
    detail = exc.details.get("fields") or exc.details.get("field") or ""
    return refused(f"未完成：{exc.code} {exc.message} {detail}".rstrip())


def read_password(from_stdin: bool, confirm: bool = False) -> str:
    """The password from stdin's first line, or asked for without echo (twice, when it is
    being set, so a typo does not lock anyone out)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("密码：")
    if confirm and getpass.getpass("再次输入密码：") != password:
        raise SystemExit(refused("两次输入的密码不一致"))
    return password


# -- identity, straight to its database -----------------------------------------------------------
def identity_unit_of_work() -> tuple[Any, Callable[[], None]]:
    """identity's unit of work on its own database (migrated first, so a fresh install can
    be prepared before the first start), and how to release it."""
    from sqlalchemy.orm import sessionmaker

    from services.common.infra import migrate
    from services.common.infra.db import UnitOfWork, make_engine
    from services.identity import repository

    migrate.upgrade("identity")
    engine = make_engine("identity", pool_size=1)
    return repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False))), engine.dispose


def with_identity(action: Callable[[Any], dict]) -> dict:
    uow, release = identity_unit_of_work()
    try:
        return action(uow)
    finally:
        release()


def read_lawyers(path: str) -> dict:
    """The registry file as the route's body: JSON ``{lawyers: [...]}`` or CSV."""
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("license_no", "name", "law_firm") if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"CSV 缺少列：{', '.join(missing)}")
            rows = [
                {k: (row.get(k) or "").strip() or None for k in ("license_no", "name", "law_firm")} for row in reader
            ]
        return {"lawyers": [row for row in rows if any(row.values())]}
    with open(path, encoding="utf-8-sig") as fh:
        return json.load(fh)


def import_lawyers(args: argparse.Namespace) -> int:
    """导入律师名册（JSON {lawyers: [...]} 或 CSV）

    按执业证号更新或新增律师名册；整个文件先校验，有误则一条也不导入。
    JSON：与 POST /api/v1/admin/lawyers 相同，{"lawyers": [{"license_no", "name", "law_firm"}]}。
    CSV（UTF-8，首行为列名）：license_no,name,law_firm（执业证号、姓名、律师事务所）"""
    from services.identity import usecases

    try:
        body = read_lawyers(args.file)
    except OSError as exc:
        return refused(f"无法读取文件：{exc.strerror}")
    except ValueError as exc:  # a JSON or encoding error, or a CSV without its columns
        reason = str(exc) if str(exc).startswith("CSV") else "文件不是有效的 JSON 或 CSV（UTF-8）"
        return refused(reason)
    except csv.Error:
        return refused("文件不是有效的 CSV（UTF-8）")
    result = with_identity(lambda uow: usecases.import_lawyers(uow, COURT_IT, body))
    print(f"imported {result['imported']} lawyers")
    return 0


def create_staff(args: argparse.Namespace) -> int:
    """新建工作人员账号（审查人、档案室、管理员）

    新建工作人员账号。密码不从命令行读取：交互输入（不回显），或用 --password-stdin 从标准输入的第一行读取。"""
    from services.identity import usecases
    from services.identity.dependencies import Argon2Hasher

    body = {
        "phone": args.phone,
        "name": args.name,
        "role": args.role,
        "court": args.court,
        "password": read_password(args.password_stdin, confirm=True),
    }
    result = with_identity(lambda uow: usecases.create_staff(uow, Argon2Hasher(), COURT_IT, body))
    print(f"created {result['role']} {result['name']} ({result['phone']}), id {result['id']}")
    return 0


# -- the electronic dossier, over HTTP ------------------------------------------------------------
def default_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT') or 8000}"


def ingest_folder(args: argparse.Namespace) -> int:
    """把文件夹中的 PDF 入库为案件的电子卷宗（经网关，需系统运行中）

    按文件名顺序上传文件夹中的每个 *.pdf，标题为不带扩展名的文件名；逐个报告页数或被拒原因，
    有被拒的文件时退出码为 1。以管理员账号登录网关，密码交互输入或用 --password-stdin。"""
    import requests

    folder = Path(args.folder)
    if not folder.is_dir():
        return refused(f"不是文件夹：{folder}")
    files = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf"), key=lambda p: p.name)
    if not files:
        return refused(f"文件夹中没有 PDF 文件：{folder}")
    password = read_password(args.password_stdin)
    base = args.url.rstrip("/")
    session = requests.Session()
    try:
        login = session.post(f"{base}/api/v1/auth/login", json={"phone": args.phone, "password": password}, timeout=30)
        if login.status_code != 200:
            return refused(f"登录失败：{error_text(login)}")
        session.headers["Authorization"] = f"Bearer {login.json()['token']}"
        try:
            return upload_all(session, base, args.case_no, args.volume, files)
        finally:
            session.post(f"{base}/api/v1/auth/logout", timeout=30)
    except requests.RequestException:
        return refused(f"无法连接网关 {base}：请确认系统已启动（--url）")


# A refusal that every other file of the folder would get too: stop at the first.
STOP_CODES = {"not_found", "invalid_case_no", "forbidden", "unauthenticated", "service_unavailable"}


def upload_all(session: Any, base: str, case_no: str, volume: str, files: list[Path]) -> int:
    from urllib.parse import quote

    url = f"{base}/api/v1/admin/cases/{quote(case_no, safe='')}/documents"
    failures = 0
    for index, path in enumerate(files):
        with path.open("rb") as fh:
            response = session.post(
                url,
                files={"file": (path.name, fh, "application/pdf")},
                data={"volume": volume, "title": path.stem},
                timeout=300,  # a long scan is rendered and checked before the answer
            )
        if response.status_code == 201:
            print(f"{path.name}: {response.json()['page_count']} 页")
            continue
        failures += 1
        print(f"{path.name}: 未入库：{error_text(response)}", file=sys.stderr)
        if error_code(response) in STOP_CODES:
            skipped = len(files) - index - 1
            if skipped:
                print(f"其余 {skipped} 个文件未上传", file=sys.stderr)
            failures += skipped
            break
    print(f"ingested {len(files) - failures} of {len(files)} files into {case_no} ({volume})")
    return 1 if failures else 0


def error_code(response: Any) -> str:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}"


def error_text(response: Any) -> str:
    try:
        error = response.json()["error"]
        return f"{response.status_code} {error['code']} {error.get('message', '')}".rstrip()
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


# -- delegated to the owning service's own tools ------------------------------------------------------
def import_cases(args: argparse.Namespace) -> int:
    from services.case_binding import cli

    return cli.run_import(args.file)


def check_log(args: argparse.Namespace) -> int:
    """校验阅卷日志的哈希链；有断链时退出码为 1"""
    from services.dossier import cli

    return cli.check_log()


# -- the command line ------------------------------------------------------------------------------
def command(commands: argparse._SubParsersAction, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    """The parser of the subcommand that runs ``run(args)``, named after it (``create_staff``:
    ``create-staff``). What a person reads is ``run``'s docstring, beside what it does: its
    first paragraph is the help in the list of commands, the rest the description, line
    breaks kept."""
    summary, _, details = (inspect.getdoc(run) or "").partition("\n\n")
    parser = commands.add_parser(
        run.__name__.replace("_", "-"),
        help=summary.replace("\n", ""),
        description=details.strip() or summary,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def takes_password(parser: argparse.ArgumentParser) -> None:
    """A command that signs someone in or sets a password: asked for without echo, or read
    with --password-stdin, never taken from the command line; and no abbreviations, else
    "--password" would be taken for "--password-stdin"."""
    parser.allow_abbrev = False
    parser.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码")


def parser() -> argparse.ArgumentParser:
    from services.case_binding import cli as case_cli

    root = argparse.ArgumentParser(
        prog="python -m deploy.admin",
        allow_abbrev=False,  # else "--password" would be taken for "--password-stdin"
        description="网上阅卷：法院信息技术人员的维护命令。"
        "数据库取自 DATA_DIR（SQLite）或 DATABASE_URL（PostgreSQL）。",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    case_cli.add_import_parser(commands).set_defaults(run=import_cases)

    lawyers = command(commands, import_lawyers)
    lawyers.add_argument("file", help="JSON 文件，或 .csv 文件")

    staff = command(commands, create_staff)
    staff.add_argument("--phone", required=True, help="手机号码（登录名）")
    staff.add_argument("--name", required=True, help="姓名")
    staff.add_argument("--role", required=True, choices=("clerk", "archivist", "admin"), help="岗位")
    staff.add_argument("--court", required=True, help="所属法院")
    takes_password(staff)

    ingest = command(commands, ingest_folder)
    ingest.add_argument("case_no", help="案号，如 （2024）粤01民初1号")
    ingest.add_argument("folder", help="存放 PDF 的文件夹")
    ingest.add_argument("--volume", default="正卷", help="卷名（默认 正卷）")
    ingest.add_argument("--url", default=default_url(), help="网关地址（默认 http://127.0.0.1:${GATEWAY_PORT:-8000}）")
    ingest.add_argument("--phone", required=True, help="管理员手机号码")
    takes_password(ingest)

    command(commands, check_log)

    consistency = command(commands, check_consistency)
    consistency.add_argument(
        "--settle", type=float, default=5.0, help="第一次比对发现的不一致，等待这么多秒后再核对一次（默认 5）"
    )
    consistency.add_argument("--court", help="只比对该法院的申请（默认全部）")

    replay = command(commands, replay_dead_letters)
    replay.add_argument("--service", choices=sorted(EVENT_SERVICES), help="只处理该服务的死信（默认全部）")
    return root


# The services that consume events, and where their classes are.
EVENT_SERVICES = {
    "applications": "services.applications.service:ApplicationsService",
    "case_binding": "services.case_binding.service:CaseBindingService",
    "dossier": "services.dossier.service:DossierService",
    "review": "services.review.service:ReviewService",
}


def amqp_uri() -> str:
    """AMQP_URI, or the vhost the local stack made for DATA_DIR."""
    from services.common.infra import config

    config.adopt_local_stack()
    if not os.environ.get("AMQP_URI"):
        raise SystemExit("AMQP_URI 未设置，且 DATA_DIR 下没有本地系统的配置")
    return os.environ["AMQP_URI"]


def check_consistency(args: argparse.Namespace) -> int:
    """比对 applications、review、dossier 三个服务对每件申请的记录（状态、审查结果、阅卷范围、到场、终止），
    列出不一致之处；有不一致时退出码为 1"""
    # Each service's own records, read from its own database with its own use case.
    import time

    from sqlalchemy.orm import sessionmaker

    from services.applications import repository as applications_repository
    from services.applications import usecases as applications
    from services.common.court import consistency
    from services.common.infra.db import UnitOfWork, make_engine
    from services.common.infra.ids import ApplicationId, application_row
    from services.dossier import repository as dossier_repository
    from services.dossier import usecases as dossier
    from services.review import repository as review_repository
    from services.review import usecases as review

    engines = {name: make_engine(name, pool_size=1) for name in ("applications", "review", "dossier")}
    try:
        uow = {name: UnitOfWork(sessionmaker(engine, expire_on_commit=False)) for name, engine in engines.items()}
        applications_uow = applications_repository.unit_of_work(uow["applications"])
        review_uow = review_repository.unit_of_work(uow["review"])
        dossier_uow = dossier_repository.unit_of_work(uow["dossier"])

        def source(ids: list[ApplicationId]) -> dict[ApplicationId, dict]:
            return {f["id"]: f for f in applications.consistency_facts(applications_uow, ids=ids)}

        def review_of(ids: list[ApplicationId]) -> dict[ApplicationId, dict]:
            return review.consistency_facts(review_uow, ids)

        def dossier_of(ids: list[ApplicationId]) -> dict[ApplicationId, dict]:
            return dossier.consistency_facts(dossier_uow, ids)

        checked = 0

        def page(after: ApplicationId | None, limit: int) -> list[dict]:
            nonlocal checked
            rows = applications.consistency_facts(applications_uow, after=after, limit=limit, court=args.court)
            checked += len(rows)
            return rows

        suspects = consistency.check(page, review_of, dossier_of)
        if suspects:
            time.sleep(args.settle)  # facts still on their way land meanwhile
        found = consistency.confirm(suspects, source, review_of, dossier_of)
    finally:
        for engine in engines.values():
            engine.dispose()
    for app_id, problems in sorted(found.items(), key=lambda item: application_row(item[0]) or 0):
        print(f"application {app_id}: " + "; ".join(problems))
    print(f"checked {checked} applications: {len(found)} disagreement(s)")
    return 1 if found else 0


def replay_dead_letters(args: argparse.Namespace) -> int:
    """把处理失败、已转入死信队列的事件放回原队列重新处理（请先排除故障原因）"""
    import importlib

    from services.common.infra import events

    queues = []
    for name in [args.service] if args.service else sorted(EVENT_SERVICES):
        module, _, cls = EVENT_SERVICES[name].partition(":")
        queues += events.consumer_queues(getattr(importlib.import_module(module), cls))
    moved = events.replay_dead_letters(amqp_uri(), queues)
    for queue, count in moved.items():
        if count:
            print(f"{count} 条事件已放回 {queue}")
    print(f"共放回 {sum(moved.values())} 条死信事件")
    return 0


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from services.common.infra.errors import DomainError

    argv = sys.argv[1:] if argv is None else argv
    if any(arg.split("=", 1)[0] in ("--password", "-p") for arg in argv):
        # Refused without echoing it, so it lands in no log that captured this output.
        print(
            "密码不能写在命令行上（会留在命令历史和进程列表中）：请按提示输入，或使用 --password-stdin", file=sys.stderr
        )
        return 2
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DomainError as exc:
        return domain_refusal(exc)
    except SQLAlchemyError:  # its text may carry the database URL: say only what to check
        return refused("无法访问数据库（或尚未建表）：请检查 DATABASE_URL 或 DATA_DIR，并确认系统已初始化")
    except KeyboardInterrupt:
        return refused("已取消")


if __name__ == "__main__":
    sys.exit(main())
