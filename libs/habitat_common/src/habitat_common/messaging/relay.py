"""Outbox relay: publishes unpublished rows with confirms and persistence, then marks them sent."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from faststream.rabbit import RabbitBroker
from opentelemetry import propagate, trace
from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from habitat_common.messaging.topology import EVENTS
from habitat_common.telemetry import EVENTS_PUBLISHED, OUTBOX_BACKLOG, OUTBOX_LAG

log = logging.getLogger(__name__)
tracer = trace.get_tracer("habitat.outbox")


class OutboxRelay:
    """Any number of relays may run: rows are claimed with FOR UPDATE SKIP LOCKED."""

    MAX_IDLE_WAIT_SECONDS = 0.2

    def __init__(
        self,
        *,
        service: str,
        broker: RabbitBroker,
        session_factory: async_sessionmaker[AsyncSession],
        table: Table,
        interval_seconds: float,
        batch_size: int,
    ) -> None:
        self._service = service
        self._broker = broker
        self._session_factory = session_factory
        self._table = table
        self._interval = interval_seconds
        self._batch_size = batch_size
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

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
                exchange=EVENTS,
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
        idle_wait = self._interval
        next_measure = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                published = await self.relay_once()
                if loop.time() >= next_measure:
                    await self.measure_backlog()
                    next_measure = loop.time() + 1.0
            except Exception:  # noqa: BLE001 - a broker or database hiccup must not kill the relay
                log.exception("outbox relay failed; retrying")
                published = 0
                await asyncio.sleep(1.0)
            if published >= self._batch_size:
                continue
            # back off while idle (an idle relay polling every 50 ms costs a few % of a core per service),
            # straight back to the short interval as soon as there is work
            idle_wait = self._interval if published else min(idle_wait * 2, self.MAX_IDLE_WAIT_SECONDS)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=idle_wait)
            except TimeoutError:
                pass

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"{self._service}-outbox-relay")

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task:
            await self._task
