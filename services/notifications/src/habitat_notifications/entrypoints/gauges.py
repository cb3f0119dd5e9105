"""The notifications gauges refreshed from the database by the worker: mail not sent, and the oldest queued."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_common.database_gauges import DatabaseGauges, Readings, by_label, connected, single
from habitat_common.metrics import (
    MAIL_BACKLOG_STATUSES,
    NOTIFICATIONS_BACKLOG,
    NOTIFICATIONS_OLDEST_QUEUED,
    preinitialise,
)
from habitat_notifications.adapters.metric_queries import message_backlog
from habitat_notifications.service_layer.ports import Clock


def notifications_gauges(
    bind: AsyncEngine | AsyncConnection, *, clock: Clock, interval_seconds: float | None = None
) -> DatabaseGauges:
    """The loop that sets habitat_notifications_backlog{status} and habitat_notifications_oldest_queued_seconds."""
    preinitialise(NOTIFICATIONS_OLDEST_QUEUED)

    async def read() -> Readings:
        async with connected(bind) as connection:
            backlog = await message_backlog(connection)
        oldest = (clock() - backlog.oldest_queued_at).total_seconds() if backlog.oldest_queued_at else 0.0
        return {
            NOTIFICATIONS_BACKLOG: by_label(backlog.by_status, MAIL_BACKLOG_STATUSES),
            NOTIFICATIONS_OLDEST_QUEUED: single(max(oldest, 0.0)),
        }

    return DatabaseGauges("notifications-gauges", read, interval_seconds=interval_seconds)
