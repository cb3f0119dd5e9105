"""Failed deliveries wait in delayed retry queues on the real broker, then come back or end in the DLQ."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from habitat_common.contracts import Envelope, PeriodOpenedV1
from habitat_common.messaging.consumer import REASON_HEADER, subscribe
from habitat_common.messaging.retry import (
    FIRST_FAILED_HEADER,
    LAST_ERROR_HEADER,
    RETRIES_HEADER,
    PublishNotConfirmed,
    publish_confirmed,
)
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.messaging.topology import EVENTS, Subscription, declare_topology, retry_exchange
from habitat_common.telemetry import EVENTS_FAILED, RETRIES_SCHEDULED
from habitat_common.testing import take_all

pytestmark = pytest.mark.integration
SUBSCRIPTION = Subscription("contributions", PeriodOpenedV1)
TINY = RetrySchedule((0.2, 0.4, 0.8), jitter=0.1)
EVENT = PeriodOpenedV1.routing_key()


def period(name: str) -> bytes:
    payload = PeriodOpenedV1(period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1),
                             ends_on=date(2026, 3, 31), status="open")
    return Envelope.wrap(payload, producer="ledger").model_dump_json().encode()


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


async def depth(amqp_url: str, queue_name: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue_name, passive=True)
        return declared.declaration_result.message_count


async def eventually(condition, *, limit: float = 30.0, step: float = 0.05) -> None:
    """Wait (generously) until condition() holds; the limit only ends a hopeless wait."""
    deadline = asyncio.get_running_loop().time() + limit
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the awaited condition never held"
        await asyncio.sleep(step)


async def dead_letters(amqp_url: str, *, limit: float = 30.0) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Wait (generously) until the dead-letter queue holds something; take all of it."""
    deadline = asyncio.get_running_loop().time() + limit
    while not (dead := await take_all(amqp_url, SUBSCRIPTION.dead_letter_queue_name)):
        assert asyncio.get_running_loop().time() < deadline, "nothing was dead-lettered"
        await asyncio.sleep(0.05)
    return dead


class Attempts:
    """A handler that fails its first `failures` attempts (forever with None) and records every attempt."""

    def __init__(self, failures: int | None, error: Exception | None = None) -> None:
        self.failures, self.error = failures, error or RuntimeError("the member is not known yet")
        self.at: list[float] = []
        self.applied = 0

    async def __call__(self, envelope: Envelope) -> bool:
        self.at.append(asyncio.get_running_loop().time())
        if self.failures is None or len(self.at) <= self.failures:
            raise self.error
        self.applied += 1
        return True


async def started(amqp_url: str, handle: Attempts, **options) -> RabbitBroker:
    broker = RabbitBroker(amqp_url, logger=None)
    subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3, retry=TINY, **options)
    await broker.start()
    return broker


