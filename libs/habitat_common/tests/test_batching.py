"""Batching consumers: deliveries gathered by size or time, applied together, a poison failing alone; on RabbitMQ,
every good delivery acked after its batch and the poison through its retries into the dead-letter queue."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import date

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.batching import Batcher, BatchSettings, subscribe_batches
from habitat_common.messaging.consumer import REASON_HEADER
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.messaging.topology import EVENTS, Subscription, declare_topology
from habitat_common.testing import take_all

SUBSCRIPTION = Subscription("contributions", PeriodOpenedV1)
TINY = RetrySchedule((0.1, 0.2), jitter=0)
EVENT = PeriodOpenedV1.routing_key()
POISON = "poison"


def period(name: str) -> Envelope:
    payload = PeriodOpenedV1(period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 3, 31), status="open")
    return Envelope.wrap(payload, producer="ledger")


class Recorder:
    """A batch handler recording each batch it was given; a batch holding the poison fails as a whole."""

    def __init__(self, error: Exception | None = None) -> None:
        self.batches: list[list[str]] = []
        self.applied: list[str] = []
        self.error = error or ValueError("numeric field overflow")

    async def __call__(self, envelopes: Sequence[Envelope]) -> list[bool]:
        names = [envelope.payload.name for envelope in envelopes]
        self.batches.append(names)
        if POISON in names:
            raise self.error
        self.applied += names
        return [True] * len(names)


class TestBatcher:
    async def test_deliveries_arriving_together_are_applied_in_one_batch(self) -> None:
        handler = Recorder()
        batcher = Batcher(handler, BatchSettings(size=100, wait_ms=20))
        outcomes = await asyncio.gather(*(batcher.handle(period(f"p{i}")) for i in range(10)))
        assert outcomes == [True] * 10
        assert handler.batches == [[f"p{i}" for i in range(10)]]

    async def test_a_full_batch_is_applied_at_once_and_the_rest_after_the_wait(self) -> None:
        handler = Recorder()
        batcher = Batcher(handler, BatchSettings(size=4, wait_ms=50))
        outcomes = await asyncio.gather(*(batcher.handle(period(f"p{i}")) for i in range(6)))
        assert outcomes == [True] * 6
        assert [len(batch) for batch in handler.batches] == [4, 2]

    async def test_a_full_batch_does_not_wait(self) -> None:
        handler = Recorder()
        batcher = Batcher(handler, BatchSettings(size=3, wait_ms=60_000))
        outcomes = await asyncio.wait_for(asyncio.gather(*(batcher.handle(period(f"p{i}")) for i in range(3))), 10)
        assert outcomes == [True] * 3

    async def test_a_poison_fails_alone_and_the_rest_of_its_batch_is_applied(self) -> None:
        handler = Recorder()
        batcher = Batcher(handler, BatchSettings(size=100, wait_ms=10))
        names = ["a", POISON, "b", "c"]
        outcomes = await asyncio.gather(*(batcher.handle(period(name)) for name in names), return_exceptions=True)
        assert [o if isinstance(o, bool) else type(o) for o in outcomes] == [True, ValueError, True, True]
        assert handler.batches == [names, ["a"], [POISON], ["b"], ["c"]]
        assert handler.applied == ["a", "b", "c"]

    async def test_an_unavailable_database_fails_the_whole_batch_without_one_by_one_attempts(self) -> None:
        handler = Recorder(error=ConnectionRefusedError("PostgreSQL is down"))
        batcher = Batcher(handler, BatchSettings(size=100, wait_ms=10))
        names = ["a", POISON, "b"]
        outcomes = await asyncio.gather(*(batcher.handle(period(name)) for name in names), return_exceptions=True)
        assert all(isinstance(o, ConnectionRefusedError) for o in outcomes)
        assert handler.batches == [names]

    async def test_at_most_in_flight_batches_are_applied_at_once(self) -> None:
        active = peak = 0

        async def slow(envelopes: Sequence[Envelope]) -> list[bool]:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.02)
            active -= 1
            return [True] * len(envelopes)

        batcher = Batcher(slow, BatchSettings(size=2, wait_ms=1, in_flight=2))
        assert await asyncio.gather(*(batcher.handle(period(f"p{i}")) for i in range(12))) == [True] * 12
        assert peak == 2

    def test_the_prefetch_fills_every_batch_in_flight_and_the_one_gathered(self) -> None:
        assert BatchSettings(size=100, in_flight=2).prefetch_count == 300


async def fresh_topology(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        names = [SUBSCRIPTION.queue_name, SUBSCRIPTION.dead_letter_queue_name]
        names += [SUBSCRIPTION.retry_queue_name(n) for n in range(1, TINY.retries + 1)]
        for name in names:
            await channel.queue_delete(name)
    broker = RabbitBroker(amqp_url, logger=None)
    await broker.connect()
    await declare_topology(broker, delivery_limit=3, retry_tiers=TINY.retries)
    await broker.stop()


async def queue_depth(amqp_url: str, name: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        return (await channel.declare_queue(name, passive=True)).declaration_result.message_count


@pytest.mark.integration
class TestBatchingOnRabbitMQ:
    async def test_good_deliveries_are_acked_after_their_batch_and_the_poison_is_dead_lettered(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        handler = Recorder()
        broker = RabbitBroker(amqp_url, logger=None)
        subscribe_batches(broker, SUBSCRIPTION, handler, batching=BatchSettings(size=50, wait_ms=20),
                          delivery_limit=3, retry=TINY)
        names = [f"p{i}" for i in range(30)]
        names.insert(7, POISON)
        publisher = RabbitBroker(amqp_url, logger=None)
        await publisher.connect()
        for name in names:  # queued before the consumer starts, so they arrive together
            await publisher.publish(period(name).model_dump_json(), exchange=EVENTS, routing_key=EVENT, persist=True)
        await broker.start()
        try:
            deadline = asyncio.get_running_loop().time() + 30
            while not (dead := await take_all(amqp_url, SUBSCRIPTION.dead_letter_queue_name)):
                assert asyncio.get_running_loop().time() < deadline, "the poison never reached the dead-letter queue"
                await asyncio.sleep(0.05)
        finally:
            await broker.stop()
            await publisher.stop()

        assert sorted(handler.applied) == sorted(n for n in names if n != POISON)
        assert max(len(batch) for batch in handler.batches) > 1  # they were applied together, not one by one
        [poison] = dead
        assert Envelope[PeriodOpenedV1].model_validate_json(poison.body).payload.name == POISON
        assert poison.headers[REASON_HEADER].startswith("retries_exhausted: 3 attempts")
        assert "numeric field overflow" in poison.headers[REASON_HEADER]
        assert await queue_depth(amqp_url, SUBSCRIPTION.queue_name) == 0  # every delivery acked
