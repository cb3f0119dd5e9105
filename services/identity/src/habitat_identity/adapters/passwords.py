"""argon2id password hashing, run in a worker thread so the event loop keeps serving.

Parameters: m=19456 KiB, t=2, p=1 -- OWASP's minimum for argon2id, kept deliberately. Measured with
bench/signin.py on the 2-CPU dev machine: ~40-45 sign-ins/s at
concurrency 8 (p95 ~0.3 s), so a 1,000-member Monday burst clears in under half a minute.
Raising them would cost sign-in latency under load with no measured need; the hasher refuses
anything lower, and needs_rehash upgrades stored hashes at sign-in if the parameters ever rise.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane.
MEMORY_COST_KIB = 19456
TIME_COST = 2
PARALLELISM = 1


class Argon2PasswordHasher:
    """argon2id with parameters at or above the OWASP minimum."""

    def __init__(self, *, memory_cost: int = MEMORY_COST_KIB, time_cost: int = TIME_COST) -> None:
        if memory_cost < MEMORY_COST_KIB or time_cost < TIME_COST:
            raise ValueError("argon2 parameters below the OWASP minimum")
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=PARALLELISM)
        self._dummy_hash = self._hasher.hash("not a real password, only for timing")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