class TestRetries:
    async def test_a_handler_failing_twice_is_applied_once_after_growing_waits(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        handle = Attempts(failures=2)
        broker = await started(amqp_url, handle)
        scheduled = RETRIES_SCHEDULED.labels("contributions", EVENT)
        before = scheduled._value.get()
        await broker.publish(period("flaky"), exchange=EVENTS, routing_key=EVENT, persist=True)
        await eventually(lambda: handle.applied == 1)
        await asyncio.sleep(0.5)  # settle before a negative: no further attempt of an applied event
        await broker.stop()

        assert (len(handle.at), handle.applied) == (3, 1)
        gaps = [later - earlier for earlier, later in zip(handle.at, handle.at[1:])]
        # nominal 0.2 s then 0.4 s (±10 %): each wait at least its shortest, the second longer than the first
        assert gaps[0] >= 0.18 and gaps[1] >= 0.36
        assert gaps[1] > gaps[0]
        assert scheduled._value.get() == before + 2
        assert await take_all(amqp_url, SUBSCRIPTION.dead_letter_queue_name) == []

    async def test_retries_carry_their_count_the_last_error_and_the_first_failure(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        broker = RabbitBroker(amqp_url, logger=None)
        failures = 0

        async def handle(envelope: Envelope) -> bool:
            nonlocal failures
            failures += 1
            raise TimeoutError(f"statement timeout #{failures}")

        subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3, retry=TINY)
        await broker.start()
        await broker.publish(period("slow"), exchange=EVENTS, routing_key=EVENT, persist=True,
                             headers={"x-custom": "kept"})
        # the dead-letter queue keeps the headers of the last retry (the count, the error before the last)
        [message] = await dead_letters(amqp_url)
        await broker.stop()
        headers = dict(message.headers)
        assert (failures, headers[RETRIES_HEADER], headers["x-custom"]) == (4, 3, "kept")
        assert headers[LAST_ERROR_HEADER] == "TimeoutError: statement timeout #3"
        assert FIRST_FAILED_HEADER in headers
        assert headers[REASON_HEADER].startswith("retries_exhausted: 4 attempts over ")
        assert headers[REASON_HEADER].endswith("; last error: TimeoutError: statement timeout #4")

    async def test_a_handler_that_always_fails_ends_in_the_dlq_after_schedule_plus_one_attempts(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        handle = Attempts(failures=None)
        exhausted = EVENTS_FAILED.labels("contributions", EVENT, "retries_exhausted")
        errors = EVENTS_FAILED.labels("contributions", EVENT, "error")
        before = (exhausted._value.get(), errors._value.get())
        broker = await started(amqp_url, handle)
        await broker.publish(period("broken"), exchange=EVENTS, routing_key=EVENT, persist=True)
        dead = await dead_letters(amqp_url)
        await asyncio.sleep(0.5)  # settle before a negative: no attempt after the filing
        await broker.stop()

        assert len(handle.at) == TINY.retries + 1
        [message] = dead
        assert b'"broken"' in message.body
        reason = message.headers[REASON_HEADER]
        assert reason.startswith("retries_exhausted: 4 attempts over ")
        assert reason.endswith("; last error: RuntimeError: the member is not known yet")
        assert (exhausted._value.get(), errors._value.get()) == (before[0] + 1, before[1] + 4)

    async def test_poison_goes_to_the_dlq_at_once_without_retries(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        handle = Attempts(failures=0)
        scheduled = RETRIES_SCHEDULED.labels("contributions", EVENT)
        before = scheduled._value.get()
        broker = await started(amqp_url, handle)
        await broker.publish(b'{"not": "an envelope"}', exchange=EVENTS, routing_key=EVENT, persist=True)
        dead = await dead_letters(amqp_url)
        await broker.stop()

        [message] = dead
        assert message.headers[REASON_HEADER].startswith(f"malformed: not a {EVENT} envelope")
        assert RETRIES_HEADER not in message.headers
        assert (handle.at, scheduled._value.get()) == ([], before)

    async def test_a_database_outage_pauses_then_takes_the_retry_path(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        handle = Attempts(failures=1, error=ConnectionRefusedError(111, "Connect call failed"))
        unavailable = EVENTS_FAILED.labels("contributions", EVENT, "database_unavailable")
        scheduled = RETRIES_SCHEDULED.labels("contributions", EVENT)
        before = (unavailable._value.get(), scheduled._value.get())
        broker = await started(amqp_url, handle, unavailable_pause_seconds=0.5)
        await broker.publish(period("while-down"), exchange=EVENTS, routing_key=EVENT, persist=True)
        await eventually(lambda: handle.applied == 1)
        await broker.stop()

        assert len(handle.at) == 2
        assert handle.at[1] - handle.at[0] >= 0.5 + 0.18  # the pause, then the first retry's delay
        assert (unavailable._value.get(), scheduled._value.get()) == (before[0] + 1, before[1] + 1)

    async def test_while_a_message_waits_in_a_retry_queue_the_work_queue_is_empty(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        slow = RetrySchedule((3.0, 3.0, 3.0), jitter=0)
        handle = Attempts(failures=1)
        broker = RabbitBroker(amqp_url, logger=None)
        subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3, retry=slow)
        await broker.start()
        await broker.publish(period("waiting"), exchange=EVENTS, routing_key=EVENT, persist=True)
        await eventually(lambda: len(handle.at) == 1)
        tier = SUBSCRIPTION.retry_queue_name(1)
        deadline = asyncio.get_running_loop().time() + 30
        while await depth(amqp_url, tier) != 1:  # the retry is confirmed before the ack, so it is there by now
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        work_while_waiting = await depth(amqp_url, SUBSCRIPTION.queue_name)
        attempts_while_waiting = len(handle.at)
        await eventually(lambda: handle.applied == 1)
        await broker.stop()

        assert (work_while_waiting, attempts_while_waiting) == (0, 1)
        assert await depth(amqp_url, tier) == 0
        assert handle.at[1] - handle.at[0] >= 3.0


class TestConfirmedPublish:
    async def test_a_retry_to_a_tier_that_does_not_exist_is_not_confirmed(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        broker = RabbitBroker(amqp_url, logger=None)
        await broker.connect()
        try:
            with pytest.raises(PublishNotConfirmed, match="habitat.retry.contributions"):
                await publish_confirmed(broker, b"{}", exchange=retry_exchange("contributions", declare=False),
                                        routing_key=SUBSCRIPTION.retry_queue_name(99))
            await publish_confirmed(broker, b"{}", exchange=retry_exchange("contributions", declare=False),
                                    routing_key=SUBSCRIPTION.queue_name)
        finally:
            await broker.stop()
        [replayed] = await take_all(amqp_url, SUBSCRIPTION.queue_name)
        assert replayed.body == b"{}"
