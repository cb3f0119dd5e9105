"""Outbox relay: publishes unpublished rows with confirms and persistence, then marks them sent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from faststream.rabbit import RabbitBroker, RabbitExchange
from opentelemetry import propagate, trace
from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.faults import fault_point
from habitat_common.messaging.polling import PollingTask
from habitat_common.messaging.topology import EVENTS
from habitat_common.telemetry import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_LAG

tracer = trace.get_tracer("habitat.outbox")


class OutboxRelay:
    """Any number of relays may run: rows are claimed with FOR UPDATE SKIP LOCKED."""

    def __init__(
        self,
        *,
        service: str,
        broker: RabbitBroker,
        session_factory: async_sessionmaker[AsyncSession],
        table: Table,
        interval_seconds: float,
        batch_size: int,
        exchange: RabbitExchange = EVENTS,
    ) -> None:
        self._service = service
        self._exchange = exchange
        self._broker = broker
        self._session_factory = session_factory
        self._table = table
        self._batch_size = batch_size
        self._loop = PollingTask(
            f"{service}-outbox-relay",
            self.relay_once,
            interval_seconds=interval_seconds,
            batch_size=batch_size,
            measure=self.measure_backlog,
        )

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        t = self._table
        async with self._session_factory() as session, session.begin():
            rows = (
                await session.execute(
                    select(t.c.id, t.c.event_id, t.c.routing_key, t.c.payload, t.c.headers)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            # pipelined: every publish of the batch is on the wire before the first confirm is awaited;
            # consumers already tolerate events out of order (see ARCHITECTURE.md, Messages)
            await asyncio.gather(*(self._publish(row) for row in rows))
            if rows:
                fault_point("relay.after_publish")  # published, not yet marked: the fault suite's crash
                await session.execute(
                    update(t).where(t.c.id.in_([r.id for r in rows])).values(published_at=func.now())
                )
        return len(rows)

    async def _publish(self, row) -> None:
        headers = dict(row.headers or {})
        parent = propagate.extract(headers)
        with tracer.start_as_current_span(f"outbox relay {row.routing_key}", context=parent):
            propagate.inject(headers)
            await self._broker.publish(
                row.payload,
                exchange=self._exchange,
                routing_key=row.routing_key,
                message_id=str(row.event_id),
                correlation_id=headers.get("x-correlation-id"),
                headers=headers,
                persist=True,
                mandatory=False,
            )
        EVENTS_PUBLISHED.labels(self._service, row.routing_key).inc()

    async def measure_backlog(self) -> None:
        t = self._table
        async with self._session_factory() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None))
                )
            ).one()
        OUTBOX_BACKLOG.labels(self._service).set(count)
        lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_LAG.labels(self._service).set(lag)

    async def run(self) -> None:
        await self._loop.run()

    async def start(self) -> None:
        await self._loop.start()

    def is_running(self) -> bool:
        return self._loop.is_running()

    async def stop(self) -> None:
        await self._loop.stop()
