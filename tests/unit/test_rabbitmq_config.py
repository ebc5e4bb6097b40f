"""Every RabbitMQ setting the project writes is current for RabbitMQ 4 (the version compose
and Kubernetes run), checked offline against data/rabbitmq-4-schema.txt: the 4.1 release's
own cuttlefish schemas, deprecated features, validated policy keys, accepted queue
arguments and the environment its node reads (data/rabbitmq_schema_extract.py made it).

The configs: deploy/rabbitmq/rabbitmq.conf (compose mounts it), the Kubernetes ConfigMap,
compose's and Kubernetes' RABBITMQ_* environment, and what deploy/cluster.py writes for its
nodes (those run on this machine's RabbitMQ 3.10 in `make test-cluster`, so they must be
valid on both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from deploy import cluster as shape
from services.common import broker, events

ROOT = Path(__file__).resolve().parents[2]
EXTRACT = Path(__file__).parent / "data" / "rabbitmq-4-schema.txt"
# what 4.x removed or deprecated that a policy, argument or setting could still ask for
REMOVED_POLICY_KEYS = ("ha-mode", "ha-params", "ha-sync-mode", "ha-promote-on-shutdown", "queue-master-locator")


def extract() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in EXTRACT.read_text().splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("["):
            current = line[1 : line.index("]")]
            sections[current] = []
        elif line.strip():
            sections[current].append(line)
    return sections


SCHEMA = extract()
MAPPINGS = [line.split() for line in SCHEMA["mappings"]]


def schema_status(key: str) -> str | None:
    """ok or deprecated for the most specific pattern matching ``key``; None when none does."""
    best = None
    for pattern, status, _plugin in MAPPINGS:
        regex = (
            "^" + r"\.".join("[^.]+" if part.startswith("$") else re.escape(part) for part in pattern.split(".")) + "$"
        )
        if re.match(regex, key):
            literal = sum(not part.startswith("$") for part in pattern.split("."))
            if best is None or literal > best[0]:
                best = (literal, status)
    return best and best[1]


def conf_keys(text: str) -> list[str]:
    return [
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def manifests() -> list[dict]:
    docs = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def rabbit_configmap() -> dict:
    (configmap,) = [d for d in manifests() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "rabbitmq-config"]
    return configmap["data"]


def cluster_node_conf(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "18124")
    node = shape.Cluster()
    env = node.rabbit_env(1)
    return Path(env["RABBITMQ_CONFIG_FILE"]).read_text()


def test_the_extract_is_the_4x_release_and_knows_the_keys_that_matter():
    header = EXTRACT.read_text().splitlines()[0]
    assert re.match(r"# RabbitMQ 4\.\d+\.\d+ \(rabbitmq/rabbitmq-server, commit [0-9a-f]{40}\)", header), header
    assert schema_status("default_queue_type") == "ok"
    assert schema_status("listeners.tcp.local") == "ok"  # a $name pattern
    assert schema_status("queue_master_locator") == "deprecated"
    assert schema_status("cluster_formation.k8s.host") == "deprecated"  # ignored since 4.1
    assert schema_status("no_such.setting") is None
    features = dict(line.split() for line in SCHEMA["features"])
    assert features["classic_queue_mirroring"] == "removed"
    for name in ("transient_nonexcl_queues", "global_qos", "queue_master_locator", "management_metrics_collection"):
        assert name in features


@pytest.mark.parametrize("source", ["compose and k8s rabbitmq.conf", "k8s ConfigMap", "cluster.py nodes"])
def test_every_setting_is_a_current_4x_key(source, tmp_path, monkeypatch):
    if source == "compose and k8s rabbitmq.conf":
        text = (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text()
    elif source == "k8s ConfigMap":
        text = rabbit_configmap()["rabbitmq.conf"]
    else:
        text = cluster_node_conf(tmp_path, monkeypatch)
    keys = conf_keys(text)
    assert keys, source
    for key in keys:
        status = schema_status(key)
        assert status is not None, f"{source}: {key} is no RabbitMQ 4 setting"
        assert status == "ok", f"{source}: {key} is deprecated in RabbitMQ 4"
        # nothing re-enables what 4.x deprecated
        assert not key.startswith("deprecated_features.permit."), f"{source}: {key}"


def test_compose_mounts_that_file_and_sets_only_variables_the_node_reads():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    rabbit = compose["services"]["rabbitmq"]
    assert rabbit["image"].startswith("rabbitmq:4.")
    assert "./rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-court.conf:ro" in rabbit["volumes"]
    known = set(SCHEMA["environment"])
    for name in rabbit.get("environment", {}):
        assert name in known, name
    (statefulset,) = [d for d in manifests() if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "rabbitmq"]
    for container in statefulset["spec"]["template"]["spec"]["containers"]:
        assert container["image"].startswith("rabbitmq:4.")
        for variable in container.get("env", []):
            if variable["name"].startswith("RABBITMQ_"):
                assert variable["name"] in known, variable["name"]


def test_cluster_nodes_are_started_with_variables_the_node_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "18125")
    env = shape.Cluster().rabbit_env(2)
    used = [name for name in env if name.startswith("RABBITMQ_")]
    assert "RABBITMQ_NODENAME" in used
    assert not set(used) - set(SCHEMA["environment"])


def test_enabled_plugins_exist_in_4x():
    plugins = re.findall(r"\w+", rabbit_configmap()["enabled_plugins"])
    schemas = EXTRACT.read_text().splitlines()[2]
    for plugin in plugins:
        assert f"{plugin}.schema" in schemas, plugin


def test_the_policy_and_queue_arguments_use_no_removed_feature():
    valid_policy = set(SCHEMA["policy"])
    assert set(broker.POLICY_DEFINITION) <= valid_policy
    assert not set(REMOVED_POLICY_KEYS) & valid_policy  # the extract agrees they are gone
    arguments = set(SCHEMA["arguments"])
    queues = [*events.side_queues("evt-x--y.z", (1, 5), "y"), events.broker_dead_letters()]
    for queue in queues:
        # a durable queue (transient non-exclusive ones are deprecated) with arguments 4.x takes
        assert queue.durable and not queue.auto_delete, queue.name
        assert set(queue.queue_arguments or {}) <= arguments, queue.name
    # nameko's own queues: RPC reply queues expire (x-expires), nothing else
    from nameko import rpc

    assert "x-expires" in arguments and rpc.RPC_REPLY_QUEUE_TTL > 0


def test_no_config_asks_for_a_removed_or_deprecated_feature():
    texts = {
        "rabbitmq.conf": (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text(),
        "ConfigMap": rabbit_configmap()["rabbitmq.conf"],
        "broker.py": (ROOT / "services" / "common" / "broker.py").read_text(),
        "cluster.py": (ROOT / "deploy" / "cluster.py").read_text(),
        "stack.py": (ROOT / "deploy" / "stack.py").read_text(),
    }
    for name, text in texts.items():
        for removed in (*REMOVED_POLICY_KEYS, "x-ha-", "queue-master-locator", "node_type = ram", "--ram"):
            assert removed not in text, (name, removed)
        # global QoS (per-channel prefetch) is deprecated: prefetch is per consumer
        assert not re.search(r"(a_global|apply_global|global_qos)\s*=\s*True", text), name
