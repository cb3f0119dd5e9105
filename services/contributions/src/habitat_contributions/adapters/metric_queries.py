"""Reads behind the contributions gauges refreshed from the database: the review queue and open periods' intake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from habitat_contributions.adapters.orm import contribution, member_replica, period_replica
from habitat_contributions.domain.replicas import MEMBER_ACTIVE, PERIOD_OPEN
from habitat_contributions.domain.statuses import ContributionStatus


@dataclass(frozen=True)
class ReviewQueue:
    """Pending contributions per type, and when the oldest of them was submitted (None when none is)."""

    pending_by_type: dict[str, int]
    oldest_submitted_at: datetime | None


@dataclass(frozen=True)
class OpenPeriodIntake:
    """An open period: its name and last day, its active members and those who submitted in it."""

    name: str
    ends_on: date
    active_members: int
    members_submitted: int


async def review_queue(connection: AsyncConnection) -> ReviewQueue:
    """The review queue's size per type and its oldest submission (ix_contribution_status_submitted_at)."""
    c = contribution.c
    query = (
        select(c.type, func.count(), func.min(c.submitted_at))
        .where(c.status == ContributionStatus.PENDING)
        .group_by(c.type)
    )
    rows = (await connection.execute(query)).all()
    oldest = min((row[2] for row in rows), default=None)
    return ReviewQueue({str(kind): count for kind, count, _ in rows}, oldest)


async def open_periods_intake(connection: AsyncConnection) -> list[OpenPeriodIntake]:
    """Each open period with its active members and how many of them have a contribution in it."""
    p, m, c = period_replica.c, member_replica.c, contribution.c
    active = m.status == MEMBER_ACTIVE
    contributed = exists().where(and_(c.period_id == p.period_id, c.member_id == m.member_id))
    members = select(func.count()).select_from(member_replica).where(active).scalar_subquery()
    submitted = select(func.count()).select_from(member_replica).where(active, contributed).scalar_subquery()
    query = select(p.name, p.ends_on, members, submitted).where(p.status == PERIOD_OPEN).order_by(p.starts_on)
    return [OpenPeriodIntake(*row) for row in (await connection.execute(query)).all()]
