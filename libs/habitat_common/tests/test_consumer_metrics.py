"""A consumer's event lag and redeliveries on the real broker: an event that occurred a while ago, failing once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.messaging.topology import EVENTS, Subscription, consumer_queue, retry_exchange, retry_queue
from prometheus_client import REGISTRY

pytestmark = pytest.mark.integration
CONSUMER = f"metricstest{uuid.uuid4().hex[:6]}"
SUBSCRIPTION = Subscription(CONSUMER, PeriodOpenedV1)
EVENT = PeriodOpenedV1.routing_key()
TINY = RetrySchedule((0.2,), jitter=0.1)
LABELS = {"consumer": CONSUMER, "event": EVENT}


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def occurred(seconds_ago: float) -> bytes:
    payload = PeriodOpenedV1(
        period_id=uuid.uuid4(), name="Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), status="open"
    )
    envelope = Envelope.wrap(payload, producer="ledger")
    envelope = envelope.model_copy(update={"occurred_at": datetime.now(UTC) - timedelta(seconds=seconds_ago)})
    return envelope.model_dump_json().encode()


class FailsFirst:
    """Fails the first delivery of each event, applies the retry."""

    def __init__(self) -> None:
        self.attempts = 0
        self.applied = 0

    async def __call__(self, envelope: Envelope) -> bool:
        self.attempts += 1
        if self.attempts == 1:
            raise RuntimeError("not yet")
        self.applied += 1
        return True


async def declare_own_topology(broker: RabbitBroker) -> None:
    """The test consumer's queue and its one delayed retry queue (declare_topology knows only real consumers)."""
    events = await broker.declare_exchange(EVENTS)
    queue = await broker.declare_queue(consumer_queue(SUBSCRIPTION, delivery_limit=3))
    await queue.bind(events, routing_key=EVENT)
    retries = await broker.declare_exchange(retry_exchange(CONSUMER))
    await queue.bind(retries, routing_key=SUBSCRIPTION.queue_name)
    tier = await broker.declare_queue(retry_queue(SUBSCRIPTION, 1))
    await tier.bind(retries, routing_key=tier.name)


async def delete_queues(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in (SUBSCRIPTION.queue_name, SUBSCRIPTION.dead_letter_queue_name, SUBSCRIPTION.retry_queue_name(1)):
            await channel.queue_delete(name)


async def test_lag_is_observed_once_applied_and_the_retry_counts_as_a_redelivery(amqp_url) -> None:
    broker = RabbitBroker(amqp_url, logger=None)
    handle = FailsFirst()
    subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3, retry=TINY)
    # the consumer's series exist before its first delivery
    assert sample("habitat_event_lag_seconds_count", **LABELS) == 0
    assert sample("habitat_events_redelivered_total", **LABELS) == 0
    assert sample("habitat_events_consumed_total", outcome="applied", **LABELS) == 0
    await broker.start()
    try:
        await declare_own_topology(broker)
        await broker.publish(occurred(30.0), exchange=EVENTS, routing_key=EVENT, persist=True)
        deadline = asyncio.get_running_loop().time() + 30
        while handle.applied < 1:
            assert asyncio.get_running_loop().time() < deadline, "the event was never applied"
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()
        await delete_queues(amqp_url)
    assert handle.attempts == 2
    assert sample("habitat_event_retries_scheduled_total", **LABELS) == 1  # it came back through the retry queue
    assert sample("habitat_events_redelivered_total", **LABELS) == 1  # the retry, not the first delivery
    assert sample("habitat_event_lag_seconds_count", **LABELS) == 1  # applied once; the failure is no lag
    lag = sample("habitat_event_lag_seconds_sum", **LABELS)
    assert 30 <= lag < 60
    assert sample("habitat_event_lag_seconds_bucket", le="10.0", **LABELS) == 0
    assert sample("habitat_event_lag_seconds_bucket", le="60.0", **LABELS) == 1
