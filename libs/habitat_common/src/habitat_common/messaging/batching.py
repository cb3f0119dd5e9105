"""Consuming in batches: deliveries collected for a few milliseconds, applied in one unit of work, acked after it.

FastStream has no batch subscriber for RabbitMQ, so the batch is gathered here, in front of the per-delivery
consumer (consumer.subscribe): each delivery is decoded, refused or retried there as before; only the call to
the service's handler waits for its batch. A delivery is acked once its batch committed (its handler call
returned); a batch that fails is applied again one delivery at a time, so a poison message fails alone and
takes its own way to retry and dead letter while the rest commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from faststream.rabbit import Channel, RabbitBroker
from pydantic import BaseModel, Field

from habitat_common.contracts.envelope import Envelope
from habitat_common.db import is_database_unavailable
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.retry import describe
from habitat_common.messaging.topology import Subscription

log = logging.getLogger(__name__)

# One outcome per envelope, in order: True when it had its effect, False for a duplicate.
BatchHandler = Callable[[Sequence[Envelope]], Awaitable[list[bool]]]


class BatchSettings(BaseModel):
    """How a batching consumer gathers deliveries (e.g. LEDGER_BATCHING__SIZE, LEDGER_BATCHING__WAIT_MS)."""

    size: int = Field(default=100, ge=1, description="Deliveries applied in one unit of work at most")
    wait_ms: float = Field(
        default=5.0, ge=0, description="How long the first delivery of a batch waits for others before it is applied"
    )
    in_flight: int = Field(
        default=2, ge=1,
        description="Batches applied at once per consumer (while one commits, the next is being gathered and decoded)",
    )

    @property
    def prefetch_count(self) -> int:
        """Enough unacknowledged deliveries to fill every batch in flight and the one being gathered."""
        return self.size * (self.in_flight + 1)


class Batcher:
    """Gathers envelopes into batches of up to `size`, applies at most `in_flight` batches at once.

    A free lane takes what is waiting and whatever arrives within `wait_ms` of its first envelope, so a lone
    approval waits a few milliseconds at most, while under a backlog the envelopes that gathered during the
    previous batches make the next one large (up to `size`) without waiting."""

    def __init__(self, handle_batch: BatchHandler, settings: BatchSettings) -> None:
        self._handle_batch = handle_batch
        self._settings = settings
        self._waiting: deque[tuple[Envelope, asyncio.Future[bool]]] = deque()
        self._arrived: asyncio.Event | None = None
        self._lanes: set[asyncio.Task[None]] = set()

    async def handle(self, envelope: Envelope) -> bool:
        """Apply envelope with its batch: True once committed with effect, False for a duplicate; its own error
        when it failed (alone, or with its whole batch when the database was unavailable)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((envelope, future))
        if self._arrived is None:  # made on the running loop
            self._arrived = asyncio.Event()
        self._arrived.set()
        if len(self._lanes) < self._settings.in_flight:
            lane = asyncio.create_task(self._lane())
            self._lanes.add(lane)  # held until done: the loop keeps only weak references to tasks
            lane.add_done_callback(self._lanes.discard)
        return await future

    async def _lane(self) -> None:
        while self._waiting:
            await self._apply(await self._gather())

    async def _gather(self) -> list[tuple[Envelope, asyncio.Future[bool]]]:
        """The first waiting envelope (there is one: no await since the lane saw it) and up to size - 1 more,
        waiting at most wait_ms for them."""
        loop, size = asyncio.get_running_loop(), self._settings.size
        batch = [self._waiting.popleft()]
        deadline = loop.time() + self._settings.wait_ms / 1000
        while len(batch) < size:
            while self._waiting and len(batch) < size:
                batch.append(self._waiting.popleft())
            if len(batch) >= size or (left := deadline - loop.time()) <= 0:
                break
            self._arrived.clear()  # type: ignore[union-attr]
            try:
                await asyncio.wait_for(self._arrived.wait(), left)  # type: ignore[union-attr]
            except TimeoutError:
                pass
        return batch

    async def _apply(self, batch: list[tuple[Envelope, asyncio.Future[bool]]]) -> None:
        try:
            outcomes = await self._handle_batch([envelope for envelope, _ in batch])
        except Exception as error:  # noqa: BLE001 - each delivery gets its error; the consumer retries or files it
            if len(batch) == 1 or is_database_unavailable(error):
                for _, future in batch:
                    _settle(future, error=error)
                return
            log.warning("a batch of %d failed (%s); applying its deliveries one at a time", len(batch), describe(error))
            await self._apply_one_by_one(batch)
            return
        for (_, future), applied in zip(batch, outcomes, strict=True):
            _settle(future, applied)

    async def _apply_one_by_one(self, batch: list[tuple[Envelope, asyncio.Future[bool]]]) -> None:
        """Each delivery a batch of one: the poison fails alone, the others commit."""
        for envelope, future in batch:
            try:
                (applied,) = await self._handle_batch([envelope])
            except Exception as error:  # noqa: BLE001 - the delivery gets its error, as above
                _settle(future, error=error)
            else:
                _settle(future, applied)


def _settle(future: asyncio.Future[bool], applied: bool = False, *, error: Exception | None = None) -> None:
    if future.done():  # its delivery's handling was cancelled (shutdown): RabbitMQ delivers it again
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(applied)


def subscribe_batches(
    broker: RabbitBroker,
    subscription: Subscription,
    handle_batch: BatchHandler,
    *,
    batching: BatchSettings,
    **options,
) -> Batcher:
    """Attach handle_batch to the subscription's queue as consumer.subscribe attaches a handler (same refusals,
    retries and dead letters, per delivery), with its own channel whose prefetch fills the batches."""
    batcher = Batcher(handle_batch, batching)
    subscribe(broker, subscription, batcher.handle, channel=Channel(prefetch_count=batching.prefetch_count), **options)
    return batcher
