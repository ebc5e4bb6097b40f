"""The WeChat mini-program (clients/miniprogram/): its TypeScript type-checks against the
types generated from the gateway's OpenAPI document, those types are what the current
document generates (no drift), its copy of the court's words is the web pages' (no drift
either), and its logic passes its unit tests under node (the API client over a fake
``wx``, the status words, the form checks, the detail page's blocks).

Needs the folder's npm packages, which ``make deps`` installs (``make miniprogram-deps``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "clients" / "miniprogram"
BIN = APP / "node_modules" / ".bin"
TYPES = APP / "typings" / "api.d.ts"
WORDS = APP / "miniprogram" / "utils" / "court-words.ts"


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=APP, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def packages():
    if not (BIN / "tsc").exists() or shutil.which("node") is None:
        pytest.fail("the mini-program's npm packages are missing: run `make deps` (make miniprogram-deps)")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """One tsc run both type-checks (strict, tsconfig.json) and writes the JavaScript the
    unit tests run: a type error fails it exactly as ``tsc --noEmit -p .`` would."""
    build = tmp_path_factory.mktemp("miniprogram-build")
    return run([str(BIN / "tsc"), "-p", ".", "--outDir", str(build)]), build


def test_the_mini_program_type_checks(compiled):
    result, _ = compiled
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def document() -> str:
    """The gateway's OpenAPI document (its /api/ part) as JSON text, read once."""
    dumped = run([sys.executable, "scripts/dump_openapi.py"])
    assert dumped.returncode == 0, dumped.stderr
    assert json.loads(dumped.stdout)["paths"], "the document has no paths"
    return dumped.stdout


def test_the_generated_types_are_those_of_the_current_document(document):
    generated = run([str(BIN / "openapi-typescript"), "--empty-objects-unknown"], input=document)
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout == TYPES.read_text(encoding="utf-8"), (
        "typings/api.d.ts differs from what the gateway's OpenAPI document generates: run `make client-types`"
    )


@pytest.mark.parametrize(
    "copy, argument",
    [(WORDS, []), (ROOT / "services" / "common" / "court" / "words.py", ["python"])],
    ids=["mini-program", "services"],
)
def test_the_court_words_are_those_of_the_web_pages(copy: Path, argument: list[str]):
    copied = run(["node", "--no-warnings", "scripts/words.mjs", *argument])
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout == copy.read_text(encoding="utf-8"), (
        f"{copy.relative_to(ROOT)} differs from the web pages' words (gateway/static/common.js): "
        "run `make client-types`"
    )


def test_the_logic_passes_its_unit_tests(compiled):
    result, build = compiled
    assert result.returncode == 0, result.stdout + result.stderr
    tests = sorted(str(p.relative_to(APP)) for p in (APP / "unit").glob("*.test.js"))
    assert tests, "no unit tests found"
    ran = run(["node", "--test", *tests], env={**os.environ, "MINIPROGRAM_BUILD": str(build)})
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]
    assert "# fail 0" in ran.stdout


def test_a_stricter_document_makes_the_client_stricter(document, tmp_path):
    """The point of typing from ``paths``: once the document declares a body or an answer,
    the pages are checked against it with no change to the client. Here a document that
    declares the sign-in body the pages already send (accepted), an answer of GET /me
    without ``role`` (the pages read it: refused) and a purpose the sign-up page does not
    stay within (refused)."""
    stricter = json.loads(document)
    paths = stricter["paths"]
    text = {"type": "string"}
    paths["/api/v1/auth/login"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "required": ["phone", "password"],
        "properties": {"phone": text, "password": text},
    }
    paths["/api/v1/me"]["get"]["responses"]["200"]["content"] = {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["id", "name", "phone"],
                "properties": {"id": {"type": "integer"}, "name": text, "phone": text},
            }
        }
    }
    paths["/api/v1/auth/sms-codes"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "type": "object",
        "required": ["phone", "purpose"],
        "properties": {"phone": text, "purpose": {"type": "string", "enum": ["reset_password"]}},
    }
    generated = run([str(BIN / "openapi-typescript"), "--empty-objects-unknown"], input=json.dumps(stricter))
    assert generated.returncode == 0, generated.stderr

    copy = tmp_path / "miniprogram"
    shutil.copytree(APP / "miniprogram", copy / "miniprogram", ignore=shutil.ignore_patterns("miniprogram_npm"))
    shutil.copy(APP / "tsconfig.json", copy / "tsconfig.json")
    (copy / "typings").mkdir()
    (copy / "typings" / "api.d.ts").write_text(generated.stdout, encoding="utf-8")
    (copy / "node_modules").symlink_to(APP / "node_modules")
    checked = subprocess.run(
        [str(BIN / "tsc"), "--noEmit", "-p", "."], cwd=copy, capture_output=True, text=True, timeout=300
    )
    errors = [line for line in checked.stdout.splitlines() if ": error TS" in line]
    assert checked.returncode != 0 and errors, checked.stdout
    assert any("'role'" in line for line in errors), errors
    assert any(line.startswith("miniprogram/utils/sms.ts") for line in errors), errors
    assert not any(line.startswith("miniprogram/pages/login/") for line in errors), errors
