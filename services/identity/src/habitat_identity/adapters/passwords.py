"""argon2id password hashing, run in a worker thread so the event loop keeps serving.

At most `concurrency` hashes run at once per process (each holds ~19 MiB and a CPU); waiting ones
queue in order. Bulk work (roster imports) takes at most half of those slots, so sign-ins queue
behind a few import hashes at most, never behind a whole roster.

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

    def __init__(
        self, *, memory_cost: int = MEMORY_COST_KIB, time_cost: int = TIME_COST, concurrency: int = 1
    ) -> None:
        if memory_cost < MEMORY_COST_KIB or time_cost < TIME_COST:
            raise ValueError("argon2 parameters below the OWASP minimum")
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=PARALLELISM)
        self._dummy_hash = self._hasher.hash("not a real password, only for timing")
        self.concurrency = concurrency
        self._loop: asyncio.AbstractEventLoop | None = None

    def _limits(self) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        # A semaphore belongs to one event loop; a process serves one, tests and CLI runs start several.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.concurrency)
            self._bulk_slots = asyncio.Semaphore(max(1, self.concurrency // 2))
        return self._slots, self._bulk_slots

    async def hash(self, password: str) -> str:
        async with self._limits()[0]:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def hash_many(self, passwords: list[str]) -> list[str]:
        """Hash a batch in the bulk share of the slots, leaving the rest to sign-ins."""

        bulk = self._limits()[1]

        async def one(password: str) -> str:
            async with bulk:
                return await self.hash(password)

        return list(await asyncio.gather(*(one(password) for password in passwords)))

    async def verify(self, password_hash: str, password: str) -> bool:
        async with self._limits()[0]:
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
