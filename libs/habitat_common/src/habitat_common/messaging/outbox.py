"""The transactional outbox: events written in the same transaction as the state change."""

from __future__ import annotations

from typing import Any

from opentelemetry import propagate
from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text, func, insert, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from habitat_common.contracts.envelope import Contract, Envelope


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table inside a service's schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("routing_key", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )


def outbox_row(contract: Contract, *, producer: str, correlation_id: str | None) -> tuple[Envelope, dict[str, Any]]:
    """A fresh envelope around contract and the outbox row (column values) that stages it."""
    envelope = Envelope.wrap(contract, producer=producer, correlation_id=correlation_id)
    headers: dict[str, Any] = {}
    propagate.inject(headers)  # carries the HTTP request's trace into the consumer
    if correlation_id:
        headers["x-correlation-id"] = correlation_id
    row = {
        "event_id": envelope.event_id,
        "routing_key": envelope.routing_key(),
        "payload": envelope.model_dump(mode="json"),
        "headers": headers,
    }
    return envelope, row


async def add_to_outbox(
    session: AsyncSession,
    table: Table,
    contract: Contract,
    *,
    producer: str,
    correlation_id: str | None,
) -> Envelope:
    """Wrap a contract in an envelope and stage it in the caller's transaction."""
    envelope, row = outbox_row(contract, producer=producer, correlation_id=correlation_id)
    await session.execute(insert(table).values(**row))
    return envelope
