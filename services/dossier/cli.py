"""Operator commands of the dossier service.

``python -m services.dossier.cli check-log``: walks every lane of the access log's hash
chain and prints every broken link, checking each also against the heads exported to
object storage; exit status 0 when intact, 1 when not. Reads the same DATA_DIR or
DATABASE_URL, S3 settings and ACCESS_LOG_KEY as the service (a local stack's from
DATA_DIR/run/stack.json).
"""

from __future__ import annotations

import sys

from sqlalchemy.orm import sessionmaker

from services.common.infra.db import UnitOfWork, make_engine
from services.dossier import repository, usecases


def check_log() -> int:
    """The chain, walked lane by lane and entry by entry, and against every head exported to
    object storage."""
    from services.common.infra import config
    from services.common.infra.storage import ObjectStore, bucket_name, make_client

    config.adopt_local_stack()
    engine = make_engine("dossier", pool_size=1)
    try:
        store = ObjectStore(make_client(2), bucket_name())
        problems = usecases.check_log(
            repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False))), store=store
        )
    finally:
        engine.dispose()
    if problems:
        print(f"access log: {len(problems)} broken link(s)")
        for problem in problems:
            print("  " + problem)
        return 1
    print("access log: chain intact")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check-log"]:
        return check_log()
    print("usage: python -m services.dossier.cli check-log", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
