"""The period intake dashboard's aggregates, computed by PostgreSQL (one grouped scan, p95 from an index)."""

from __future__ import annotations

import asyncio
import math
import uuid

from sqlalchemy import and_, exists, func, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from habitat_contributions.adapters import orm
from habitat_contributions.domain.replicas import MEMBER_ACTIVE
from habitat_contributions.domain.statuses import ContributionStatus
from habitat_contributions.service_layer.ports import IntakeFigures, MemberContact, ReviewerCounts

c = orm.contribution.c
m = orm.member_replica.c


DECIDED = (ContributionStatus.APPROVED, ContributionStatus.REJECTED)
# Time to decision summed as intervals (exact); only the decided groups' figures are used.
GROUPS = text(
    f"""
    SELECT type, status, count(*) AS count, coalesce(sum(value), 0) AS value,
           count(decided_at) AS timed, sum(decided_at - submitted_at) AS waited
    FROM {orm.SCHEMA}.contribution
    WHERE period_id = :period_id
    GROUP BY type, status
    """
)
# Read from the top of ix_contribution_decision_seconds (literal expression and predicate, so it matches).
SLOWEST = text(
    f"""
    SELECT {orm.DECISION_SECONDS} AS seconds
    FROM {orm.SCHEMA}.contribution
    WHERE period_id = :period_id AND {orm.DECIDED_PREDICATE} AND {orm.DECISION_SECONDS} IS NOT NULL
    ORDER BY {orm.DECISION_SECONDS} DESC
    OFFSET :skip LIMIT :take
    """
)
P95 = 0.95


async def intake_figures(session: AsyncSession, period_id: uuid.UUID) -> IntakeFigures:
    """Every figure of the dashboard without shipping rows to Python: one scan grouped by type and status and
    the p95 read off an index (one snapshot, on a second connection), while this session counts members and
    reviewers."""
    async with session.bind.connect() as side:
        await side.execution_options(isolation_level="REPEATABLE READ")
        (groups, p95), (members, not_submitted, per_reviewer) = await asyncio.gather(
            _decisions(side, period_id), _people(session, period_id)
        )
    decided = [g for g in groups if g.status in DECIDED]
    timed = sum(g.timed for g in decided)
    waited = sum((g.waited.total_seconds() for g in decided if g.waited is not None), 0.0)
    return IntakeFigures(
        active_members=members[0],
        members_with_submissions=members[1],
        by_type_status=[(g.type, g.status, g.count, g.value) for g in groups],
        mean_hours_to_decision=waited / timed / 3600 if timed else None,
        p95_hours_to_decision=p95,
        per_reviewer=per_reviewer,
        not_submitted=not_submitted,
    )


async def _decisions(connection: AsyncConnection, period_id: uuid.UUID) -> tuple[list, float | None]:
    groups = (await connection.execute(GROUPS, {"period_id": period_id})).all()
    timed = sum(g.timed for g in groups if g.status in DECIDED)
    return groups, await _p95_hours(connection, period_id, timed)


async def _people(session: AsyncSession, period_id: uuid.UUID) -> tuple:
    in_period = c.period_id == period_id
    submitted = exists().where(in_period, c.member_id == m.member_id)
    active = m.status == MEMBER_ACTIVE
    members = (await session.execute(select(func.count(), func.count().filter(submitted)).where(active))).one()
    not_submitted = await session.execute(
        select(m.member_id, m.display_name, m.email).where(active, ~submitted).order_by(m.display_name, m.member_id)
    )
    return members, [MemberContact(*row) for row in not_submitted], await _per_reviewer(session, in_period)


async def _p95_hours(connection: AsyncConnection, period_id: uuid.UUID, timed: int) -> float | None:
    """percentile_cont(0.95) of hours to decision, computed as PostgreSQL does (float8 interpolation between
    the two values around position 0.95 * (n - 1)), from the at most two values it needs."""
    if not timed:
        return None
    position = P95 * (timed - 1)
    low, high = math.floor(position), math.ceil(position)
    params = {"period_id": period_id, "skip": timed - 1 - high, "take": high - low + 1}
    values = [seconds / 3600 for seconds in (await connection.scalars(SLOWEST, params)).all()]
    second, first = values[0], values[-1]
    return first if high == low else first + (second - first) * (position - low)


async def _per_reviewer(session: AsyncSession, in_period) -> list[ReviewerCounts]:
    """Approvals given (each approver of an approved contribution), rejections, questions asked: the reviewers'
    own decisions, so neither imported approvals nor imported rejections (historical records) count."""
    a, t = orm.contribution_approval.c, orm.contribution_message.c
    approvals = (
        select(
            a.reviewer_id.label("reviewer_id"), func.count().label("approved"), *_zeros("rejected", "clarifications")
        )
        .join(orm.contribution, c.id == a.contribution_id)
        .where(in_period, c.status == ContributionStatus.APPROVED, a.imported.is_(False))
        .group_by(a.reviewer_id)
    )
    rejections = (
        select(c.decided_by, *_zeros("approved"), func.count().label("rejected"), *_zeros("clarifications"))
        .where(in_period, c.status == ContributionStatus.REJECTED, c.import_id.is_(None))
        .group_by(c.decided_by)
    )
    questions = (
        select(t.author_id, *_zeros("approved", "rejected"), func.count().label("clarifications"))
        .join(orm.contribution, c.id == t.contribution_id)
        .where(in_period, t.kind == "question")
        .group_by(t.author_id)
    )
    counts = union_all(approvals, rejections, questions).subquery()
    rows = await session.execute(
        select(
            counts.c.reviewer_id,
            m.display_name,
            func.sum(counts.c.approved),
            func.sum(counts.c.rejected),
            func.sum(counts.c.clarifications),
        )
        .select_from(counts.outerjoin(orm.member_replica, and_(m.member_id == counts.c.reviewer_id)))
        .group_by(counts.c.reviewer_id, m.display_name)
        .order_by(m.display_name, counts.c.reviewer_id)
    )
    return [ReviewerCounts(r, name, int(ok), int(no), int(q)) for r, name, ok, no, q in rows]


def _zeros(*names: str) -> list:
    return [literal(0).label(name) for name in names]
