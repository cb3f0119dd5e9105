"""Ended sessions, learned from identity's revocation feed, so access tokens stop working at once.

Access tokens live up to 15 minutes. When identity ends a session (sign-out, password change,
refresh-token reuse) or a member (deactivation, role change), it appends an entry to its feed;
every process that verifies tokens polls the feed about once a second and refuses the matching
tokens from then on.

Entry ids come from a sequence, taken before commit: a transaction that started first may commit
after a later one, so its entry appears behind the cursor. Each poll therefore re-reads from the
cursor it had `overlap` seconds ago; entries seen twice are applied once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from datetime import datetime

import httpx

from habitat_common.settings import AuthSettings

log = logging.getLogger(__name__)


class RevocationList:
    """Sessions and members whose earlier tokens are no longer accepted."""

    def __init__(self) -> None:
        self.cursor = 0
        self._sessions: set[uuid.UUID] = set()
        self._members: dict[uuid.UUID, datetime] = {}
        self._applied: set[int] = set()

    def apply(self, entries: list[dict]) -> int:
        """Take in feed entries (re-read ones are skipped); returns how many were new."""
        new = 0
        for entry in entries:
            entry_id = int(entry["id"])
            if entry_id in self._applied:
                continue
            self._applied.add(entry_id)
            new += 1
            self.cursor = max(self.cursor, entry_id)
            if entry.get("session_id"):
                self._sessions.add(uuid.UUID(str(entry["session_id"])))
            if entry.get("not_before") and entry.get("member_id"):
                member = uuid.UUID(str(entry["member_id"]))
                not_before = datetime.fromisoformat(str(entry["not_before"]))
                if member not in self._members or self._members[member] < not_before:
                    self._members[member] = not_before
        return new

    def forget_applied_up_to(self, entry_id: int) -> None:
        """Drop the dedup memory of ids no poll will re-read (the revocations themselves stay)."""
        self._applied = {i for i in self._applied if i > entry_id}

    def is_revoked(self, member_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: datetime) -> bool:
        if session_id is not None and session_id in self._sessions:
            return True
        not_before = self._members.get(member_id)
        # identity writes iat with fractions of a second, so a token issued just after the cut survives
        return not_before is not None and issued_at < not_before


class RevocationFeed:
    """Polls identity's `GET /auth/revocations?after=` into a RevocationList."""

    PAGE = 1000

    def __init__(
        self,
        url: str,
        revocations: RevocationList,
        *,
        interval_seconds: float = 1.0,
        stale_after_seconds: float | None = None,
        overlap_seconds: float = 60.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self.revocations = revocations
        self._interval = interval_seconds
        self._stale_after = stale_after_seconds or 3 * interval_seconds
        self._overlap = overlap_seconds
        # (when, cursor after a successful poll), oldest first; the next poll re-reads from the cursor we
        # had `overlap` seconds ago (at first: from the start, which identity bounds to its horizon)
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
            entries = response.json()["revocations"]
            self.revocations.apply(entries)
            if len(entries) < self.PAGE:
                break
            after = int(entries[-1]["id"])
        self.revocations.forget_applied_up_to(start)
        self._cursors.append((now, self.revocations.cursor))
        self.last_success = time.monotonic()

    def is_fresh(self) -> bool:
        """Whether the feed answered recently enough for this process to be trusted with tokens."""
        return self.last_success is not None and time.monotonic() - self.last_success <= self._stale_after

    async def ready(self) -> bool:
        """A /readyz check: ended sessions are only refused while the feed keeps answering."""
        return self.is_fresh()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except (httpx.HTTPError, KeyError, ValueError) as error:
                # identity being briefly away must not stop token checks; we keep what we know (and /readyz says so)
                log.warning("revocation feed unavailable: %s", error)
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="revocation-feed")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._client.aclose()


def revocation_feed_for(settings: AuthSettings) -> RevocationFeed | None:
    """A feed with its own list when a feed URL is configured (None in a service's solo tests)."""
    if not settings.revocations_url:
        return None
    return RevocationFeed(
        settings.revocations_url,
        RevocationList(),
        interval_seconds=settings.revocations_poll_seconds,
        stale_after_seconds=settings.revocations_stale_after,
        overlap_seconds=settings.revocations_overlap_seconds,
    )
