"""The inbox (tracking) table: a consumer records each event id in the transaction of its effect."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession


def inbox_table(metadata: MetaData) -> Table:
    """The inbox table inside a service's schema."""
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def claim(session: AsyncSession, table: Table, consumer: str, event_id: uuid.UUID) -> bool:
    """True the first time consumer sees event_id; False for a duplicate delivery."""
    result = await session.execute(
        insert(table)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(table.c.event_id)
    )
    return result.first() is not None


async def claim_many(session: AsyncSession, table: Table, consumer: str, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The event ids consumer sees for the first time; the others are duplicates. One statement, the same text
    whatever their number (prepared once per connection), the ids an array parameter."""
    if not event_ids:
        return set()
    result = await session.execute(
        text(
            f"INSERT INTO {table.fullname} (consumer, event_id)"
            " SELECT DISTINCT CAST(:consumer AS text), unnest(CAST(:ids AS uuid[]))"
            " ON CONFLICT DO NOTHING RETURNING event_id"
        ),
        {"consumer": consumer, "ids": list(event_ids)},
    )
    return set(result.scalars())
