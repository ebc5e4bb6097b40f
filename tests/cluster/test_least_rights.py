"""The cluster shape runs every process with its own credentials and the least rights it
needs: on the broker (services.common.infra.topology), on PostgreSQL (services.common.infra.roles) and
on the S3 server (deploy.cluster.S3_GRANTS). The stack works with them (a party registers
and applies through HAProxy, which takes identity, applications, case_binding and review
with their own users, roles and keys), and each is refused what belongs to another."""

from __future__ import annotations

import io
import uuid

import amqp
import psycopg2
import pytest
from minio import Minio
from minio.error import S3Error

from services.common.infra.topology import BROKER_USERS
from tests.e2e.test_dossier import ingest
from tests.support import create_staff, make_pdf, new_case_no, new_party, wait_until

pytestmark = pytest.mark.cluster

COURT = "最小权限法院"
REVIEW_QUEUE = "evt-applications-application_submitted--review.on_application_submitted"


def broker_connection(handle, user: str) -> amqp.Connection:
    cluster = handle.cluster()
    state = cluster.state()
    port = cluster.node(1)["amqp_port"]
    connection = amqp.Connection(
        f"127.0.0.1:{port}", userid=user, password=state["broker_passwords"][user], virtual_host=state["vhost"]
    )
    connection.connect()
    return connection


def refused(action) -> str:
    """The broker's reply to an action it should refuse: the exception's name."""
    try:
        action()
    except amqp.exceptions.AccessRefused as exc:
        return f"ACCESS_REFUSED: {exc.reply_text}"
    return "allowed"


def publish_and_sync(channel: amqp.Channel, exchange: str, routing_key: str) -> None:
    """A publish is refused asynchronously (the broker closes the channel): a synchronous
    call after it brings the refusal back."""
    channel.basic_publish(amqp.Message(b"{}"), exchange=exchange, routing_key=routing_key)
    channel.queue_declare(REVIEW_QUEUE, passive=True)


def test_every_process_connects_as_its_own_broker_user(cluster):
    listed = cluster.cluster().ctl(1, "list_connections", "user").stdout.split()
    for user in BROKER_USERS:
        assert user in listed, f"no connection of {user}: {sorted(set(listed))}"


def test_a_service_s_broker_user_is_refused_what_is_another_s(cluster):
    identity = broker_connection(cluster, "identity")
    try:
        # consume review's queue (read on it)
        said = refused(lambda: identity.channel().basic_get(REVIEW_QUEUE))
        assert said.startswith("ACCESS_REFUSED") and REVIEW_QUEUE in said, said
        # publish into review's retries, or to any queue through the default exchange
        said = refused(lambda: publish_and_sync(identity.channel(), "review.retry", REVIEW_QUEUE + ".dead"))
        assert said.startswith("ACCESS_REFUSED") and "review.retry" in said, said
        said = refused(lambda: publish_and_sync(identity.channel(), "", REVIEW_QUEUE))
        assert said.startswith("ACCESS_REFUSED") and "amq.default" in said, said
        # announce another service's events, or call a service it does not call
        said = refused(lambda: publish_and_sync(identity.channel(), "review.events", "application_decided"))
        assert said.startswith("ACCESS_REFUSED") and "review.events" in said, said
        said = refused(lambda: publish_and_sync(identity.channel(), "nameko-rpc", "dossier.grant_reading"))
        assert said.startswith("ACCESS_REFUSED") and "dossier.grant_reading" in said, said
        # delete another's exchange
        said = refused(lambda: identity.channel().exchange_delete("applications.events"))
        assert said.startswith("ACCESS_REFUSED"), said
    finally:
        identity.close()
    review = broker_connection(cluster, "review")
    try:  # its own dead letters it may read (the handler parks there) and publish to
        channel = review.channel()
        assert channel.basic_get(REVIEW_QUEUE + ".dead") is None
        assert refused(lambda: channel.queue_declare(REVIEW_QUEUE + ".dead", passive=True)) == "allowed"
    finally:
        review.close()
    gateway = broker_connection(cluster, "gateway")
    try:  # the gateway: RPC only, no service's queue
        said = refused(lambda: gateway.channel().basic_get("rpc-identity"))
        assert said.startswith("ACCESS_REFUSED"), said
    finally:
        gateway.close()


def service_database_url(cluster, service: str) -> str:
    from services.common.infra.roles import service_url

    owner = cluster.env["DATABASE_URL"]
    role, password = cluster.cluster().db_roles(owner)[service]
    return service_url(owner, role, password)


