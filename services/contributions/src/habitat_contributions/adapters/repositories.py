"""SQLAlchemy repositories; they take the unit of work's session and never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_contributions.adapters import orm
from habitat_contributions.domain.corrections import Figures
from habitat_contributions.domain.events import MemberTotal
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.replicas import PERIOD_OPEN, MemberReplica, PeriodReplica
from habitat_contributions.domain.statuses import ContributionStatus

UNDECIDED = (ContributionStatus.PENDING, ContributionStatus.CLARIFICATION_REQUESTED)


class SqlAlchemyContributionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.new: list[Contribution] = []

    def add(self, contribution: Contribution) -> None:
        # written by the unit of work's commit in one INSERT with the outbox rows (no ORM flush on the hot path)
        self.new.append(contribution)

    async def get(self, contribution_id: uuid.UUID) -> Contribution | None:
        return await self._session.get(Contribution, contribution_id)

    async def get_for_update(self, contribution_id: uuid.UUID) -> Contribution | None:
        # populate_existing: after waiting on the lock we must see the winner's committed status.
        return await self._session.get(Contribution, contribution_id, with_for_update=True, populate_existing=True)

    async def get_many_for_update(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Contribution]:
        if not ids:
            return {}
        c = orm.contribution.c
        # The originals of the corrections among them are locked in the same statement: approving a correction
        # locks its original again, which would otherwise make two batches lock in opposite orders.
        originals = select(c.corrects_contribution_id).where(c.id.in_(ids), c.corrects_contribution_id.is_not(None))
        query = (
            select(Contribution)
            .where(or_(c.id.in_(ids), c.id.in_(originals)))
            .order_by(c.id)  # rows are locked in this order: concurrent batches queue instead of deadlocking
            .with_for_update()
            .execution_options(populate_existing=True)  # as get_for_update: see the winner's committed status
        )
        wanted = set(ids)
        return {found.id: found for found in (await self._session.scalars(query)).all() if found.id in wanted}

    async def approved_totals(self, period_id: uuid.UUID) -> tuple[list[MemberTotal], int]:
        c = orm.contribution.c
        approved = c.status == ContributionStatus.APPROVED
        rows = await self._session.execute(
            select(c.member_id, func.count(), func.coalesce(func.sum(c.value), 0))
            .where(c.period_id == period_id, approved)
            .group_by(c.member_id)
            .order_by(c.member_id)
        )
        pending = await self._session.scalar(
            select(func.count()).where(c.period_id == period_id, c.status.in_(UNDECIDED))
        )
        return [MemberTotal(member_id, count, value) for member_id, count, value in rows], pending or 0

    async def approved_corrections(self, original_id: uuid.UUID) -> Figures:
        c = orm.contribution.c
        sums = (func.coalesce(func.sum(column), 0) for column in (c.value, c.book_amount, c.tax_amount))
        row = (
            await self._session.execute(
                select(*sums).where(c.corrects_contribution_id == original_id, c.status == ContributionStatus.APPROVED)
            )
        ).one()
        return Figures(*row)


class SqlAlchemyIdempotencyKeys:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, member_id: uuid.UUID, key: str, fingerprint: str, contribution_id: uuid.UUID
    ) -> tuple[str, uuid.UUID] | None:
        table = orm.idempotency_key
        stored = await self._session.scalar(
            insert(table)
            .values(
                member_id=member_id,
                key=key,
                fingerprint=fingerprint,
                contribution_id=contribution_id,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing()
            .returning(table.c.key)
        )
        if stored is not None:
            return None
        # A concurrent first request with this key has committed by now (the insert waited on it).
        row = (
            await self._session.execute(
                select(table.c.fingerprint, table.c.contribution_id).where(
                    table.c.member_id == member_id, table.c.key == key
                )
            )
        ).one()
        return row.fingerprint, row.contribution_id


class SqlAlchemyMemberReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, member: MemberReplica) -> None:
        self._session.add(member)

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        return await self._session.get(MemberReplica, member_id)

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None:
        return await self._session.get(MemberReplica, member_id, with_for_update=True, populate_existing=True)


class SqlAlchemyPeriodReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, period: PeriodReplica) -> None:
        self._session.add(period)

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None:
        return await self._session.get(PeriodReplica, period_id, with_for_update=True, populate_existing=True)

    async def get_for_share(self, period_id: uuid.UUID) -> PeriodReplica | None:
        return await self._session.get(PeriodReplica, period_id, with_for_update={"read": True}, populate_existing=True)

    async def statuses_of(self, period_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not period_ids:
            return {}
        query = select(PeriodReplica.period_id, PeriodReplica.status).where(PeriodReplica.period_id.in_(period_ids))
        return dict((await self._session.execute(query)).all())

    async def containing(self, day: date) -> PeriodReplica | None:
        query = (
            select(PeriodReplica)
            .where(PeriodReplica.starts_on <= day, PeriodReplica.ends_on >= day)
            .order_by(case((PeriodReplica.status == PERIOD_OPEN, 0), else_=1), PeriodReplica.starts_on)
            .limit(1)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(query)).first()
