"""Outbox relay, inbox claim and consumers against real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from opentelemetry import trace
from sqlalchemy import func, select

from habitat_common.contracts import ContributionApprovedV1, Envelope, PeriodOpenedV1
from habitat_common.messaging.consumer import subscribe
from habitat_common.messaging.inbox import claim
from habitat_common.messaging.outbox import add_to_outbox
from habitat_common.messaging.relay import OutboxRelay
from habitat_common.messaging.retry_schedule import RetrySchedule
from habitat_common.messaging.topology import EVENTS, Subscription, declare_topology
from habitat_common.messaging.worker import make_broker
from habitat_common.settings import RabbitSettings, TelemetrySettings
from habitat_common.telemetry import configure_tracing
from habitat_common.testing import take_all

pytestmark = pytest.mark.integration
SUBSCRIPTION = Subscription("contributions", PeriodOpenedV1)
QUICK_RETRIES = RetrySchedule((0.1, 0.2), jitter=0)


def period(name: str = "2026-Q1") -> PeriodOpenedV1:
    return PeriodOpenedV1(period_id=uuid.uuid4(), name=name, starts_on=date(2026, 1, 1),
                          ends_on=date(2026, 3, 31), status="open")


async def fresh_topology(amqp_url: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        retry_queues = [SUBSCRIPTION.retry_queue_name(n) for n in range(1, QUICK_RETRIES.retries + 1)]
        for name in (SUBSCRIPTION.queue_name, SUBSCRIPTION.dead_letter_queue_name, *retry_queues):
            await channel.queue_delete(name)
    broker = RabbitBroker(amqp_url, logger=None)
    await broker.connect()
    await declare_topology(broker, delivery_limit=3, retry_tiers=QUICK_RETRIES.retries)
    await broker.stop()


class TestOutboxRelay:
    async def test_rows_are_published_persistent_with_event_id_and_trace_then_marked(self, tables, amqp_url) -> None:
        engine, sessions, outbox, _ = tables
        await fresh_topology(amqp_url)
        configure_tracing("test", TelemetrySettings())
        with trace.get_tracer("test").start_as_current_span("http request") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
            async with sessions() as session:
                envelope = await add_to_outbox(session, outbox, period(), producer="ledger", correlation_id="c-1")
                await session.commit()
        broker = RabbitBroker(amqp_url, logger=None)
        await broker.connect()
        relay = OutboxRelay(service="ledger", broker=broker, session_factory=sessions, table=outbox,
                            interval_seconds=0.05, batch_size=10)
        assert await relay.relay_once() == 1
        assert await relay.relay_once() == 0
        await broker.stop()

        [message] = await take_all(amqp_url, SUBSCRIPTION.queue_name)
        assert message.message_id == str(envelope.event_id)
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert trace_id in message.headers["traceparent"]
        assert Envelope[PeriodOpenedV1].model_validate_json(message.body) == envelope
        async with sessions() as session:
            unpublished = await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
        assert unpublished == 0

    async def test_two_relays_never_publish_the_same_row_twice(self, tables, amqp_url) -> None:
        engine, sessions, outbox, _ = tables
        await fresh_topology(amqp_url)
        async with sessions() as session:
            for i in range(60):
                await add_to_outbox(session, outbox, period(f"P{i}"), producer="ledger", correlation_id=None)
            await session.commit()
        brokers = [RabbitBroker(amqp_url, logger=None) for _ in range(2)]
        for broker in brokers:
            await broker.connect()
        relays = [OutboxRelay(service="ledger", broker=b, session_factory=sessions, table=outbox,
                              interval_seconds=0.01, batch_size=7) for b in brokers]

        async def drain(relay: OutboxRelay) -> int:
            total = 0
            while published := await relay.relay_once():
                total += published
            return total

        counts = await asyncio.gather(*(drain(r) for r in relays))
        for broker in brokers:
            await broker.stop()
        assert sum(counts) == 60
        names = [json.loads(m.body)["payload"]["name"] for m in await take_all(amqp_url, SUBSCRIPTION.queue_name)]
        assert sorted(names) == sorted(f"P{i}" for i in range(60))


class TestInbox:
    async def test_claim_is_true_once_per_consumer(self, tables) -> None:
        _, sessions, _, inbox = tables
        event_id = uuid.uuid4()
        async with sessions() as session:
            assert await claim(session, inbox, "ledger.x", event_id) is True
            assert await claim(session, inbox, "ledger.x", event_id) is False
            assert await claim(session, inbox, "other.x", event_id) is True
            await session.commit()


class TestConsumer:
    async def test_poison_is_dead_lettered_failures_retried_good_events_handled(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        broker = RabbitBroker(amqp_url, logger=None)
        seen: list[str] = []
        attempts: dict[str, int] = {}

        async def handle(envelope: Envelope) -> bool:
            name = envelope.payload.name
            attempts[name] = attempts.get(name, 0) + 1
            if name == "flaky" and attempts[name] < 2:
                raise RuntimeError("transient")
            if name == "always-broken":
                raise RuntimeError("permanent")
            seen.append(name)
            return True

        subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3, retry=QUICK_RETRIES)
        await broker.start()
        routing_key = PeriodOpenedV1.routing_key()
        poison = b'{"not": "an envelope"}'
        await broker.publish(poison, exchange=EVENTS, routing_key=routing_key, persist=True)
        for name in ("flaky", "always-broken", "fine"):
            envelope = Envelope.wrap(period(name), producer="ledger")
            await broker.publish(envelope.model_dump(mode="json"), exchange=EVENTS, routing_key=routing_key)
        for _ in range(300):
            if "fine" in seen and "flaky" in seen and attempts.get("always-broken", 0) >= 3:
                break
            await asyncio.sleep(0.1)
        # settle before asserting a negative (no further delivery of the handled or broken ones):
        # nothing to wait for can prove "nothing else happens", so a short grace is all there is
        await asyncio.sleep(0.5)
        await broker.stop()

        assert sorted(seen) == ["fine", "flaky"]
        assert attempts["always-broken"] == 1 + QUICK_RETRIES.retries
        dead = await take_all(amqp_url, SUBSCRIPTION.dead_letter_queue_name)
        bodies = [m.body for m in dead]
        assert poison in bodies
        assert any(b'"always-broken"' in body for body in bodies)
        assert len(bodies) == 2
        [refused] = [m for m in dead if m.body == poison]
        assert refused.headers["x-habitat-dead-letter-reason"].startswith("malformed: not a ledger.period_opened.v1")
        [exhausted] = [m for m in dead if m.body != poison]  # after its retries, not the delivery limit
        assert exhausted.headers["x-habitat-dead-letter-reason"].startswith("retries_exhausted: 3 attempts over ")

    async def test_a_consumer_handles_at_most_prefetch_count_deliveries_at_once(self, amqp_url) -> None:
        await fresh_topology(amqp_url)
        broker = make_broker(RabbitSettings(url=amqp_url, prefetch_count=2))
        in_flight, most, handled = 0, 0, []
        release = asyncio.Event()

        async def handle(envelope: Envelope) -> bool:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await release.wait()
            in_flight -= 1
            handled.append(envelope.payload.name)
            return True

        subscribe(broker, SUBSCRIPTION, handle, delivery_limit=3)
        await broker.start()
        names = [f"p{i}" for i in range(6)]
        for name in names:
            envelope = Envelope.wrap(period(name), producer="ledger")
            await broker.publish(envelope.model_dump(mode="json"), exchange=EVENTS, routing_key=PeriodOpenedV1.routing_key())
        for _ in range(50):
            if in_flight == 2:
                break
            await asyncio.sleep(0.05)
        # a negative (no third delivery in flight) cannot be waited for: a short settle, time for more
        # deliveries were any allowed
        await asyncio.sleep(0.5)
        held = most
        release.set()
        for _ in range(100):
            if len(handled) == len(names):
                break
            await asyncio.sleep(0.05)
        await broker.stop()
        assert (held, sorted(handled)) == (2, names)


class TestProducerCheck:
    async def test_a_contributions_event_from_another_producer_lands_in_the_dead_letter_queue(self, amqp_url) -> None:
        subscription = Subscription("ledger", ContributionApprovedV1)
        broker = RabbitBroker(amqp_url, logger=None)
        await broker.connect()
        await declare_topology(broker, delivery_limit=3)
        seen: list[str] = []

        async def handle(envelope: Envelope) -> bool:
            seen.append(envelope.producer)
            return True

        subscribe(broker, subscription, handle, delivery_limit=3)
        await broker.start()
        for producer in ("identity", "ledger", "contributions"):
            envelope = Envelope.wrap(approved(), producer=producer)
            await broker.publish(envelope.model_dump(mode="json"), exchange=EVENTS,
                                 routing_key=ContributionApprovedV1.routing_key(), persist=True)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        # settle before asserting a negative (the other producers' events never reach the handler)
        await asyncio.sleep(0.5)
        await broker.stop()

        assert seen == ["contributions"]
        dead = await take_all(amqp_url, subscription.dead_letter_queue_name)
        assert sorted(json.loads(m.body)["producer"] for m in dead) == ["identity", "ledger"]
        reasons = sorted(m.headers["x-habitat-dead-letter-reason"] for m in dead)
        assert reasons == [
            f"wrong_producer: '{who}' published contributions.contribution_approved.v1, only 'contributions' may"
            for who in ("identity", "ledger")
        ]
        assert {m.headers["x-habitat-dead-letter-queue"] for m in dead} == {subscription.queue_name}


def approved() -> ContributionApprovedV1:
    return ContributionApprovedV1(
        contribution_id=uuid.uuid4(), member_id=uuid.uuid4(), period_id=uuid.uuid4(), type="labor",
        contributed_on=date(2026, 1, 5), value=Decimal("10.00"), book_amount=Decimal("0.00"),
        tax_amount=Decimal("0.00"), approved_by=uuid.uuid4(), approved_at=datetime.now(UTC),
    )