def test_a_service_s_database_role_is_refused_another_s_schema(cluster):
    connection = psycopg2.connect(service_database_url(cluster, "applications"))
    connection.autocommit = True
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT current_user")
            assert cur.fetchone()[0].endswith("_applications")
            cur.execute("SELECT count(*) FROM applications.applications")  # its own
            assert cur.fetchone()[0] >= 0
            for statement in (
                "SELECT count(*) FROM identity.users",
                "SELECT count(*) FROM dossier.access_log",
                "CREATE TABLE identity.planted (id int)",
                "CREATE TABLE applications.planted (id int)",  # its own schema's shape is the migrations'
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(statement)
    finally:
        connection.close()


def s3_client(cluster, name: str) -> Minio:
    cluster_ = cluster.cluster()
    state = cluster_.state()
    access, secret = state["s3_keys"][name]
    return Minio(
        f"127.0.0.1:{state['s3_base_port'] + 3}", access_key=access, secret_key=secret, secure=False, region="us-east-1"
    )


def s3_answer(action) -> str:
    """The S3 error code ``action`` met, or "allowed"."""
    try:
        action()
    except S3Error as exc:
        return exc.code
    return "allowed"


def test_a_service_s_s3_key_is_refused_another_s_prefix(cluster):
    dossier, applications, gateway = (s3_client(cluster, name) for name in ("dossier", "applications", "gateway"))
    bucket = "court"
    name = f"dossier/tmp/{uuid.uuid4()}"
    dossier.put_object(bucket, name, io.BytesIO(b"page"), 4)
    assert gateway.get_object(bucket, name).read() == b"page"  # a parked page the gateway streams
    material = f"materials/{uuid.uuid4()}"
    applications.put_object(bucket, material, io.BytesIO(b"m"), 1)

    assert s3_answer(lambda: applications.get_object(bucket, name).read()) == "AccessDenied"
    assert (
        s3_answer(lambda: applications.put_object(bucket, "dossier/renders/x.png", io.BytesIO(b"x"), 1))
        == "AccessDenied"
    )
    assert s3_answer(lambda: dossier.get_object(bucket, material).read()) == "AccessDenied"
    assert s3_answer(lambda: dossier.remove_object(bucket, material)) == "AccessDenied"
    assert (
        s3_answer(lambda: gateway.put_object(bucket, "access-log/heads/999.json", io.BytesIO(b"{}"), 2))
        == "AccessDenied"
    )
    assert (
        s3_answer(lambda: dossier.put_object(bucket, "access-log/heads/999.json", io.BytesIO(b"{}"), 2))
        == "AccessDenied"
    )
    assert s3_answer(lambda: gateway.get_object(bucket, "dossier/renders/1/1-1200.png").read()) == "AccessDenied"
    gateway.remove_object(bucket, name)  # what it streamed it deletes
    applications.remove_object(bucket, material)


def test_the_stack_works_with_its_own_credentials(cluster):
    """An ingested dossier (gateway stages, dossier stores), an application (applications,
    case_binding), its approval (review, an event to dossier and applications through
    their own queues) and a stamped page read (dossier renders, the gateway streams)."""
    admin = cluster.admin_api()
    reader = new_party(cluster.base_url, "最小权限当事人")
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": COURT,
        "cause": "合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": True,
        "parties": [{"name": reader.user["name"], "id_number": reader.id_number, "side": "原告"}],
        "lawyers": [],
    }
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    document = ingest(admin, case_no, make_pdf(1), "正卷", "起诉状").json()["id"]
    clerk = create_staff(admin, "clerk", COURT)
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "阅卷", "material_ids": []}
    submitted = reader.post("/api/v1/applications", json=body)
    assert submitted.status_code == 201, submitted.text
    app_id = submitted.json()["id"]
    decision = {"opinion": "approve", "mode": "online"}
    decide = f"/api/v1/staff/applications/{app_id}/decision"
    assert wait_until(lambda: clerk.post(decide, json=decision).status_code == 200, 30)
    page = f"/api/v1/applications/{app_id}/dossier/documents/{document}/pages/1"
    assert wait_until(lambda: reader.get(page).status_code == 200, 30), reader.get(page).text
    assert reader.get(page).headers["Content-Type"].startswith("image/")


def test_the_access_log_heads_can_be_neither_deleted_nor_replaced(cluster):
    """The heads' bucket is under object lock (compliance): the dossier service's key
    writes a head, and neither it nor the administrator's removes that version; a write
    over it or a delete marker leaves it in place, and check-log still reads it."""
    from nameko import config

    from services.common.infra.storage import ObjectStore
    from services.dossier.usecases import HEADS_PREFIX, exported_heads

    state = cluster.cluster().state()
    admin = Minio(
        f"127.0.0.1:{state['s3_base_port'] + 3}",
        access_key=state["s3_access_key"],
        secret_key=state["s3_secret_key"],
        secure=False,
        region="us-east-1",
    )
    dossier = s3_client(cluster, "dossier")
    heads = "court-heads"
    lock = admin.get_object_lock_config(heads)
    assert (lock.mode, lock.duration, lock.duration_unit) == ("COMPLIANCE", 3650, "Days")
    seq = 10**11 + uuid.uuid4().int % 10**9
    key = f"{HEADS_PREFIX}{seq:012d}.json"
    kept = b'{"seq": %d, "hash": "kept"}' % seq
    first = dossier.put_object(heads, key, io.BytesIO(kept), len(kept))
    assert admin.get_object_retention(heads, key, version_id=first.version_id).mode == "COMPLIANCE"

    assert s3_answer(lambda: dossier.remove_object(heads, key, version_id=first.version_id)) == "AccessDenied"
    assert s3_answer(lambda: admin.remove_object(heads, key, version_id=first.version_id)) == "AccessDenied"
    # a recomputed head written over it, then a delete marker: the first is still there
    body = b'{"seq": %d, "hash": "rewritten"}' % seq
    dossier.put_object(heads, key, io.BytesIO(body), len(body))
    dossier.remove_object(heads, key)
    assert admin.get_object(heads, key, version_id=first.version_id).read().endswith(b'"kept"}')
    with config.patch({"S3_HEADS_BUCKET": heads}):
        found = [(s, digest) for _, s, digest in exported_heads(ObjectStore(dossier, "court")) if s == seq]
    assert sorted(found) == [(seq, "kept"), (seq, "rewritten")]  # both checked against the log
    # the other processes' keys cannot write there at all
    applications = s3_client(cluster, "applications")
    assert s3_answer(lambda: applications.put_object(heads, key, io.BytesIO(b"{}"), 2)) == "AccessDenied"
