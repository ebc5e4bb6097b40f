"""Each service its own PostgreSQL role, allowed into its own schema only.

The migrations run as the database's owner role (``DATABASE_URL`` of the migration job:
it creates the schemas and owns the tables); ``grant`` then gives each service's role
``USAGE`` on its schema and the rows of its tables (select, insert, update, delete; its
sequences), now and for the tables later migrations add, and nothing on the other
schemas, so applications' role is refused identity's tables. ``PUBLIC`` keeps no rights on
the services' schemas. Idempotent: run after every migration, it brings an existing
database (one role for everything) to one role per service in place.

``python -m services.common.roles`` (the migration job, after ``services.common.migrate``):
the role of service S is ``DB_ROLE_<S>`` (default ``court_<s>``) with the password
``DB_PASSWORD_<S>``, given for every service or for none. Passwords travel as bound
parameters, never in a log line.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from collections.abc import Mapping

from services.common.migrate import SERVICES


def role_names(prefix: str = "court") -> dict[str, str]:
    return {service: f"{prefix}_{service}" for service in SERVICES}


def service_url(owner_url: str, role: str, password: str) -> str:
    """The owner's URL with the service's role and password instead (same host, database)."""
    parts = urllib.parse.urlsplit(owner_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{urllib.parse.quote(role, safe='')}:{urllib.parse.quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def grant(owner_url: str, roles: dict[str, tuple[str, str]]) -> None:
    """``roles``: service -> (role name, password). Creates or updates each login role and
    gives it its own schema's rows only."""
    import psycopg2  # type: ignore[import-untyped]
    from psycopg2 import sql

    dsn = owner_url.replace("postgresql+psycopg2://", "postgresql://", 1)
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT current_database()")
            database = sql.Identifier(cur.fetchone()[0])
            cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
            for service, (role, password) in roles.items():
                r, schema = sql.Identifier(role), sql.Identifier(service)
                cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                verb = "ALTER" if cur.fetchone() else "CREATE"
                cur.execute(
                    sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s").format(r),
                    (password,),
                )
                statements = [
                    "GRANT CONNECT ON DATABASE {db} TO {role}",
                    "CREATE SCHEMA IF NOT EXISTS {schema}",
                    "REVOKE ALL ON SCHEMA {schema} FROM PUBLIC",
                    "GRANT USAGE ON SCHEMA {schema} TO {role}",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                    # the tables and sequences later migrations (run as this owner) add
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE"
                    " ON TABLES TO {role}",
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
                ]
                for statement in statements:
                    cur.execute(sql.SQL(statement).format(db=database, role=r, schema=schema))
    finally:
        connection.close()


def roles_from_environment(environ: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    env: Mapping[str, str] = os.environ if environ is None else environ
    found = {}
    for service in SERVICES:
        role = env.get(f"DB_ROLE_{service.upper()}") or f"court_{service}"
        found[service] = (role, env.get(f"DB_PASSWORD_{service.upper()}", ""))
    given = {service: pair for service, pair in found.items() if pair[1]}
    if given and len(given) != len(found):
        missing = sorted(f"DB_PASSWORD_{service.upper()}" for service in found if service not in given)
        raise SystemExit("database roles: set every service's password, missing " + ", ".join(missing))
    return given


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("database roles: DATABASE_URL is not PostgreSQL; nothing to do")
        return 0
    roles = roles_from_environment()
    if not roles:
        print("database roles: no DB_PASSWORD_<SERVICE> given; the services share DATABASE_URL's role")
        return 0
    grant(url, roles)
    print("database roles, each on its own schema: " + ", ".join(role for role, _ in roles.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
