"""The end user as a signed statement: what a service believes about who is asking.

The gateway resolves the sign-in, then signs the user (the *actor*) for the one method it
calls, with an Ed25519 key only the gateway holds (``GATEWAY_ACTOR_SIGNING_KEY``). Every
service verifies the statement with the public key (``ACTOR_VERIFY_KEY``) before any use
case runs (``services.common.infra.rpc.actor_rpc``), so a process that can reach the broker but
holds no private key cannot act as anyone: a plain dict, a statement signed by another
key, an expired one, or one addressed to another method is refused (``forbidden``).

A statement is ``<payload>.<signature>``, both base64url without padding. The payload is
JSON: ``act`` (the actor's fields), ``aud`` (``service.method``), ``iat`` and ``exp`` (Unix
seconds), ``iss`` (``gateway``). The signature covers ``DOMAIN + payload``.

Service-to-service calls pass the statement on, never a new one: a method that calls
another one for the same user (applications asking case_binding what the user is to the
case) forwards the statement it verified (``VerifiedActor.statement``), and the callee
accepts it only where ``FORWARDED`` says that method may pass it on to this one. No
service holds a signing key, so no service can make up a user; one can only repeat, to
the methods listed, the statements of users who called it within their lifetime.

Personal numbers travel only where a service uses them (``PERSONAL_FIELDS``); every other
field of the actor goes to every service.

``python -m services.common.infra.actor`` prints a new key pair for an operator's secrets.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, NotRequired, TypedDict, TypeGuard, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.common.court.people import mask_id_number
from services.common.infra.ids import UserId

DOMAIN = b"court-actor-statement.v1."
ISSUER = "gateway"
MAX_STATEMENT_CHARS = 8192
CLOCK_LEEWAY_SECONDS = 5.0  # a statement "issued" this far in the future is still believed (clock skew)
MAX_LIFETIME_SECONDS = 900.0  # no statement is good for longer, whatever the gateway asked
DEFAULT_LIFETIME_SECONDS = 30.0

# A statement addressed to the key may be passed on, by the service it was addressed to,
# to these methods (and no others): the calls a use case makes for the same user.
FORWARDED: dict[str, tuple[str, ...]] = {
    # submitting and reapplying ask case_binding what the reader is to the case (the claim)
    "applications.submit": ("case_binding.claim_relation",),
    "applications.reapply": ("case_binding.claim_relation",),
    # a clerk's decision on chosen documents asks dossier which ones the clerk may grant
    "review.decide": ("dossier.grantable_documents",),
    # who read my case asks case_binding whether the reader is a party of it
    "dossier.case_reads": ("case_binding.relation",),
}

# Personal numbers, per service: "full", "masked", or left out (every service not listed).
PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    # parties are matched on name and ID number; a binding lawyer's phone gets the decision's text
    "case_binding": {"id_number": "full", "phone": "full"},
    # the reader's phone goes into application_submitted, for review's texts of the decision
    "applications": {"phone": "full"},
    # the watermark shows the reader's ID number masked
    "dossier": {"id_number": "masked"},
}
PERSONAL = ("phone", "id_number")

# Services whose entrypoints do not verify statements yet: they get the actor as a plain
# dict (personal numbers left out as above). Empty once every service verifies.
UNVERIFIED_SERVICES: frozenset[str] = frozenset()


class Actor(TypedDict):
    """The end user a call serves, as identity resolved the sign-in (``identity.schemas.
    principal``) and the service verified it: the same fields in every service, less the
    personal numbers a service is not told (``PERSONAL_FIELDS``)."""

    id: UserId
    role: str  # party, lawyer, clerk, archivist, admin
    name: NotRequired[str | None]
    court: NotRequired[str | None]  # staff: the court they work for
    license_no: NotRequired[str | None]  # lawyers: 执业证号
    law_firm: NotRequired[str | None]
    phone: NotRequired[str | None]
    id_number: NotRequired[str | None]
    verified: NotRequired[bool]  # 实名认证 done
    session_expires_at: NotRequired[str]


class Refused(Exception):
    """Why a statement is not believed (for the log; callers see only ``forbidden``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class VerifiedActor(dict):
    """The actor's fields from a statement that checked, with the statement itself, which
    ``services.common.infra.rpc`` passes on instead of the dict when the service calls another."""

    def __init__(self, fields: dict, statement: str, audience: str):
        super().__init__(fields)
        self.statement = statement
        self.audience = audience


# -- keys -------------------------------------------------------------------------------------
def _b64decode(text: str) -> bytes:
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_signing_key(text: str) -> Ed25519PrivateKey:
    """A PEM private key (PKCS#8), or the 32 raw bytes in base64."""
    pem = lambda data: serialization.load_pem_private_key(data, password=None)  # noqa: E731
    return _load_key(text, "signing key", "private", Ed25519PrivateKey, pem, Ed25519PrivateKey.from_private_bytes)


def load_verify_keys(text: str) -> tuple[Ed25519PublicKey, ...]:
    """One key, or several separated by commas (during a rotation: ``old,new``)."""
    keys = tuple(load_verify_key(part) for part in (text or "").split(",") if part.strip())
    if not keys:
        raise ValueError("no verify key")
    return keys


def load_verify_key(text: str) -> Ed25519PublicKey:
    """A PEM public key (SubjectPublicKeyInfo), or the 32 raw bytes in base64."""
    pem = serialization.load_pem_public_key
    return _load_key(text, "verify key", "public", Ed25519PublicKey, pem, Ed25519PublicKey.from_public_bytes)


def _load_key(
    text: str, name: str, half: str, kind: type, load_pem: Callable[[bytes], Any], from_raw: Callable[[bytes], Any]
):
    """One Ed25519 key of ``kind`` from PEM, or from its 32 raw bytes in base64."""
    text = (text or "").strip()
    if not text:
        raise ValueError(f"no {name}")
    if text.startswith("-----BEGIN"):
        key = load_pem(text.encode())
        if not isinstance(key, kind):
            raise ValueError(f"the {name} is not an Ed25519 key")
        return key
    raw = _b64decode(text)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 {half} key is 32 bytes")
    return from_raw(raw)


def raw_private(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def new_key_pair() -> tuple[str, str]:
    """(private, public), each 32 raw bytes in base64: GATEWAY_ACTOR_SIGNING_KEY, ACTOR_VERIFY_KEY."""
    key = Ed25519PrivateKey.generate()
    return raw_private(key), raw_public(key)


# -- what each service is told --------------------------------------------------------------------
def audiences(target: str) -> set[str]:
    """The addresses a statement may carry to be believed by ``target``."""
    return {target} | {origin for origin, onward in FORWARDED.items() if target in onward}


def personal_fields(target: str) -> dict[str, str]:
    """The personal numbers a statement for ``target`` carries: the service's own needs and
    those of the methods it passes the statement on to ("full" wins over "masked")."""
    needed: dict[str, str] = {}
    for method in (target, *FORWARDED.get(target, ())):
        for name, form in PERSONAL_FIELDS.get(method.split(".", 1)[0], {}).items():
            if needed.get(name) != "full":
                needed[name] = form
    return needed


def claims_for(target: str, actor: Mapping[str, Any]) -> Actor:
    """The actor as ``target`` is told: every field but the personal numbers it does not use."""
    needed = personal_fields(target)
    told: dict[str, Any] = {}
    for name, value in actor.items():
        if name not in PERSONAL:
            told[name] = value
        elif name in needed:
            told[name] = mask_id_number(value) if needed[name] == "masked" and isinstance(value, str) else value
    return cast(Actor, told)


# -- signing and verifying ------------------------------------------------------------------------
def _canonical(claims: dict) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(
    key: Ed25519PrivateKey,
    actor: Actor,
    target: str,
    *,
    lifetime: float = DEFAULT_LIFETIME_SECONDS,
    now: float | None = None,
) -> str:
    """A statement of ``actor`` (already cut to what ``target`` is told) for ``target``."""
    if not isinstance(actor, dict):
        raise TypeError("the actor is a dict")
    issued = int(time.time() if now is None else now)
    lifetime = min(max(lifetime, 1.0), MAX_LIFETIME_SECONDS)
    claims = {"act": actor, "aud": target, "iat": issued, "exp": issued + math.ceil(lifetime), "iss": ISSUER}
    payload = _b64url(_canonical(claims))
    return payload + "." + _b64url(key.sign(DOMAIN + payload.encode("ascii")))


def _is_instant(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def verify(
    key: Ed25519PublicKey | tuple[Ed25519PublicKey, ...], statement: Any, target: str, *, now: float | None = None
) -> VerifiedActor:
    """The actor of a statement the gateway signed for ``target`` (or for a method that may
    pass it on to ``target``), still valid; ``key`` may be several (a rotation). Anything
    else raises :class:`Refused`."""
    if statement is None:
        raise Refused("no statement")
    if isinstance(statement, dict):
        raise Refused("a plain actor, not a signed statement")
    if not isinstance(statement, str) or not statement or len(statement) > MAX_STATEMENT_CHARS:
        raise Refused("not a statement")
    payload, dot, signature = statement.partition(".")
    if not dot or not payload or not signature:
        raise Refused("not a statement")
    try:
        raw_signature = _b64decode(signature)
        payload_bytes = payload.encode("ascii")
    except (ValueError, UnicodeEncodeError):
        raise Refused("not a statement") from None
    for candidate in key if isinstance(key, tuple) else (key,):
        try:
            candidate.verify(raw_signature, DOMAIN + payload_bytes)
            break
        except InvalidSignature:
            continue
    else:
        raise Refused("signature does not check")
    # Only what the gateway signed is parsed.
    try:
        claims = json.loads(_b64decode(payload).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Refused("unreadable claims") from None
    if not isinstance(claims, dict) or claims.get("iss") != ISSUER or not isinstance(claims.get("act"), dict):
        raise Refused("unreadable claims")
    issued, expires, audience = claims.get("iat"), claims.get("exp"), claims.get("aud")
    if not (_is_instant(issued) and _is_instant(expires)):
        raise Refused("unreadable claims")
    current = time.time() if now is None else now
    if current >= expires:
        raise Refused(f"expired {current - expires:.0f} s ago")
    if issued > current + CLOCK_LEEWAY_SECONDS:
        raise Refused("issued in the future")
    if expires - issued > MAX_LIFETIME_SECONDS:
        raise Refused("lifetime too long")
    if not isinstance(audience, str) or audience not in audiences(target):
        raise Refused(f"addressed to {str(audience)[:100]}, not {target}")
    return VerifiedActor(claims["act"], statement, audience)


def main() -> None:
    private, public = new_key_pair()
    print(f"GATEWAY_ACTOR_SIGNING_KEY={private}")
    print(f"ACTOR_VERIFY_KEY={public}")


if __name__ == "__main__":
    main()
