"""SQLAlchemy repositories of the notifications schema; they never commit."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from habitat_notifications.adapters import orm
from habitat_notifications.domain.messages import Message, Status
from habitat_notifications.domain.preferences import Preferences
from habitat_notifications.domain.replicas import (
    MEMBER_ACTIVE,
    PERIOD_OPEN,
    UNDECIDED,
    ContributionReplica,
    MemberReplica,
    PeriodReplica,
)
from habitat_notifications.domain.schedule import Run
from habitat_notifications.service_layer.ports import MessageFilter


class SqlAlchemyMemberReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, member: MemberReplica) -> None:
        self.session.add(member)

    async def get(self, member_id: uuid.UUID) -> MemberReplica | None:
        return await self.session.get(MemberReplica, member_id)

    async def get_for_update(self, member_id: uuid.UUID) -> MemberReplica | None:
        return await self.session.get(MemberReplica, member_id, with_for_update=True)

    async def active(self) -> list[MemberReplica]:
        query = select(MemberReplica).where(
            orm.member_replica.c.status == MEMBER_ACTIVE, orm.member_replica.c.email.is_not(None)
        )
        return list((await self.session.scalars(query.order_by(orm.member_replica.c.member_id))).all())


class SqlAlchemyPreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, preferences: Preferences) -> None:
        self.session.add(preferences)

    async def get(self, member_id: uuid.UUID) -> Preferences | None:
        return await self.session.get(Preferences, member_id)

    async def get_for_update(self, member_id: uuid.UUID) -> Preferences | None:
        return await self.session.get(Preferences, member_id, with_for_update=True)

    async def of(self, member_ids: list[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
        if not member_ids:
            return {}
        query = select(Preferences).where(orm.preference.c.member_id.in_(member_ids))
        return {p.member_id: p for p in (await self.session.scalars(query)).all()}


_COLUMNS = tuple(c.name for c in orm.message.columns)


class SqlAlchemyMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_new(self, messages: list[Message]) -> list[Message]:
        if not messages:
            return []
        rows = [{name: value for name, value in asdict(m).items() if name in _COLUMNS} for m in messages]
        statement = (
            insert(orm.message)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_message_source_event_id")
            .returning(orm.message.c.id)
        )
        written = set((await self.session.execute(statement)).scalars().all())
        return [m for m in messages if m.id in written]

    async def claim_due(self, now: datetime) -> Message | None:
        m = orm.message.c
        query = (
            select(Message)
            .where(m.status == Status.QUEUED, m.next_attempt_at <= now)
            .order_by(m.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).first()

    async def get_for_update(self, message_id: uuid.UUID) -> Message | None:
        return await self.session.get(Message, message_id, with_for_update=True)

    async def page(self, where: MessageFilter) -> list[Message]:
        m = orm.message.c
        # bodies stay in the database: a reset mail's body holds a live token
        query = select(Message).options(
            defer(Message.text_body, raiseload=True), defer(Message.html_body, raiseload=True)
        )
        if where.status:
            query = query.where(m.status == where.status)
        if where.recipient_id:
            query = query.where(m.recipient_id == where.recipient_id)
        if where.after:
            query = query.where(tuple_(m.created_at, m.id) < tuple_(*where.after))
        query = query.order_by(m.created_at.desc(), m.id.desc()).limit(where.limit)
        return list((await self.session.scalars(query)).all())


class SqlAlchemyPeriodReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, period: PeriodReplica) -> None:
        self.session.add(period)

    async def get_for_update(self, period_id: uuid.UUID) -> PeriodReplica | None:
        return await self.session.get(PeriodReplica, period_id, with_for_update=True)

    async def open(self) -> list[PeriodReplica]:
        query = select(PeriodReplica).where(orm.period_replica.c.status == PERIOD_OPEN)
        return list((await self.session.scalars(query)).all())


class SqlAlchemyContributionReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, contribution: ContributionReplica) -> None:
        self.session.add(contribution)

    async def get_for_update(self, contribution_id: uuid.UUID) -> ContributionReplica | None:
        return await self.session.get(ContributionReplica, contribution_id, with_for_update=True)

    async def submitters(self, period_id: uuid.UUID) -> set[uuid.UUID]:
        c = orm.contribution_replica.c
        query = select(c.member_id).where(c.period_id == period_id).distinct()
        return set((await self.session.scalars(query)).all())

    async def undecided_since(self, cutoff: datetime) -> tuple[int, datetime | None]:
        c = orm.contribution_replica.c
        query = select(func.count(), func.min(c.submitted_at)).where(c.status.in_(UNDECIDED), c.submitted_at < cutoff)
        count, oldest = (await self.session.execute(query)).one()
        return count, oldest


class SqlAlchemyReminderRuns:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, run: Run, *, at: datetime, by: uuid.UUID | None) -> bool:
        statement = (
            insert(orm.reminder_run)
            .values(kind=str(run.kind), key=run.key, id=run.id, ran_at=at, triggered_by=by)
            .on_conflict_do_nothing()
            .returning(orm.reminder_run.c.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def record_mailed(self, run: Run, mailed: int) -> None:
        r = orm.reminder_run.c
        await self.session.execute(
            update(orm.reminder_run).where(r.kind == str(run.kind), r.key == run.key).values(mailed=mailed)
        )
