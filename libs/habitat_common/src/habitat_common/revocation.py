"""Ended sessions, learned from identity's revocation feed, so access tokens stop working at once.

Access tokens live up to 15 minutes. When identity ends a session (sign-out, password change,
refresh-token reuse) or a member (deactivation, role change), it appends an entry to its feed;
every process that verifies tokens polls the feed about once a second (habitat_common.feed_polling)
and refuses the matching tokens from then on.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx

from habitat_common.feed_polling import AppliedOnceLog, FeedPoller
from habitat_common.settings import AuthSettings


class RevocationList(AppliedOnceLog):
    """Sessions and members whose earlier tokens are no longer accepted."""

    def __init__(self) -> None:
        super().__init__()
        self._sessions: set[uuid.UUID] = set()
        self._members: dict[uuid.UUID, datetime] = {}

    def take(self, entry: dict) -> None:
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


class RevocationFeed(FeedPoller):
    """Polls identity's `GET /auth/revocations?after=` into a RevocationList."""

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
        super().__init__(
            url, revocations, field="revocations", name="revocation-feed", interval_seconds=interval_seconds,
            stale_after_seconds=stale_after_seconds, overlap_seconds=overlap_seconds, client=client,
        )
        self.revocations = revocations



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
