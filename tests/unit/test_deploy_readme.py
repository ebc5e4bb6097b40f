"""The operator's guide in English (deploy/README.md) and in Chinese (deploy/README.zh.md)
say the same things: the same sections in the same order, and in each section the same
commands (code blocks, comments aside), the same inline code (files, settings, commands)
and the same environment variable names. A change to one that the other lacks fails here."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ENGLISH = DEPLOY / "README.md"
CHINESE = DEPLOY / "README.zh.md"
ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b")


def sections(path: Path) -> list[dict]:
    """Each heading with what follows it: its level, its title's code, its code blocks
    (commands without their comments), its inline code and the variable names it names."""
    found: list[dict] = []
    prose: list[str] = []
    block: list[str] | None = None
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            if block is None:
                block = []
            else:
                found[-1]["blocks"].append(block)
                found[-1]["names"] |= set(ENV_NAME.findall("\n".join(block)))
                block = None
            continue
        if block is not None:
            command = re.sub(r"\s+#\s.*$", "", line).rstrip()
            if command and not command.lstrip().startswith("#"):
                block.append(command)
            continue
        heading = re.match(r"^(#+) (.*)$", line)
        if heading:
            if found:
                found[-1]["prose"] = " ".join(prose)
            prose = []
            found.append({"level": len(heading[1]), "title": heading[2], "blocks": [], "names": set()})
        else:
            prose.append(line)
    found[-1]["prose"] = " ".join(prose)
    for section in found:
        spans = re.findall(r"`([^`]+)`", section["prose"])
        section["code"] = sorted({" ".join(span.split()) for span in spans})
        section["title_code"] = re.findall(r"`([^`]+)`", section["title"])
        section["names"] |= set(ENV_NAME.findall(section["prose"]))
    return found


def test_each_links_to_the_other():
    assert "(README.zh.md)" in ENGLISH.read_text().split("\n## ", 1)[0]
    assert "(README.md)" in CHINESE.read_text().split("\n## ", 1)[0]


def test_the_same_sections_in_the_same_order():
    english, chinese = sections(ENGLISH), sections(CHINESE)
    assert [s["level"] for s in english] == [s["level"] for s in chinese], (
        [s["title"] for s in english],
        [s["title"] for s in chinese],
    )
    for en, zh in zip(english, chinese, strict=True):
        assert en["title_code"] == zh["title_code"], (en["title"], zh["title"])


def test_each_section_has_the_same_commands_code_and_settings():
    for en, zh in zip(sections(ENGLISH), sections(CHINESE), strict=True):
        where = f"{en['title']} / {zh['title']}"
        assert en["blocks"] == zh["blocks"], where
        assert en["code"] == zh["code"], (where, set(en["code"]) ^ set(zh["code"]))
        assert en["names"] == zh["names"], (where, en["names"] ^ zh["names"])


def test_the_guide_covers_what_an_operator_runs_and_watches():
    english = sections(ENGLISH)
    titles = [s["title"] for s in english]
    for needed in ("The cluster shape", "Backups", "Upgrades with zero downtime", "Alerts"):
        assert any(title.startswith(needed) for title in titles), needed
    (alerts,) = [s for s in english if s["title"] == "Alerts"]
    rules = yaml.safe_load((DEPLOY / "prometheus-rules.yml").read_text())
    names = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert names and names <= set(alerts["code"]), names - set(alerts["code"])
    (backups,) = [s for s in english if s["title"] == "Backups"]
    for what in ("pg_dump", "access-log/heads/", "weed filer.backup"):
        assert any(what in code for code in backups["code"]), what
