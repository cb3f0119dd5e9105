"""SQLAlchemy repositories; they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_contributions.domain.model import Contribution, ContributionStatus
from habitat_contributions.domain.replicas import PERIOD_OPEN, MemberReplica, PeriodReplica
from habitat_contributions.service_layer.ports import ContributionFilter


class SqlAlchemyContributionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, contribution: Contribution) -> None:
        self._session.add(contribution)

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None:
        return await self._session.get(Contribution, contribution_id)

    async def get_for_update(self, contribution_id: uuid.UUID) -> Contribution | None:
        # populate_existing: after waiting on the lock we must see the winner's committed status.
        return await self._session.get(Contribution, contribution_id, with_for_update=True, populate_existing=True)

    async def list(self, where: ContributionFilter) -> list[Contribution]:
        query = select(Contribution)
        for column, wanted in (
            (Contribution.member_id, where.member_id),
            (Contribution.period_id, where.period_id),
            (Contribution.status, where.status),
            (Contribution.type, where.type),
        ):
            if wanted is not None:
                query = query.where(column == wanted)
        query = (
            query.order_by(Contribution.submitted_at.desc(), Contribution.id).limit(where.limit).offset(where.offset)
        )
        return list((await self._session.scalars(query)).all())

    async def pending_oldest_first(self, limit: int) -> list[Contribution]:
        query = (
            select(Contribution)
            .where(Contribution.status == ContributionStatus.PENDING)
            .order_by(Contribution.submitted_at, Contribution.id)
            .limit(limit)
        )
        return list((await self._session.scalars(query)).all())


class SqlAlchemyMemberReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, member: MemberReplica) -> None:
        self._session.add(member)

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None:
        return await self._session.get(MemberReplica, member_id, with_for_update=True, populate_existing=True)


class SqlAlchemyPeriodReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, period: PeriodReplica) -> None:
        self._session.add(period)

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None:
        return await self._session.get(PeriodReplica, period_id, with_for_update=True, populate_existing=True)

    async def open_period_containing(self, day: date) -> PeriodReplica | None:
        query = (
            select(PeriodReplica)
            .where(PeriodReplica.status == PERIOD_OPEN, PeriodReplica.starts_on <= day, PeriodReplica.ends_on >= day)
            .order_by(PeriodReplica.starts_on)
            .limit(1)
        )
        return (await self._session.scalars(query)).first()
