"""The period intake dashboard's figures on the process's asyncpg read pool, in one read-only REPEATABLE READ
snapshot (habitat_common.read_pool says what skipping the ORM saves).

Three statements, plain SQL: the member counts with the period's contributions grouped by type and status;
the reviewers' counts with the active members who have not submitted; then, as it needs the number of
decisions, the at most two times to decision the p95 is interpolated from, read off an index. The dashboard's
judging (percentages, buckets, rounding) stays in queries.summarize.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text

from habitat_common.read_pool import ReadPool, Snapshot
from habitat_contributions.adapters.orm import DECIDED_PREDICATE, DECISION_SECONDS, SCHEMA
from habitat_contributions.domain.replicas import MEMBER_ACTIVE
from habitat_contributions.domain.statuses import DECIDED, ContributionStatus
from habitat_contributions.service_layer.ports import IntakeFigures, MemberContact, ReviewerCounts

SUBMITTED = (
    f"EXISTS (SELECT FROM {SCHEMA}.contribution s WHERE s.period_id = :period_id AND s.member_id = m.member_id)"
)
# One row per (type, status), each carrying the member counts; a single row of counts (type NULL) when the
# period has no contributions. Time to decision is summed as intervals (exact).
FIGURES = text(
    f"""
    SELECT members.active, members.submitted, g.type, g.status, g.count, g.value, g.timed, g.waited
    FROM (
        SELECT count(*) AS active, count(*) FILTER (WHERE {SUBMITTED}) AS submitted
        FROM {SCHEMA}.member_replica m
        WHERE m.status = :active
    ) members
    LEFT JOIN (
        SELECT type, status, count(*) AS count, coalesce(sum(value), 0) AS value,
               count(decided_at) AS timed, sum(decided_at - submitted_at) AS waited
        FROM {SCHEMA}.contribution
        WHERE period_id = :period_id
        GROUP BY type, status
    ) g ON true
    """
)
# The reviewers' own decisions, so neither imported approvals nor imported rejections (historical records)
# count: each approver of an approved contribution, the rejecter, the asker of each question.
REVIEWER_COUNTS = f"""
    SELECT a.reviewer_id, count(*) AS approved, 0 AS rejected, 0 AS clarifications
    FROM {SCHEMA}.contribution_approval a JOIN {SCHEMA}.contribution c ON c.id = a.contribution_id
    WHERE c.period_id = :period_id AND c.status = :approved AND a.imported IS false
    GROUP BY a.reviewer_id
    UNION ALL
    SELECT c.decided_by, 0, count(*), 0
    FROM {SCHEMA}.contribution c
    WHERE c.period_id = :period_id AND c.status = :rejected AND c.import_id IS NULL
    GROUP BY c.decided_by
    UNION ALL
    SELECT t.author_id, 0, 0, count(*)
    FROM {SCHEMA}.contribution_message t JOIN {SCHEMA}.contribution c ON c.id = t.contribution_id
    WHERE c.period_id = :period_id AND t.kind = 'question'
    GROUP BY t.author_id
"""
# Both lists in one round trip; each is ordered by (display_name, id) as it is shown.
PEOPLE = text(
    f"""
    SELECT 'reviewer' AS list, counts.reviewer_id AS id, r.display_name, NULL AS email,
           sum(counts.approved)::bigint AS approved, sum(counts.rejected)::bigint AS rejected,
           sum(counts.clarifications)::bigint AS clarifications
    FROM ({REVIEWER_COUNTS}) counts
    LEFT JOIN {SCHEMA}.member_replica r ON r.member_id = counts.reviewer_id
    GROUP BY counts.reviewer_id, r.display_name
    UNION ALL
    SELECT 'not_submitted', m.member_id, m.display_name, m.email, NULL, NULL, NULL
    FROM {SCHEMA}.member_replica m
    WHERE m.status = :active AND NOT {SUBMITTED}
    ORDER BY list, display_name, id
    """
)
# Read from the top of ix_contribution_decision_seconds (literal expression and predicate, so it matches).
SLOWEST = text(
    f"""
    SELECT {DECISION_SECONDS} AS seconds
    FROM {SCHEMA}.contribution
    WHERE period_id = :period_id AND {DECIDED_PREDICATE} AND {DECISION_SECONDS} IS NOT NULL
    ORDER BY {DECISION_SECONDS} DESC
    OFFSET :skip LIMIT :take
    """
)
P95 = 0.95
PARAMETERS = {
    "active": MEMBER_ACTIVE,
    "approved": ContributionStatus.APPROVED.value,
    "rejected": ContributionStatus.REJECTED.value,
}


async def intake_figures(reads: ReadPool, period_id: uuid.UUID) -> IntakeFigures:
    """Every figure of the period's intake dashboard, read in one snapshot without shipping the period's rows:
    counts and sums grouped by the database, the p95 read off an index."""
    params = PARAMETERS | {"period_id": period_id}
    async with reads.snapshot() as snapshot:
        figures = await snapshot.fetch(FIGURES, params)
        people = await snapshot.fetch(PEOPLE, params)
        groups = [g for g in figures if g["type"] is not None]
        decided = [g for g in groups if g["status"] in DECIDED]
        timed = sum(g["timed"] for g in decided)
        p95 = await _p95_hours(snapshot, period_id, timed)
    waited = sum((g["waited"].total_seconds() for g in decided if g["waited"] is not None), 0.0)
    return IntakeFigures(
        active_members=figures[0]["active"],
        members_with_submissions=figures[0]["submitted"],
        by_type_status=[(g["type"], g["status"], g["count"], g["value"]) for g in groups],
        mean_hours_to_decision=waited / timed / 3600 if timed else None,
        p95_hours_to_decision=p95,
        per_reviewer=[_reviewer(p) for p in people if p["list"] == "reviewer"],
        not_submitted=[_contact(p) for p in people if p["list"] == "not_submitted"],
    )


def _reviewer(row: Mapping[str, Any]) -> ReviewerCounts:
    return ReviewerCounts(row["id"], row["display_name"], row["approved"], row["rejected"], row["clarifications"])


def _contact(row: Mapping[str, Any]) -> MemberContact:
    return MemberContact(row["id"], row["display_name"], row["email"])


async def _p95_hours(snapshot: Snapshot, period_id: uuid.UUID, timed: int) -> float | None:
    """percentile_cont(0.95) of hours to decision, computed as PostgreSQL does (float8 interpolation between
    the two values around position 0.95 * (n - 1)), from the at most two values it needs."""
    if not timed:
        return None
    position = P95 * (timed - 1)
    low, high = math.floor(position), math.ceil(position)
    params = {"period_id": period_id, "skip": timed - 1 - high, "take": high - low + 1}
    values = [row["seconds"] / 3600 for row in await snapshot.fetch(SLOWEST, params)]
    second, first = values[0], values[-1]
    return first if high == low else first + (second - first) * (position - low)
