"""The end user's signed statement (services/common/infra/actor.py): what the gateway signs, what
a service believes, and what it refuses."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.infra import actor as statements

NOW = 1_800_000_000.0
PARTY: statements.Actor = {
    "id": 7,
    "role": "party",
    "name": "张三",
    "phone": "13800138000",
    "id_number": "440106199001011234",
    "license_no": None,
    "law_firm": None,
    "court": None,
    "verified": True,
}


@pytest.fixture
def keys():
    private, public = statements.new_key_pair()
    return statements.load_signing_key(private), statements.load_verify_key(public)


def test_a_statement_checks_for_its_method_and_gives_back_the_actor(keys):
    signing, verifying = keys
    statement = statements.sign(signing, PARTY, "applications.get_application", now=NOW)
    actor = statements.verify(verifying, statement, "applications.get_application", now=NOW + 29)
    assert actor == PARTY and isinstance(actor, statements.VerifiedActor)
    assert actor.statement == statement and actor.audience == "applications.get_application"


def test_what_is_refused(keys):
    signing, verifying = keys
    target = "dossier.read_page"
    good = statements.sign(signing, PARTY, target, now=NOW)

    def reason(statement, at=NOW, to=target):
        with pytest.raises(statements.Refused) as refused:
            statements.verify(verifying, statement, to, now=at)
        return refused.value.reason

    # no statement, a plain actor (what any broker client could send), garbage
    assert reason(None) == "no statement"
    assert reason(dict(PARTY)) == "a plain actor, not a signed statement"
    for junk in ("", "x", "a.b", "..", 42, ["a"], "é.é", good + "x" * 9000):
        assert reason(junk)
    # another key signed it
    other = statements.load_signing_key(statements.new_key_pair()[0])
    assert reason(statements.sign(other, PARTY, target, now=NOW)) == "signature does not check"
    # the claims changed after signing (another user, another method)
    payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    for change in ({"act": dict(PARTY, id=8)}, {"aud": "dossier.print_document"}, {"exp": NOW + 10**6}):
        forged = base64.urlsafe_b64encode(json.dumps(dict(claims, **change)).encode()).rstrip(b"=").decode()
        assert reason(forged + "." + signature) == "signature does not check"
    # expired; issued in the future
    assert reason(good, at=NOW + 30).startswith("expired")
    assert reason(good, at=NOW - 60) == "issued in the future"
    # addressed to another method, or another service's method of the same name
    assert reason(good, to="dossier.print_document") == "addressed to dossier.read_page, not dossier.print_document"
    assert reason(good, to="applications.read_page").startswith("addressed to")


def test_lifetime_is_bounded_and_follows_the_call(keys):
    signing, verifying = keys
    long_call = statements.sign(signing, PARTY, "dossier.print_document", lifetime=300, now=NOW)
    assert statements.verify(verifying, long_call, "dossier.print_document", now=NOW + 299)
    forever = statements.sign(signing, PARTY, "dossier.print_document", lifetime=10**9, now=NOW)
    with pytest.raises(statements.Refused):
        statements.verify(verifying, forever, "dossier.print_document", now=NOW + statements.MAX_LIFETIME_SECONDS)


def test_a_statement_may_be_passed_on_only_where_forwarding_is_listed(keys):
    signing, verifying = keys
    submitted = statements.sign(signing, PARTY, "applications.submit", now=NOW)
    # applications asks case_binding about the same user, with the gateway's statement
    assert statements.verify(verifying, submitted, "case_binding.claim_relation", now=NOW)["id"] == 7
    for elsewhere in ("case_binding.relation", "case_binding.apply_binding", "dossier.read_page"):
        with pytest.raises(statements.Refused):
            statements.verify(verifying, submitted, elsewhere, now=NOW)
    listed = statements.sign(signing, PARTY, "applications.list_applications", now=NOW)
    with pytest.raises(statements.Refused):
        statements.verify(verifying, listed, "case_binding.claim_relation", now=NOW)
    decided = statements.sign(signing, {"id": 3, "role": "clerk"}, "review.decide", now=NOW)
    assert statements.verify(verifying, decided, "dossier.grantable_documents", now=NOW)["role"] == "clerk"


def test_personal_numbers_go_only_where_they_are_used():
    told = {target: statements.claims_for(target, PARTY) for target in statements_targets()}
    assert told["case_binding.relation"]["id_number"] == PARTY["id_number"]
    assert told["case_binding.apply_binding"]["phone"] == PARTY["phone"]
    assert "id_number" not in told["applications.list_applications"]
    assert told["applications.submit"]["phone"] == PARTY["phone"]
    # submit passes the statement on to case_binding, which matches parties on the ID number
    assert told["applications.submit"]["id_number"] == PARTY["id_number"]
    assert told["dossier.read_page"]["id_number"] == "4401**********1234"  # the watermark's masked form
    assert "phone" not in told["dossier.read_page"]
    for target in ("review.messages", "identity.create_staff"):
        assert not {"phone", "id_number"} & told[target].keys(), target
    # a decision passes its statement on to dossier, which is told ID numbers masked only
    assert "phone" not in told["review.decide"] and told["review.decide"]["id_number"] == "4401**********1234"
    for fields in told.values():  # everything else reaches everyone
        assert {k: fields[k] for k in ("id", "role", "name", "court", "verified")} == {
            k: PARTY[k] for k in ("id", "role", "name", "court", "verified")
        }


def statements_targets():
    return [
        "case_binding.relation",
        "case_binding.apply_binding",
        "applications.list_applications",
        "applications.submit",
        "dossier.read_page",
        "review.messages",
        "review.decide",
        "identity.create_staff",
    ]


def test_keys_load_from_pem_or_raw_base64():
    key = Ed25519PrivateKey.generate()
    pem_private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    pem_public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    raw_private, raw_public = statements.raw_private(key), statements.raw_public(key)
    urlsafe_public = base64.urlsafe_b64encode(base64.b64decode(raw_public)).rstrip(b"=").decode()
    for private in (pem_private, raw_private, " " + raw_private + "\n"):
        statement = statements.sign(statements.load_signing_key(private), PARTY, "review.messages", now=NOW)
        for public in (pem_public, raw_public, urlsafe_public):
            assert statements.verify(statements.load_verify_key(public), statement, "review.messages", now=NOW)
    for bad in ("", "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            statements.load_signing_key(bad)
        with pytest.raises(ValueError):
            statements.load_verify_key(bad)
    with pytest.raises(ValueError):  # the private key is no public key, and the reverse
        statements.load_verify_key(pem_private)


def test_the_gateway_signs_per_method_and_leaves_unverifying_services_a_plain_actor():
    from gateway.dependencies import ActorSigner

    private, public = statements.new_key_pair()
    signer = ActorSigner(statements.load_signing_key(private), lifetime=30)
    statement = signer.actor_for("dossier", "read_page", PARTY, deadline=10)
    seen = statements.verify(statements.load_verify_key(public), statement, "dossier.read_page")
    assert "phone" not in seen and seen["id_number"].startswith("4401*")
    for service in statements.UNVERIFIED_SERVICES:
        plain = signer.actor_for(service, "create_staff", PARTY, deadline=10)
        assert isinstance(plain, dict) and not {"phone", "id_number"} & plain.keys()


def test_during_a_rotation_both_public_keys_are_believed():
    old_private, old_public = statements.new_key_pair()
    new_private, new_public = statements.new_key_pair()
    both = statements.load_verify_keys(f"{old_public}, {new_public}")
    for private in (old_private, new_private):
        statement = statements.sign(statements.load_signing_key(private), PARTY, "review.messages", now=NOW)
        assert statements.verify(both, statement, "review.messages", now=NOW)["id"] == 7
    stranger = statements.sign(
        statements.load_signing_key(statements.new_key_pair()[0]), PARTY, "review.messages", now=NOW
    )
    with pytest.raises(statements.Refused):
        statements.verify(both, stranger, "review.messages", now=NOW)
    with pytest.raises(ValueError):
        statements.load_verify_keys(" , ")
