"""Writes rabbitmq-4-schema.txt (beside this file) from a checkout of rabbitmq-server:

    python tests/unit/data/rabbitmq_schema_extract.py /path/to/rabbitmq-server v4.1.8

What it takes, all from the tag's own source (git show, no build):
- every cuttlefish mapping (`{mapping, "key.$name", ...}`) of deps/*/priv/schema/*.schema,
  marked `deprecated` when the schema says so: a `%% DEPRECATED` comment just above it, or the
  block of the Kubernetes peer discovery's version-1 options ("deprecated ... completely
  ignored" since 4.1), or a key tied to a deprecated feature (below);
- the deprecated features (`-rabbit_deprecated_feature({Name, #{deprecation_phase => P}})`);
- the policy keys the broker validates (`{policy_validator, <<"key">>}`), and the queue
  arguments it accepts on declare (`declare_args()` of rabbit_amqqueue.erl);
- the RABBITMQ_* environment variables the node reads (rabbit_env.erl and the start scripts).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# config keys that set a deprecated feature, by the feature's name
KEYS_OF_FEATURES = {"queue_master_locator": ["queue_master_locator"]}


def show(repo: str, tag: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, "show", f"{tag}:{path}"], capture_output=True, text=True, check=True
    ).stdout


def main(repo: str, tag: str) -> None:
    commit = subprocess.run(["git", "-C", repo, "rev-list", "-n1", tag], capture_output=True, text=True).stdout.strip()
    files = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", tag, "deps"], capture_output=True, text=True
    ).stdout.split()
    schemas = sorted(f for f in files if re.fullmatch(r"deps/[^/]+/priv/schema/[^/]+\.schema", f))
    deprecated_keys = {key for keys in KEYS_OF_FEATURES.values() for key in keys}
    mappings: dict[str, tuple[str, str]] = {}
    for path in schemas:
        text = show(repo, tag, path)
        ignored_from = text.find("deprecated as of version 2 of this plugin")
        for match in re.finditer(r'\{mapping,\s*"([^"]+)"', text):
            key = match[1]
            # the comment block just above the mapping (up to the previous statement)
            comment = []
            for line in reversed(text[: match.start()].splitlines()):
                if line.strip() and not line.lstrip().startswith("%%"):
                    break
                comment.append(line)
            marked = any(re.match(r"%%\s*DEPRECATED", line.strip()) for line in comment)
            ignored = ignored_from != -1 and match.start() > ignored_from
            status = "deprecated" if marked or ignored or key in deprecated_keys else "ok"
            plugin = path.split("/")[1]
            if key not in mappings or status == "deprecated":
                mappings[key] = (status, plugin)
    features = {}
    for path in (f for f in files if f.endswith(".erl") and "/src/" in f):
        text = show(repo, tag, path)
        for match in re.finditer(r"-rabbit_deprecated_feature\(\s*\{(\w+),\s*#\{deprecation_phase\s*=>\s*(\w+)", text):
            features[match[1]] = match[2]
    policies = set()
    for path in (f for f in files if f.startswith("deps/rabbit/src/") and f.endswith(".erl")):
        policies |= set(re.findall(r'\{policy_validator,\s*<<"([a-z-]+)">>\}', show(repo, tag, path)))
    amqqueue = show(repo, tag, "deps/rabbit/src/rabbit_amqqueue.erl")
    declare = amqqueue.split("declare_args() ->", 1)[1].split("].", 1)[0]
    arguments = sorted(set(re.findall(r'<<"(x-[a-z-]+)">>', declare)))
    environment = set()
    for path in (
        "deps/rabbit_common/src/rabbit_env.erl",
        "deps/rabbit/scripts/rabbitmq-env",
        "deps/rabbit/scripts/rabbitmq-server",
    ):
        environment |= set(re.findall(r"\bRABBITMQ_[A-Z][A-Z_]*[A-Z]\b", show(repo, tag, path)))
    out = [
        f"# RabbitMQ {tag.lstrip('v')} (rabbitmq/rabbitmq-server, commit {commit}), made by",
        "# tests/unit/data/rabbitmq_schema_extract.py; read by tests/unit/test_rabbitmq_config.py.",
        f"# {len(schemas)} schema files: " + " ".join(Path(s).name for s in schemas),
        "[features]  deprecated feature, its phase in this release",
        *(f"{name} {phase}" for name, phase in sorted(features.items())),
        "[policy]  keys of a policy definition the broker validates",
        *sorted(policies),
        "[arguments]  queue arguments accepted on declare",
        *arguments,
        "[environment]  RABBITMQ_* variables the node reads",
        *sorted(environment),
        "[mappings]  rabbitmq.conf key pattern ($name: any one word), ok|deprecated, plugin",
        *(f"{key} {status} {plugin}" for key, (status, plugin) in sorted(mappings.items())),
    ]
    (Path(__file__).parent / "rabbitmq-4-schema.txt").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
