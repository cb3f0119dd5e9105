"""The period intake dashboard's aggregates, computed by PostgreSQL (index-backed by period and status)."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, exists, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_contributions.adapters import orm
from habitat_contributions.domain.model import ContributionStatus
from habitat_contributions.domain.replicas import MEMBER_ACTIVE, MemberReplica
from habitat_contributions.service_layer.ports import IntakeFigures, ReviewerCounts

DECIDED = (ContributionStatus.APPROVED, ContributionStatus.REJECTED)
c = orm.contribution.c
m = orm.member_replica.c


async def intake_figures(session: AsyncSession, period_id: uuid.UUID) -> IntakeFigures:
    """Every figure of the dashboard in a handful of grouped queries (no rows shipped to Python)."""
    in_period = c.period_id == period_id
    submitted = exists().where(in_period, c.member_id == m.member_id)
    active = m.status == MEMBER_ACTIVE
    members = (await session.execute(select(func.count(), func.count().filter(submitted)).where(active))).one()
    by_type_status = (
        await session.execute(
            select(c.type, c.status, func.count(), func.coalesce(func.sum(c.value), 0))
            .where(in_period)
            .group_by(c.type, c.status)
        )
    ).all()
    hours = func.extract("epoch", c.decided_at - c.submitted_at) / 3600
    timing = (
        await session.execute(
            select(func.avg(hours), func.percentile_cont(0.95).within_group(hours)).where(
                in_period, c.status.in_(DECIDED)
            )
        )
    ).one()
    not_submitted = (
        await session.scalars(select(MemberReplica).where(active, ~submitted).order_by(m.display_name, m.member_id))
    ).all()
    return IntakeFigures(
        active_members=members[0],
        members_with_submissions=members[1],
        by_type_status=[(str(t), str(s), n, v) for t, s, n, v in by_type_status],
        mean_hours_to_decision=None if timing[0] is None else float(timing[0]),
        p95_hours_to_decision=None if timing[1] is None else float(timing[1]),
        per_reviewer=await _per_reviewer(session, in_period),
        not_submitted=list(not_submitted),
    )


async def _per_reviewer(session: AsyncSession, in_period) -> list[ReviewerCounts]:
    """Approvals given (each approver of an approved contribution), rejections, questions asked."""
    a, t = orm.contribution_approval.c, orm.contribution_message.c
    approvals = (
        select(
            a.reviewer_id.label("reviewer_id"), func.count().label("approved"), *_zeros("rejected", "clarifications")
        )
        .join(orm.contribution, c.id == a.contribution_id)
        .where(in_period, c.status == ContributionStatus.APPROVED)
        .group_by(a.reviewer_id)
    )
    rejections = (
        select(c.decided_by, *_zeros("approved"), func.count().label("rejected"), *_zeros("clarifications"))
        .where(in_period, c.status == ContributionStatus.REJECTED)
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
