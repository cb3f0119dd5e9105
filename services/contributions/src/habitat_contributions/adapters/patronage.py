"""A member's contributions in one period, counted and summed by type and status, on the process's asyncpg read
pool: the periods begun by a day (few: a co-op opens a handful a year), then the member's groups in the one
domain.periods chooses, grouped by the database (ix_contribution_period_id_member_id). Which figures count as
patronage is domain.statuses.patronage_standing's to say."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text

from habitat_common.read_pool import ReadPool
from habitat_contributions.adapters.orm import SCHEMA
from habitat_contributions.domain.periods import period_of_day
from habitat_contributions.service_layer.ports import PatronageFigures, PeriodFacts

BEGUN = text(f"SELECT period_id, name, starts_on, ends_on, status FROM {SCHEMA}.period_replica WHERE starts_on <= :day")
GROUPS = text(
    f"""
    SELECT type::text AS type, status::text AS status, count(*) AS count, coalesce(sum(value), 0) AS value
    FROM {SCHEMA}.contribution
    WHERE period_id = :period_id AND member_id = :member_id
    GROUP BY type, status
    """
)


async def patronage_figures(reads: ReadPool, member_id: uuid.UUID, day: date) -> PatronageFigures:
    """The member's groups in the period of day (none began by then: None and no groups), in one snapshot."""
    async with reads.snapshot() as snapshot:
        begun = [PeriodFacts(*row) for row in await snapshot.fetch(BEGUN, {"day": day})]
        period = period_of_day(day, begun)
        if period is None:
            return PatronageFigures(None, [])
        rows = await snapshot.fetch(GROUPS, {"period_id": period.period_id, "member_id": member_id})
    return PatronageFigures(period, [(row["type"], row["status"], row["count"], row["value"]) for row in rows])
