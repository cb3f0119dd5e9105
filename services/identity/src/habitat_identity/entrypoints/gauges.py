"""identity's gauges refreshed from the database by the worker."""

from __future__ import annotations

from habitat_common.database_gauges import DatabaseGauges, Readings, by_label, connected
from habitat_common.metrics import MEMBERS
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_identity.adapters.metric_queries import members_by_status
from habitat_identity.domain.model import STATUSES


def identity_gauges(bind: AsyncEngine | AsyncConnection, *, interval_seconds: float | None = None) -> DatabaseGauges:
    """The loop that sets habitat_members{status} (every status of the member model, 0 when none)."""

    async def read() -> Readings:
        async with connected(bind) as connection:
            return {MEMBERS: by_label(await members_by_status(connection), STATUSES)}

    return DatabaseGauges("identity-gauges", read, interval_seconds=interval_seconds)
