"""The dead_letter table of a service's schema: every message that died in one of its work queues, and what an
operator did about it. Rows are the audit trail: updated as a letter moves, never deleted (a trigger refuses)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.messaging import dead_letter_rules as rules

SUMMARY_COLUMNS = ("id", "queue", "event_type", "event_id", "reason", "dead_at", "times_dead", "status")


def dead_letter_table(metadata: MetaData) -> Table:
    """The dead_letter table inside a service's schema."""
    return Table(
        "dead_letter",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("queue", Text, nullable=False),
        Column("event_type", Text),
        Column("event_id", UUID(as_uuid=True)),
        Column("message_id", Text),
        Column("reason", Text, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("body", LargeBinary, nullable=False),
        Column("content_type", Text),
        Column("dead_at", DateTime(timezone=True), nullable=False),
        Column("times_dead", Integer, nullable=False, server_default=text("1")),
        Column("status", Text, nullable=False, server_default=text(f"'{rules.DEAD}'")),
        Column("replay_requested_at", DateTime(timezone=True)),
        Column("replay_requested_by", UUID(as_uuid=True)),
        Column("replayed_at", DateTime(timezone=True)),
        Column("discarded_at", DateTime(timezone=True)),
        Column("discarded_by", UUID(as_uuid=True)),
        Column("discard_reason", Text),
        CheckConstraint(
            "status IN ('dead', 'replay_requested', 'replayed', 'discarded')", name="status_known"
        ),
        CheckConstraint(
            "(status = 'discarded') = (discarded_at IS NOT NULL AND discard_reason IS NOT NULL)",
            name="discard_recorded",
        ),
        Index("ix_dead_letter_queue_status", "queue", "status", "dead_at"),
        Index("ix_dead_letter_event", "queue", "event_id"),
    )


@dataclass(frozen=True)
class Outcome:
    """What an operator's request did: how many letters it changed, how many were there already."""

    queue: str
    changed: int
    already: int


class DeadLetterStore:
    """Reads and moves a service's dead letters; each method is one transaction."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], table: Table) -> None:
        self._sessions = session_factory
        self.table = table

    async def record(self, death: rules.Death) -> bool:
        """Keep a death: a letter replayed (or asked to be) that dies again is reopened (times_dead + 1); a
        death already kept (the same delivery again, after a crash before its ack) changes nothing.
        True when something was written."""
        t = self.table
        async with self._sessions() as session, session.begin():
            row = await self._same_letter(session, death)
            if row is not None and row.status == rules.DEAD:
                return False
            values = {"reason": death.reason, "headers": death.headers, "dead_at": func.now()}
            if row is not None and row.status in (rules.REPLAY_REQUESTED, rules.REPLAYED):
                await session.execute(
                    update(t).where(t.c.id == row.id)
                    .values(**values, status=rules.DEAD, times_dead=t.c.times_dead + 1)
                )
                return True
            await session.execute(
                t.insert().values(
                    **values, id=uuid.uuid4(), queue=death.queue, event_type=death.event_type,
                    event_id=death.event_id, message_id=death.message_id, body=death.body,
                    content_type=death.content_type,
                )
            )
            return True

    async def _same_letter(self, session: AsyncSession, death: rules.Death) -> Any:
        t = self.table
        query = select(t.c.id, t.c.status).with_for_update()
        if death.letter_id is not None:
            row = (await session.execute(query.where(t.c.id == death.letter_id, t.c.queue == death.queue))).first()
            if row is not None:
                return row
        if death.event_id is None:
            return None
        # the same event dead in the same queue and not discarded: one letter (replays go by event id anyway)
        return (
            await session.execute(
                query.where(t.c.queue == death.queue, t.c.event_id == death.event_id, t.c.status != rules.DISCARDED)
                .order_by(t.c.dead_at.desc()).limit(1)
            )
        ).first()

    async def summary(self, queues: Sequence[str]) -> list[dict[str, Any]]:
        """Per queue: letters in status dead and the oldest one's dead_at (None when there is none)."""
        t = self.table
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(t.c.queue, func.count(), func.min(t.c.dead_at))
                    .where(t.c.status == rules.DEAD, t.c.queue.in_(queues)).group_by(t.c.queue)
                )
            ).all()
        found = {queue: (count, oldest) for queue, count, oldest in rows}
        return [{"queue": q, "count": found.get(q, (0, None))[0], "oldest_dead_at": found.get(q, (0, None))[1]}
                for q in queues]

    async def letters(
        self, queues: Sequence[str], *, status: str | None, limit: int, offset: int, full: bool = False
    ) -> tuple[int, list[dict[str, Any]]]:
        """(total, page) of the queues' letters in status (any when None), oldest death first."""
        t = self.table
        where = [t.c.queue.in_(queues)] + ([t.c.status == status] if status else [])
        columns = list(t.c) if full else [t.c[name] for name in SUMMARY_COLUMNS]
        async with self._sessions() as session:
            total = (await session.execute(select(func.count()).select_from(t).where(*where))).scalar_one()
            rows = (
                await session.execute(
                    select(*columns).where(*where).order_by(t.c.dead_at, t.c.id).limit(limit).offset(offset)
                )
            ).mappings().all()
        return total, [dict(row) for row in rows]

    async def request_replay(
        self, queue: str, ids: Sequence[uuid.UUID] | None, *, actor: uuid.UUID
    ) -> Outcome:
        """Ask for the letters (every dead one of queue when ids is None) to be replayed by the worker."""
        async with self._sessions() as session, session.begin():
            statuses = await self._statuses(session, queue, ids)
            plan = rules.plan_replay(queue, ids, statuses)
            await self._move(session, plan.change, status=rules.REPLAY_REQUESTED,
                             replay_requested_at=func.now(), replay_requested_by=actor)
        return Outcome(queue, len(plan.change), len(plan.already))

    async def discard(
        self, queue: str, ids: Sequence[uuid.UUID] | None, *, actor: uuid.UUID, reason: str
    ) -> Outcome:
        """Set the letters (every dead one of queue when ids is None) aside for good, with the reason."""
        reason = rules.checked_reason(reason)
        async with self._sessions() as session, session.begin():
            statuses = await self._statuses(session, queue, ids)
            plan = rules.plan_discard(queue, ids, statuses)
            await self._move(session, plan.change, status=rules.DISCARDED,
                             discarded_at=func.now(), discarded_by=actor, discard_reason=reason)
        return Outcome(queue, len(plan.change), len(plan.already))

    async def _statuses(
        self, session: AsyncSession, queue: str, ids: Sequence[uuid.UUID] | None
    ) -> dict[uuid.UUID, str]:
        t = self.table
        query = select(t.c.id, t.c.status).where(t.c.queue == queue).with_for_update()
        query = query.where(t.c.status == rules.DEAD) if ids is None else query.where(t.c.id.in_(list(ids)))
        return {row.id: row.status for row in (await session.execute(query)).all()}

    async def _move(self, session: AsyncSession, ids: list[uuid.UUID], **values: Any) -> None:
        if ids:
            await session.execute(update(self.table).where(self.table.c.id.in_(ids)).values(**values))

    async def replay_batch(self, publish: Callable[[Any], Awaitable[None]], *, limit: int) -> int:
        """Publish up to limit letters whose replay was asked for (publish returns once the broker confirmed),
        then mark them replayed; any number of workers may run this (rows claimed with SKIP LOCKED). A crash
        between the two publishes them again: the consumers are idempotent."""
        t = self.table
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(t.c.id, t.c.queue, t.c.headers, t.c.body, t.c.message_id, t.c.content_type)
                    .where(t.c.status == rules.REPLAY_REQUESTED).order_by(t.c.replay_requested_at, t.c.id)
                    .limit(limit).with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await publish(row)
            await self._move(session, [row.id for row in rows], status=rules.REPLAYED, replayed_at=func.now())
        return len(rows)

    async def counts_by_queue(self) -> dict[str, int]:
        """Letters in status dead per queue (queues with none are absent)."""
        t = self.table
        async with self._sessions() as session:
            rows = (
                await session.execute(select(t.c.queue, func.count()).where(t.c.status == rules.DEAD).group_by(t.c.queue))
            ).all()
        return {queue: count for queue, count in rows}
