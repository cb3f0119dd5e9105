"""Consumed events parked until the ledger can apply them (their period is not known yet)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_ledger.adapters.close_tables import pending_event
from habitat_ledger.adapters.orm import period
from habitat_ledger.domain.journal.pending import UNKNOWN_PERIOD, PendingEvent


class SqlAlchemyPendingEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unresolved(self) -> list[PendingEvent]:
        query = select(pending_event).where(pending_event.c.applied_at.is_(None)).order_by(pending_event.c.recorded_at)
        return [PendingEvent(**row) for row in (await self.session.execute(query)).mappings()]

    async def waiting_for_known_periods(self, period_id: uuid.UUID | None = None) -> list[PendingEvent]:
        waiting = (pending_event.c.applied_at.is_(None), pending_event.c.reason == UNKNOWN_PERIOD)
        if period_id is not None:  # a period being opened in this unit of work, not flushed yet
            query = select(pending_event).where(*waiting, pending_event.c.period_id == period_id)
        else:
            query = (
                select(pending_event)
                .join(period, period.c.id == pending_event.c.period_id)
                .where(*waiting, period.c.status != "closed")
            )
        query = query.order_by(pending_event.c.recorded_at)
        with self.session.sync_session.no_autoflush:  # the new period flushes at commit, with its checks
            rows = (await self.session.execute(query)).mappings().all()
        return [PendingEvent(**row) for row in rows]

    async def mark_applied(self, events: list[PendingEvent], at: datetime) -> None:
        if events:
            ids = [event.id for event in events]
            applied = update(pending_event).where(pending_event.c.id.in_(ids)).values(applied_at=at)
            await self.session.execute(applied)
