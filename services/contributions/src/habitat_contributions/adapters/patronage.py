"""A member's contributions in the period containing a day, counted and summed by type and status, on the
process's asyncpg read pool: one statement, grouped by the database (ix_contribution_period_id_member_id).
Which figures count as patronage is queries.member_patronage's to say."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text

from habitat_common.read_pool import ReadPool
from habitat_contributions.adapters.orm import SCHEMA
from habitat_contributions.domain.replicas import PERIOD_OPEN
from habitat_contributions.service_layer.ports import PatronageFigures, PeriodFacts

# The period containing the day as submissions find it (an open one first) or, between periods, the latest that
# ended before it (its contributions may still be under review); and the member's groups in it. One row with NULL
# groups when the member has none there, no row when no period began by the day.
PATRONAGE = text(
    f"""
    SELECT p.period_id, p.name, p.starts_on, p.ends_on, p.status AS period_status,
           g.type, g.status, g.count, g.value
    FROM (
        SELECT period_id, name, starts_on, ends_on, status FROM {SCHEMA}.period_replica
        WHERE starts_on <= :day
        ORDER BY ends_on >= :day DESC, CASE WHEN ends_on >= :day AND status = '{PERIOD_OPEN}' THEN 0 ELSE 1 END,
                 CASE WHEN ends_on >= :day THEN starts_on END, ends_on DESC
        LIMIT 1
    ) p
    LEFT JOIN LATERAL (
        SELECT type::text AS type, status::text AS status, count(*) AS count, coalesce(sum(value), 0) AS value
        FROM {SCHEMA}.contribution c
        WHERE c.period_id = p.period_id AND c.member_id = :member_id
        GROUP BY type, status
    ) g ON true
    """
)


async def patronage_figures(reads: ReadPool, member_id: uuid.UUID, day: date) -> PatronageFigures:
    """The member's groups in the period of day (none began by then: None and no groups)."""
    rows = await reads.fetch(PATRONAGE, {"member_id": member_id, "day": day})
    if not rows:
        return PatronageFigures(None, [])
    first = rows[0]
    period = PeriodFacts(first["period_id"], first["name"], first["starts_on"], first["ends_on"], first["period_status"])
    groups = [(row["type"], row["status"], row["count"], row["value"]) for row in rows if row["type"] is not None]
    return PatronageFigures(period, groups)
