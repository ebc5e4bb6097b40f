from __future__ import annotations

import importlib

import eventlet.tpool
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nameko.extensions import DependencyProvider

from services.common.infra import config
from services.common.infra.actor import Actor


class Argon2Hasher:
    """Argon2id, OWASP's minimum (19 MiB, 2 passes): memory-hard, about 20 ms a hash.
    Run in a real thread so a login does not stall the service's other greenlets."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

    def hash(self, password: str) -> str:
        return eventlet.tpool.execute(self._hasher.hash, password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return eventlet.tpool.execute(self._hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            return False


class Passwords(DependencyProvider):
    def setup(self) -> None:
        self.hasher = Argon2Hasher()

    def get_dependency(self, worker_ctx) -> Argon2Hasher:
        return self.hasher


class ManualCheck:
    """The built-in 实名认证: a clerk or admin compares the identity document the account
    holder uploaded with the account's name and ID number, in the console's queue."""

    name = "manual"

    def check(self, account: Actor, materials: list[dict]) -> tuple[str, str | None] | None:
        return None  # people decide, later


def load_verifier(spec: str | None):
    """``IDENTITY_VERIFICATION_PROVIDER``: ``manual`` (default) or ``package.module:Class``
    of the court's face or ID-card service, built with no arguments (it reads its own keys
    from the environment), with a ``name`` and ``check(account, materials)`` that answers
    ``("approved" | "rejected", explanation)`` or None to leave it to the queue."""
    if not spec or spec == "manual":
        return ManualCheck()
    module_name, _, class_name = spec.partition(":")
    provider = getattr(importlib.import_module(module_name), class_name)()
    if not isinstance(getattr(provider, "name", None), str) or not callable(getattr(provider, "check", None)):
        raise RuntimeError("IDENTITY_VERIFICATION_PROVIDER needs a name and check(account, materials)")
    return provider


class Verification(DependencyProvider):
    def setup(self) -> None:
        self.provider = load_verifier(config.get("IDENTITY_VERIFICATION_PROVIDER"))

    def get_dependency(self, worker_ctx):
        return self.provider
