"""Scheduled and completed distributions of allocated cash."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import distribution
from habitat_ledger.domain.distributions.distribution import Distribution


class SqlAlchemyDistributionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Distribution) -> None:
        self.session.add(record)

    async def get(self, distribution_id: uuid.UUID, *, for_update: bool = False) -> Distribution | None:
        return await self.session.get(
            Distribution, distribution_id, with_for_update=for_update or None, populate_existing=for_update
        )

    async def list(self, member_id: uuid.UUID | None, status: str | None) -> list[Distribution]:
        query = select(Distribution).order_by(distribution.c.scheduled_on, distribution.c.created_at)
        if member_id is not None:
            query = query.where(distribution.c.member_id == member_id)
        if status is not None:
            query = query.where(distribution.c.status == status)
        return list((await self.session.scalars(query)).all())
