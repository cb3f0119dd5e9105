"""A background loop that polls for work: the outbox relay, and services' own after-commit work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class BackgroundLoop:
    """A named asyncio task running run() beside the service until stop(); readiness asks is_running()."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def run(self) -> None:
        raise NotImplementedError

    async def pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking at once when the loop is being stopped."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=self.name)

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            await self._task


class PollingTask(BackgroundLoop):
    """Runs step() until stopped. step() does up to batch_size units of work and says how many it did: a full
    batch runs it again at once, some work after interval_seconds, and while idle the wait doubles up to
    MAX_IDLE_WAIT_SECONDS (an idle loop polling every 50 ms costs a few % of a core per service). A failing
    step (database or broker hiccup) is logged and retried a second later; it never ends the loop.

    measure(), when given, runs after a step at most once every MEASURE_EVERY_SECONDS (backlog gauges)."""

    MAX_IDLE_WAIT_SECONDS = 0.2
    MEASURE_EVERY_SECONDS = 1.0

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[int]],
        *,
        interval_seconds: float,
        batch_size: int,
        measure: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(name)
        self._step = step
        self._measure = measure
        self._interval = interval_seconds
        self._batch_size = batch_size

    async def run(self) -> None:
        idle_wait = self._interval
        next_measure = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                done = await self._step()
                if self._measure and loop.time() >= next_measure:
                    await self._measure()
                    next_measure = loop.time() + self.MEASURE_EVERY_SECONDS
            except Exception:  # a database or broker hiccup must not end the loop
                log.exception("%s failed; retrying", self.name)
                done = 0
                await asyncio.sleep(1.0)
            if done >= self._batch_size:
                await asyncio.sleep(0)  # let the rest of the process run between full batches
                continue
            idle_wait = self._interval if done else min(idle_wait * 2, self.MAX_IDLE_WAIT_SECONDS)
            await self.pause(idle_wait)
