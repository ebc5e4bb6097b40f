from __future__ import annotations

import eventlet.tpool
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nameko.extensions import DependencyProvider


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
