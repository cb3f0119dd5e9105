"""Ended sessions, learned from identity's revocation feed, so access tokens stop working at once.

Access tokens live up to 15 minutes. When identity ends a session (sign-out, password change,
refresh-token reuse) or a member (deactivation, role change), it appends an entry to its feed;
every process that verifies tokens polls the feed about once a second and refuses the matching
tokens from then on.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime

import httpx

log = logging.getLogger(__name__)


class RevocationList:
    """Sessions and members whose earlier tokens are no longer accepted."""

    def __init__(self) -> None:
        self.cursor = 0
        self._sessions: set[uuid.UUID] = set()
        self._members: dict[uuid.UUID, datetime] = {}

    def apply(self, entries: list[dict]) -> None:
        for entry in entries:
            self.cursor = max(self.cursor, int(entry["id"]))
            if entry.get("session_id"):
                self._sessions.add(uuid.UUID(str(entry["session_id"])))
            if entry.get("not_before") and entry.get("member_id"):
                member = uuid.UUID(str(entry["member_id"]))
                not_before = datetime.fromisoformat(str(entry["not_before"]))
                if member not in self._members or self._members[member] < not_before:
                    self._members[member] = not_before

    def is_revoked(self, member_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: datetime) -> bool:
        if session_id is not None and session_id in self._sessions:
            return True
        not_before = self._members.get(member_id)
        # identity writes iat with fractions of a second, so a token issued just after the cut survives
        return not_before is not None and issued_at < not_before


class RevocationFeed:
    """Polls identity's `GET /auth/revocations?after=` into a RevocationList."""

    def __init__(self, url: str, revocations: RevocationList, *, interval_seconds: float = 1.0) -> None:
        self._url = url
        self.revocations = revocations
        self._interval = interval_seconds
        self._task: asyncio.Task | None = None
        self._client = httpx.AsyncClient(timeout=3.0)

    async def poll_once(self) -> None:
        while True:
            response = await self._client.get(self._url, params={"after": self.revocations.cursor})
            response.raise_for_status()
            entries = response.json()["revocations"]
            self.revocations.apply(entries)
            if len(entries) < 1000:
                return

    async def _run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except (httpx.HTTPError, KeyError, ValueError) as error:
                # identity being briefly away must not stop token checks; we keep what we know
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


def revocation_feed_for(url: str | None, poll_seconds: float) -> RevocationFeed | None:
    """A feed with its own list when a feed URL is configured (None in a service's solo tests)."""
    return RevocationFeed(url, RevocationList(), interval_seconds=poll_seconds) if url else None
