"""Members' dashboards kept in memory between their polls, dropped when a service says the member changed.

A member with the dashboard open asks for it every 15 seconds. Composing it costs three upstream calls (~10 ms of
CPU across the processes, docs/performance.md); answering from here costs the gateway alone. identity,
contributions and the ledger each keep a member change feed (habitat_common.member_changes), written by their
database triggers in the writer's transaction; this process polls the three about once a second and drops the
members they name. A change by someone else (a steward's approval, the ledger's booking) therefore shows within
about a second; the caller's own writes through this process drop their entry as soon as the service answers.

What keeps an entry from ever being staler than that:
- while any feed has not answered within its stale_after (3 polls), every entry is dropped and nothing is kept
  or served until all three answer again (each dashboard is composed as if there were no cache);
- a composition that began before a drop of its member, or of everything, is not kept: it may have read before
  the change committed;
- an entry lives at most max_age seconds (a last guard, should a change ever go unnamed), and only on the co-op's
  day it was composed on (the statement is as of today).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import jwt
from habitat_common.feed_polling import AppliedOnceLog, FeedPoller


class DashboardCache:
    """Dashboards by member (immutable values: clients.services.Dashboard); begin() before composing one, keep()
    after, get() to answer from it."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_age_seconds: float,
        today: Callable[[], date],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("a dashboard cache keeps at least one entry (GATEWAY_DASHBOARD_CACHE_ENTRIES=0 builds none)")
        self._max_entries = max_entries
        self._max_age = max_age_seconds
        self._today = today
        self._clock = clock
        self._feeds: tuple[FeedPoller, ...] = ()
        self._entries: dict[uuid.UUID, tuple[float, date, Any]] = {}
        # a counter of drops; a composition remembers it at begin() and is kept only if its member (or everyone)
        # was not dropped since
        self._generation = 0
        self._dropped_at: dict[uuid.UUID, int] = {}
        self._cleared_at = 0

    def watch(self, feeds: Sequence[FeedPoller]) -> None:
        """The feeds whose freshness the cache depends on (it is unusable until each has answered)."""
        self._feeds = tuple(feeds)

    def usable(self) -> bool:
        """Whether every feed answered recently; when one has not, everything kept is dropped."""
        if all(feed.is_fresh() for feed in self._feeds):
            return True
        if self._entries:
            self.clear()
        return False

    def begin(self) -> int:
        """A ticket to hand to keep() once the composition read by it is done."""
        return self._generation

    def get(self, member_id: uuid.UUID) -> Any | None:
        """The member's kept dashboard, if the cache is usable and the entry still current."""
        if not self.usable():
            return None
        found = self._entries.get(member_id)
        if found is None:
            return None
        kept_at, day, data = found
        if self._clock() - kept_at > self._max_age or day != self._today():
            del self._entries[member_id]
            return None
        return data

    def keep(self, member_id: uuid.UUID, ticket: int, data: Any) -> bool:
        """Keep a composition begun with ticket, unless its member or everyone was dropped since; whether kept."""
        if ticket < self._cleared_at or ticket < self._dropped_at.get(member_id, 0) or not self.usable():
            return False
        self._entries.pop(member_id, None)
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]  # the longest kept
        self._entries[member_id] = (self._clock(), self._today(), data)
        return True

    def drop(self, member_id: uuid.UUID) -> None:
        self._generation += 1
        self._dropped_at[member_id] = self._generation
        self._entries.pop(member_id, None)

    def drop_caller(self, token: str) -> None:
        """Drop the entry of the token's member (the gateway verified the token before forwarding the write)."""
        try:
            subject = jwt.decode(token, options={"verify_signature": False})["sub"]
            member_id = uuid.UUID(str(subject))
        except (jwt.PyJWTError, KeyError, ValueError):
            self.clear()  # a write by someone we cannot name: nothing kept can be trusted to be theirs or not
            return
        self.drop(member_id)

    def clear(self) -> None:
        self._generation += 1
        self._cleared_at = self._generation
        self._entries.clear()
        self._dropped_at.clear()

    def __len__(self) -> int:
        return len(self._entries)


class MemberChanges(AppliedOnceLog):
    """A member change feed's log (habitat_common.feed_polling): each new entry drops its member."""

    def __init__(self, cache: DashboardCache) -> None:
        super().__init__()
        self._cache = cache

    def take(self, entry: dict) -> None:
        self._cache.drop(uuid.UUID(str(entry["member_id"])))

    def restart(self) -> None:
        self._cache.clear()  # what changed between the backup and now was named by ids the feed no longer has
