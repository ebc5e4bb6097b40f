"""The web pages' JavaScript (gateway/static: /m/, /web/, /staff/, no build step): biome
finds nothing in it (biome.json), and tsc --checkJs passes over it with the routes typed
from the OpenAPI document's generated ``paths`` (gateway/webtypes: tsconfig.json,
api.d.ts), so a call to a route the gateway does not serve fails here.

Needs the root npm packages, which ``make deps`` installs (``npm ci``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "gateway" / "static"
WEBTYPES = ROOT / "gateway" / "webtypes"
BIN = ROOT / "node_modules" / ".bin"
TYPES = ROOT / "clients" / "miniprogram" / "typings" / "api.d.ts"


def run(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module", autouse=True)
def packages():
    if not (BIN / "biome").exists() or not (BIN / "tsc").exists():
        pytest.fail("the root npm packages are missing: run `make deps` (npm ci)")


def copy_of_the_pages(tmp_path) -> Path:
    """The pages, their type-check settings and the generated types, laid out as in the
    repository, so a test can break a copy and see tsc refuse it."""
    copy = tmp_path / "gateway" / "static"
    shutil.copytree(STATIC, copy)
    shutil.copytree(WEBTYPES, tmp_path / "gateway" / "webtypes")
    (tmp_path / "clients" / "miniprogram" / "typings").mkdir(parents=True)
    shutil.copy(TYPES, tmp_path / "clients" / "miniprogram" / "typings" / "api.d.ts")
    return copy


def test_biome_finds_nothing_in_the_pages_js():
    linted = run([str(BIN / "biome"), "lint", "--error-on-warnings", "--max-diagnostics=50"])
    assert linted.returncode == 0, linted.stdout[-6000:] + linted.stderr[-3000:]
    assert "Checked 5 files" in linted.stdout + linted.stderr, linted.stdout + linted.stderr


def test_the_pages_js_type_checks_against_the_generated_types():
    checked = run([str(BIN / "tsc"), "-p", str(WEBTYPES)])
    assert checked.returncode == 0, checked.stdout[-6000:] + checked.stderr


def test_a_route_the_document_lacks_does_not_type_check(tmp_path):
    """The check has teeth: the same pages with one call to a route that is not in the
    document, and one with a method the API does not use, are refused by tsc, on the lines
    of those calls only."""
    copy = copy_of_the_pages(tmp_path)
    m = copy / "m" / "m.js"
    lines = m.read_text(encoding="utf-8").splitlines()
    lines += [
        'export const wrongRoute = () => api("GET", "/api/v1/applicationz");',
        'export const wrongMethod = () => api("PATCH", "/api/v1/applications");',
        'export const rightOne = () => api("GET", `/api/v1/applications/${encodeURIComponent("7")}`);',
    ]
    m.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = run([str(BIN / "tsc"), "-p", "."], cwd=tmp_path / "gateway" / "webtypes")
    errors = [line for line in checked.stdout.splitlines() if ": error TS" in line]
    assert checked.returncode != 0, checked.stdout
    count = len(lines)
    assert sorted(line.split(",")[0] for line in errors) == [
        f"../static/m/m.js({count - 2}",
        f"../static/m/m.js({count - 1}",
    ], errors


def test_a_body_or_an_answer_the_document_does_not_describe_does_not_type_check(tmp_path):
    """Bodies and answers are typed too (api() and intent().send() are generic over the route
    and method): a field of the wrong type, a field the answer lacks and an action the
    application object does not name are refused; the right ones, on a filled path, pass."""
    copy = copy_of_the_pages(tmp_path)
    m = copy / "m" / "m.js"
    lines = m.read_text(encoding="utf-8").splitlines()
    wrong = [
        'export const a = () => api("POST", "/api/v1/applications", { case_no: 1, scope: "全案卷宗", reason: "x" });',
        'export const b = async () => (await api("GET", "/api/v1/applications/7")).statu;',
        'export const c = async () => (await api("GET", `/api/v1/applications/${7}`)).actions.includes("withdrew");',
        'export const d = () => api("POST", "/api/v1/staff/applications/7/decision", { opinion: "agree" });',
    ]
    right = [
        'export const e = async () => (await api("GET", "/api/v1/staff/applications/7")).decisions[0].mode;',
        'export const f = () => api("POST", `/api/v1/staff/applications/${7}/decision`, { opinion: "return" });',
        'export const g = async () => (await api("GET", "/api/v1/staff/applications/counts")).counts.pending;',
    ]
    m.write_text("\n".join(lines + wrong + right) + "\n", encoding="utf-8")
    checked = run([str(BIN / "tsc"), "-p", "."], cwd=tmp_path / "gateway" / "webtypes")
    errors = [line for line in checked.stdout.splitlines() if ": error TS" in line]
    assert checked.returncode != 0, checked.stdout
    first = len(lines) + 1
    assert sorted({line.split(",")[0] for line in errors}) == [
        f"../static/m/m.js({n}" for n in range(first, first + 4)
    ], errors
