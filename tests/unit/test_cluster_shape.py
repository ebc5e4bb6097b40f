"""The cluster shape's configuration (deploy/cluster.py), checked without starting it:
HAProxy accepts what it is given, and the broker nodes read nothing of the machine's own
RabbitMQ and listen on loopback only."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from deploy import cluster as shape


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_PORT", "18123")
    return shape.Cluster()


def test_haproxy_accepts_the_configuration_and_checks_both_gateways(cluster):
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    assert haproxy, "make deps installs haproxy (deploy/install-deps.sh)"
    config = cluster.haproxy_config()
    checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    assert "bind 127.0.0.1:18123" in text
    ports = cluster.layout()["gateway_ports"]
    assert len(ports) == shape.REPLICAS
    for n, port in enumerate(ports, start=1):
        assert f"server gateway-{n} 127.0.0.1:{port} check" in text
    assert "option httpchk GET /api/v1/openapi.json" in text  # the gateway alone, as in Kubernetes
    assert "httplog" not in text  # request lines could carry a link token
    # a change is never sent twice by the proxy: only reads are retried after delivery
    assert "http-request disable-l7-retry unless METH_GET || METH_HEAD" in text


def test_broker_nodes_have_their_own_names_ports_and_files_on_loopback(cluster):
    nodes = cluster.layout()["nodes"]
    assert len(nodes) == shape.NODES
    ports = [p for node in nodes for p in (node["amqp_port"], node["dist_port"])] + cluster.layout()["gateway_ports"]
    assert len(set(ports)) == len(ports) and 5672 not in ports and 25672 not in ports
    for n, node in enumerate(nodes, start=1):
        env = cluster.rabbit_env(n)
        assert env["RABBITMQ_NODENAME"] == node["name"] and node["name"].endswith("@localhost")
        assert env["RABBITMQ_NODE_IP_ADDRESS"] == "127.0.0.1" and env["ERL_EPMD_ADDRESS"] == "127.0.0.1"
        assert "inet_dist_use_interface {127,0,0,1}" in env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]
        for key in ("RABBITMQ_CONF_ENV_FILE", "RABBITMQ_CONFIG_FILE", "RABBITMQ_MNESIA_BASE", "HOME"):
            assert env[key].startswith(str(cluster.data_dir)), key  # never /etc/rabbitmq or /var/lib/rabbitmq
        conf = (cluster.rabbit_dir / f"rabbit-{n}.conf").read_text()
        assert f"listeners.tcp.local = 127.0.0.1:{node['amqp_port']}" in conf
        assert "RABBITMQ_ERLANG_COOKIE" not in env  # deprecated: the cookie is a file
    cookie = cluster.cookie_home() / ".erlang.cookie"
    assert cookie.stat().st_mode & 0o777 == 0o400


def test_each_replica_starts_on_another_broker_node_and_fails_over_to_the_rest(cluster):
    cluster.state()
    firsts = set()
    for index in range(shape.NODES):
        uris = cluster.amqp_uri(index).split(";")
        assert len(uris) == shape.NODES and all(u.startswith("amqp://guest:guest@127.0.0.1:") for u in uris)
        firsts.add(uris[0])
    assert len(firsts) == shape.NODES


def test_the_cluster_refuses_to_start_without_postgresql(cluster, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "")
    with pytest.raises(SystemExit, match="needs PostgreSQL"):
        cluster.environment()
