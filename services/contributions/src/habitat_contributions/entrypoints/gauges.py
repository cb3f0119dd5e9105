"""The contributions gauges refreshed from the database by the worker: review queue and open periods' intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_common.database_gauges import DatabaseGauges, Readings, by_label, connected, single
from habitat_common.metrics import (
    PERIOD_MEMBERS_ACTIVE,
    PERIOD_MEMBERS_SUBMITTED,
    PERIOD_PARTICIPATION,
    PERIOD_SECONDS_TO_DEADLINE,
    REVIEW_OLDEST_PENDING,
    REVIEW_PENDING,
    preinitialise,
)
from habitat_contributions.adapters.metric_queries import open_periods_intake, review_queue
from habitat_contributions.domain.statuses import ContributionType

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def contributions_gauges(
    bind: AsyncEngine | AsyncConnection,
    *,
    zone: ZoneInfo,
    interval_seconds: float | None = None,
    clock: Clock = _now,
) -> DatabaseGauges:
    """The loop that sets the review and intake gauges (a period's deadline is the end of its last day in the
    co-op's time zone)."""
    preinitialise(REVIEW_OLDEST_PENDING)

    async def read() -> Readings:
        async with connected(bind) as connection:
            queue = await review_queue(connection)
            periods = await open_periods_intake(connection)
        now = clock()
        oldest = (now - queue.oldest_submitted_at).total_seconds() if queue.oldest_submitted_at else 0.0
        deadline = {p.name: datetime.combine(p.ends_on + timedelta(days=1), time(), zone) for p in periods}
        return {
            REVIEW_PENDING: by_label(queue.pending_by_type, tuple(str(t) for t in ContributionType)),
            REVIEW_OLDEST_PENDING: single(max(oldest, 0.0)),
            PERIOD_MEMBERS_ACTIVE: {(p.name,): p.active_members for p in periods},
            PERIOD_MEMBERS_SUBMITTED: {(p.name,): p.members_submitted for p in periods},
            PERIOD_PARTICIPATION: {
                (p.name,): p.members_submitted / p.active_members if p.active_members else 0.0 for p in periods
            },
            PERIOD_SECONDS_TO_DEADLINE: {(name,): (end - now).total_seconds() for name, end in deadline.items()},
        }

    return DatabaseGauges("contributions-gauges", read, interval_seconds=interval_seconds)
