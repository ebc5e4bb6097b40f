"""The generated parts of docs/api.md, written from the OpenAPI document: the table of
operations and the table of error codes. ``python -m gateway.api_docs`` rewrites them
between their markers; tests/unit/test_openapi.py fails when they are not current."""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
SECTIONS = ("operations", "errors")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _schema_name(content: dict | None) -> str:
    if not content:
        return "—"
    names = []
    for kind, media in content.items():
        ref = media.get("schema", {}).get("$ref")
        names.append(f"`{ref.rsplit('/', 1)[-1]}`" if ref else f"`{kind}`")
    return ", ".join(names)


def operations_table(doc: dict) -> str:
    rows = ["| operation | method path | who | body | answer | errors |", "|---|---|---|---|---|---|"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            roles = op.get("x-roles")
            who = ", ".join(roles) if roles else ("signed in" if op.get("security") else "anyone")
            body = _schema_name(op.get("requestBody", {}).get("content"))
            statuses = sorted(op["responses"], key=int)
            ok = next(s for s in statuses if int(s) < 400)
            answer = f"{ok} {_schema_name(op['responses'][ok].get('content'))}"
            errors = []
            for status in statuses:
                if int(status) >= 400:
                    codes = re.findall(r"`([a-z_]+)`", op["responses"][status]["description"])
                    errors.append(f"{status} " + ", ".join(codes) if codes else status)
            rows.append(
                f"| `{op['operationId']}` | {method.upper()} `{path}` | {who} | {body} | {answer} | "
                f"{_cell('; '.join(errors))} |"
            )
    return "\n".join(rows)


def errors_table() -> str:
    from gateway.errors import DEFAULT_MESSAGES, DEFAULT_STATUS, STATUS_BY_CODE

    rows = ["| code | status | default message |", "|---|---|---|"]
    for code, status in sorted(STATUS_BY_CODE.items(), key=lambda item: (item[1], item[0])):
        rows.append(f"| `{code}` | {status} | {DEFAULT_MESSAGES.get(code, '')} |")
    rows.append(f"| any other code (`validation_error`, `invalid_case_no`, …) | {DEFAULT_STATUS} | |")
    return "\n".join(rows)


def generated(doc: dict) -> dict[str, str]:
    return {"operations": operations_table(doc), "errors": errors_table()}


def render(text: str, parts: dict[str, str]) -> str:
    for name, body in parts.items():
        pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/api.md has no {name} markers")

        def fill(m: re.Match[str], body: str = body) -> str:
            return m.group(1) + body + "\n" + m.group(2)

        text = pattern.sub(fill, text)
    return text


def main() -> int:
    import gateway.service  # noqa: F401 - declares every route
    from gateway.openapi import openapi_document

    DOC.write_text(render(DOC.read_text(encoding="utf-8"), generated(openapi_document())), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
