"""Polling an append-only feed of another service over HTTP: identity's revocations, each service's member changes.

Entry ids come from a sequence, taken before commit: a transaction that started first may commit after a later
one, so its entry appears behind the cursor. Each poll therefore re-reads from the cursor it had `overlap`
seconds ago; the log it feeds applies an entry seen twice once.

A feed whose database was restored from a backup issues ids again from below the cursor: asked from beyond its
last issued id, it answers `reset`, and the poller resets its log and reads the feed from scratch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Protocol

import httpx

log = logging.getLogger(__name__)


class FeedLog(Protocol):
    """What a poller feeds: entries applied once each, and the highest id applied."""

    cursor: int

    def apply(self, entries: list[dict]) -> int: ...

    def forget_applied_up_to(self, entry_id: int) -> None: ...

    def reset(self) -> None: ...


class AppliedOnceLog:
    """A FeedLog that takes each entry once (take(), in a subclass) however often a poll re-reads it, and remembers
    the ids it took only as far back as a poll re-reads."""

    def __init__(self) -> None:
        self.cursor = 0
        self._applied: set[int] = set()

    def take(self, entry: dict) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        """What a subclass must forget when the feed starts over (nothing by default)."""

    def reset(self) -> None:
        """The feed starts over (its database went back in time): forget the cursor and the ids taken."""
        self.cursor = 0
        self._applied.clear()
        self.restart()

    def apply(self, entries: list[dict]) -> int:
        """Take in feed entries (re-read ones are skipped); returns how many were new."""
        new = 0
        for entry in entries:
            entry_id = int(entry["id"])
            if entry_id in self._applied:
                continue
            self._applied.add(entry_id)
            self.cursor = max(self.cursor, entry_id)
            new += 1
            self.take(entry)
        return new

    def forget_applied_up_to(self, entry_id: int) -> None:
        """Drop the dedup memory of ids no poll will re-read."""
        self._applied = {i for i in self._applied if i > entry_id}


class FeedPoller:
    """Polls `GET url?after=` (answers `{field: [{"id", ...}, ...]}`, pages of PAGE) into a FeedLog, about once an
    interval, in a background task; is_fresh() says whether it answered within stale_after seconds."""

    PAGE = 1000

    def __init__(
        self,
        url: str,
        feed_log: FeedLog,
        *,
        field: str,
        name: str,
        interval_seconds: float = 1.0,
        stale_after_seconds: float | None = None,
        overlap_seconds: float = 60.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._log = feed_log
        self._field = field
        self.name = name
        self._interval = interval_seconds
        self._stale_after = stale_after_seconds or 3 * interval_seconds
        self._overlap = overlap_seconds
        # (when, cursor after a successful poll), oldest first; the next poll re-reads from the cursor we
        # had `overlap` seconds ago (at first: from the start, which the service bounds to its horizon)
        self._cursors: deque[tuple[float, int]] = deque([(float("-inf"), 0)])
        self.last_success: float | None = None
        self._task: asyncio.Task | None = None
        self._client = client or httpx.AsyncClient(timeout=3.0)

    def _window_start(self, now: float) -> int:
        while len(self._cursors) > 1 and self._cursors[1][0] <= now - self._overlap:
            self._cursors.popleft()
        return self._cursors[0][1]

    async def poll_once(self) -> None:
        now = time.monotonic()
        start = after = self._window_start(now)
        while True:
            response = await self._client.get(self._url, params={"after": after})
            response.raise_for_status()
            page = response.json()
            if page.get("reset") and after > 0:
                log.warning("%s: the feed issued no id beyond %s (a restored database?): reading it again", self.name,
                            page.get("cursor"))
                self._log.reset()
                self._cursors = deque([(float("-inf"), 0)])
                start = after = 0
                continue
            entries = page[self._field]
            self._log.apply(entries)
            if len(entries) < self.PAGE:
                break
            after = int(entries[-1]["id"])
        self._log.forget_applied_up_to(start)
        self._cursors.append((now, self._log.cursor))
        self.last_success = time.monotonic()

    def is_fresh(self) -> bool:
        """Whether the feed answered recently enough for what this process learns from it to be trusted."""
        return self.last_success is not None and time.monotonic() - self.last_success <= self._stale_after

    async def ready(self) -> bool:
        """A /readyz check: what the feed tells this process is only trusted while it keeps answering."""
        return self.is_fresh()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except (httpx.HTTPError, KeyError, ValueError) as error:
                # the service being briefly away must not stop this process; it keeps what it knows (and says so)
                log.warning("%s unavailable: %s", self.name, error)
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._client.aclose()
