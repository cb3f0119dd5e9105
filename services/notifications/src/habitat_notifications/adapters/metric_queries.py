"""What the notifications gauges read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# sent rows are left out: they only grow, and the counter already tells their rate
BACKLOG = text(
    "SELECT status, count(*), min(created_at) FILTER (WHERE status = 'queued')"
    " FROM notifications.message WHERE status <> 'sent' GROUP BY status"
)


@dataclass(frozen=True)
class Backlog:
    by_status: dict[str, int]
    oldest_queued_at: datetime | None


async def message_backlog(connection: AsyncConnection) -> Backlog:
    """Messages waiting (queued), given up (failed) and refused (bounced), and when the oldest queued was written."""
    rows = (await connection.execute(BACKLOG)).all()
    oldest = min((r[2] for r in rows if r[2] is not None), default=None)
    return Backlog(by_status={r[0]: r[1] for r in rows}, oldest_queued_at=oldest)
